"""Service intervals for "your car is due" reminders (e.g. oil change every 12 months or 15,000 km)."""

from __future__ import annotations


def upgrade(ctx) -> None:  # type: ignore[no-untyped-def]
    ctx.script(
        """
        CREATE TABLE service_interval (
            service_id INTEGER PRIMARY KEY REFERENCES service (id),
            months INTEGER CHECK (months IS NULL OR months BETWEEN 1 AND 120),
            km INTEGER CHECK (km IS NULL OR km BETWEEN 100 AND 1000000),
            updated_at {ts} NOT NULL,
            CHECK (months IS NOT NULL OR km IS NOT NULL)
        )
        """
    )
