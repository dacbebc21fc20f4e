"""Stock movements can belong to an invoice: parts sold over the counter leave the shelf when the
invoice is issued and come back with its credit note (`shop.invoices`).

The column says which invoice took (or got back) the parts, so a credit note returns no more than
its invoice took, and parts a job already took are never taken twice.
"""

from __future__ import annotations


def upgrade(ctx) -> None:  # type: ignore[no-untyped-def]
    ctx.script(
        """
        ALTER TABLE stock_movement ADD COLUMN invoice_id INTEGER;
        CREATE INDEX stock_movement_invoice ON stock_movement (invoice_id)
        """
    )
