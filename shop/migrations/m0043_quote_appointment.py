"""A quote knows the appointment it was booked as (or made for).

Before, only free text tied them ("From quote #N" on the appointment, "Appointment #N" on the
quote), so the same accepted quote could be booked twice and billed twice (once as the quote,
once as the job), and a quoted counter sale's parts were never taken from stock. Existing
shops get the link back from that text where it is unchanged and names the same customer.
"""

from __future__ import annotations


def upgrade(ctx) -> None:  # type: ignore[no-untyped-def]
    ctx.script(
        """
        ALTER TABLE quote ADD COLUMN appointment_id INTEGER REFERENCES appointment (id);
        CREATE INDEX quote_appointment ON quote (appointment_id);
        UPDATE quote SET appointment_id = (
            SELECT max(a.id) FROM appointment a
            WHERE a.customer_id = quote.customer_id
              AND (a.notes = 'From quote #' || CAST(quote.id AS TEXT)
                   OR quote.notes = 'Appointment #' || CAST(a.id AS TEXT))
        )
        """
    )
