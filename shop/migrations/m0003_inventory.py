"""Parts and the stock ledger.

`part.on_hand` is a maintained total: every change to it is written in the same transaction as
the `stock_movement` row that explains it, and `shop.inventory.verify` proves the two agree.
The CHECK keeps stock from going negative unless the admin allowed backorders for that part.
Quantities are stored in hundredths (2.5 litres of oil = 250), like money in cents.
"""

from __future__ import annotations


def upgrade(ctx) -> None:  # type: ignore[no-untyped-def]
    ctx.script(
        """
        CREATE TABLE part (
            id {pk},
            sku TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            supplier TEXT NOT NULL,
            unit_cost {money} NOT NULL CHECK (unit_cost >= 0),
            price {money} NOT NULL CHECK (price >= 0),
            reorder_level {money} NOT NULL CHECK (reorder_level >= 0),
            reorder_quantity {money} NOT NULL CHECK (reorder_quantity >= 0),
            bin_location TEXT NOT NULL,
            active {bool} NOT NULL,
            allow_backorder {bool} NOT NULL,
            on_hand {money} NOT NULL,
            created_at {ts} NOT NULL,
            updated_at {ts} NOT NULL,
            CHECK (on_hand >= 0 OR allow_backorder)
        );
        CREATE INDEX part_name ON part (name);
        CREATE TABLE stock_movement (
            id {pk},
            part_id INTEGER NOT NULL REFERENCES part (id),
            kind TEXT NOT NULL CHECK (kind IN ('receive', 'use', 'return', 'adjust', 'stocktake')),
            quantity {money} NOT NULL CHECK (quantity <> 0),
            balance {money} NOT NULL,
            unit_cost {money} NOT NULL CHECK (unit_cost >= 0),
            reason TEXT NOT NULL,
            reference TEXT NOT NULL,
            job_id INTEGER,
            actor TEXT NOT NULL,
            at {ts} NOT NULL
        );
        CREATE INDEX stock_movement_part ON stock_movement (part_id, id);
        CREATE INDEX stock_movement_at ON stock_movement (at);
        CREATE INDEX stock_movement_job ON stock_movement (job_id)
        """
    )
