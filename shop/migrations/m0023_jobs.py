"""Repair jobs on booked appointments: check-in, notes, labour, parts used, the technician time clock.

One job per appointment (UNIQUE). A mechanic has at most one open time entry (partial UNIQUE
index), so clocking on twice is refused by the database even when two terminals try at once.
Each closed entry stores its length in seconds, so reports sum hours in SQL on both engines.
Parts used are linked to the stock movement written in the same transaction.
"""

from __future__ import annotations


def upgrade(ctx) -> None:  # type: ignore[no-untyped-def]
    ctx.script(
        """
        CREATE TABLE job (
            id {pk},
            appointment_id INTEGER NOT NULL UNIQUE REFERENCES appointment (id),
            mechanic_id INTEGER REFERENCES staff (id),
            mileage INTEGER CHECK (mileage >= 0),
            complaint TEXT NOT NULL,
            checked_in_at {ts} NOT NULL,
            completed_at {ts},
            created_at {ts} NOT NULL
        );
        CREATE INDEX job_mechanic ON job (mechanic_id);
        CREATE TABLE job_note (
            id {pk},
            job_id INTEGER NOT NULL REFERENCES job (id),
            at {ts} NOT NULL,
            author TEXT NOT NULL,
            text TEXT NOT NULL
        );
        CREATE INDEX job_note_job ON job_note (job_id, id);
        CREATE TABLE job_labour (
            id {pk},
            job_id INTEGER NOT NULL REFERENCES job (id),
            mechanic_id INTEGER REFERENCES staff (id),
            description TEXT NOT NULL,
            hours {money} NOT NULL CHECK (hours > 0),
            rate {money} NOT NULL CHECK (rate >= 0),
            at {ts} NOT NULL
        );
        CREATE INDEX job_labour_job ON job_labour (job_id);
        CREATE TABLE job_part (
            id {pk},
            job_id INTEGER NOT NULL REFERENCES job (id),
            part_id INTEGER NOT NULL REFERENCES part (id),
            movement_id INTEGER NOT NULL UNIQUE REFERENCES stock_movement (id),
            quantity {money} NOT NULL CHECK (quantity <> 0),
            unit_price {money} NOT NULL CHECK (unit_price >= 0),
            at {ts} NOT NULL
        );
        CREATE INDEX job_part_job ON job_part (job_id);
        CREATE TABLE time_entry (
            id {pk},
            job_id INTEGER NOT NULL REFERENCES job (id),
            mechanic_id INTEGER NOT NULL REFERENCES staff (id),
            started_at {ts} NOT NULL,
            ended_at {ts},
            seconds INTEGER CHECK (seconds >= 0),
            CHECK ((ended_at IS NULL) = (seconds IS NULL))
        );
        CREATE UNIQUE INDEX time_entry_one_open ON time_entry (mechanic_id) WHERE ended_at IS NULL;
        CREATE INDEX time_entry_job ON time_entry (job_id);
        CREATE INDEX time_entry_started ON time_entry (started_at);
        ALTER TABLE invoice ADD COLUMN job_id INTEGER REFERENCES job (id);
        CREATE INDEX invoice_job ON invoice (job_id)
        """
    )
