"""Quotes, invoices, credit notes, payments and the gapless invoice-number counters.

Invoice numbers come from `document_counter`, one row per series and year, locked while a number
is assigned in the issuing transaction; UNIQUE (kind, year, sequence) and UNIQUE number back it up.
Amounts are integer cents; quantities and tax rates hundredths. Line `amount` is the rounded net
of the line (negative for discounts and on credit notes), so revenue is a plain SUM.
"""

from __future__ import annotations

LINE_COLUMNS = """
            position INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('service', 'labour', 'part', 'other', 'discount')),
            service_id INTEGER REFERENCES service (id),
            part_id INTEGER REFERENCES part (id),
            description TEXT NOT NULL,
            quantity {money} NOT NULL CHECK (quantity > 0),
            unit_price {money} NOT NULL CHECK (unit_price >= 0),
            tax_rate {money} NOT NULL CHECK (tax_rate >= 0 AND tax_rate <= 10000),
            amount {money} NOT NULL"""


def upgrade(ctx) -> None:  # type: ignore[no-untyped-def]
    ctx.script(
        """
        CREATE TABLE quote (
            id {pk},
            customer_id INTEGER NOT NULL REFERENCES customer (id),
            vehicle_id INTEGER REFERENCES vehicle (id),
            status TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'accepted', 'declined', 'expired')),
            valid_until {date},
            notes TEXT NOT NULL,
            created_at {ts} NOT NULL,
            sent_at {ts},
            decided_at {ts}
        );
        CREATE INDEX quote_customer ON quote (customer_id);
        CREATE INDEX quote_status ON quote (status, valid_until);
        CREATE TABLE quote_line (
            id {pk},
            quote_id INTEGER NOT NULL REFERENCES quote (id) ON DELETE CASCADE,"""
        + LINE_COLUMNS
        + """,
            decision TEXT NOT NULL CHECK (decision IN ('pending', 'accepted', 'declined')),
            decided_at {ts}
        );
        CREATE INDEX quote_line_quote ON quote_line (quote_id, position);
        CREATE TABLE invoice (
            id {pk},
            kind TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
            number TEXT UNIQUE,
            year INTEGER,
            sequence INTEGER,
            status TEXT NOT NULL CHECK (status IN ('draft', 'issued', 'paid', 'credited')),
            customer_id INTEGER NOT NULL REFERENCES customer (id),
            vehicle_id INTEGER REFERENCES vehicle (id),
            quote_id INTEGER REFERENCES quote (id),
            credit_of_id INTEGER REFERENCES invoice (id),
            mileage INTEGER,
            notes TEXT NOT NULL,
            reason TEXT NOT NULL,
            issue_date {date},
            due_date {date},
            issued_at {ts},
            net {money} NOT NULL,
            tax {money} NOT NULL,
            total {money} NOT NULL,
            paid {money} NOT NULL CHECK (paid >= 0),
            credited {money} NOT NULL CHECK (credited >= 0),
            created_at {ts} NOT NULL,
            updated_at {ts} NOT NULL,
            UNIQUE (kind, year, sequence),
            CHECK ((status = 'draft') = (number IS NULL))
        );
        CREATE INDEX invoice_customer ON invoice (customer_id);
        CREATE INDEX invoice_issue_date ON invoice (issue_date, status);
        CREATE INDEX invoice_credit_of ON invoice (credit_of_id);
        CREATE TABLE invoice_line (
            id {pk},
            invoice_id INTEGER NOT NULL REFERENCES invoice (id) ON DELETE CASCADE,"""
        + LINE_COLUMNS
        + """
        );
        CREATE INDEX invoice_line_invoice ON invoice_line (invoice_id, position);
        CREATE INDEX invoice_line_service ON invoice_line (service_id);
        CREATE TABLE payment (
            id {pk},
            invoice_id INTEGER NOT NULL REFERENCES invoice (id),
            amount {money} NOT NULL CHECK (amount > 0),
            method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'transfer', 'other')),
            paid_on {date} NOT NULL,
            reference TEXT NOT NULL,
            actor TEXT NOT NULL,
            at {ts} NOT NULL
        );
        CREATE INDEX payment_invoice ON payment (invoice_id);
        CREATE INDEX payment_paid_on ON payment (paid_on);
        CREATE TABLE document_counter (
            series TEXT NOT NULL,
            year INTEGER NOT NULL,
            last INTEGER NOT NULL CHECK (last >= 0),
            PRIMARY KEY (series, year)
        )
        """
    )
