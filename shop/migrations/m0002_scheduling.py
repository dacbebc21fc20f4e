"""Shop calendar (opening hours, closures, bays, mechanic hours and time off) and appointments.

No double booking is enforced by the database itself: a trigger refuses an active appointment
whose occupied interval [start_at, block_end_at) overlaps another active one on the same bay (or
of the same mechanic). On PostgreSQL the trigger first locks the bay row (and the mechanic's staff
row) FOR UPDATE, so concurrent writers are serialised per bay and each sees the other's committed
row; on SQLite every write transaction is BEGIN IMMEDIATE, which serialises them anyway.
"""

from __future__ import annotations

INACTIVE = "('cancelled', 'no_show')"

_OVERLAP_BAY = (
    "SELECT 1 FROM appointment a WHERE a.bay_id = NEW.bay_id AND a.id <> NEW.id"
    f" AND a.status NOT IN {INACTIVE} AND a.start_at < NEW.block_end_at AND NEW.start_at < a.block_end_at"
)
_OVERLAP_MECHANIC = (
    "SELECT 1 FROM appointment a WHERE a.mechanic_id = NEW.mechanic_id AND a.id <> NEW.id"
    f" AND a.status NOT IN {INACTIVE} AND a.start_at < NEW.block_end_at AND NEW.start_at < a.block_end_at"
)


def upgrade(ctx) -> None:  # type: ignore[no-untyped-def]
    ctx.script(
        """
        CREATE TABLE opening_hours (
            id {pk},
            weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
            start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1440),
            end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 0 AND 1440),
            CHECK (start_minute < end_minute)
        );
        CREATE INDEX opening_hours_weekday ON opening_hours (weekday, start_minute);
        CREATE TABLE closure (
            id {pk},
            start_date {date} NOT NULL,
            end_date {date} NOT NULL,
            reason TEXT NOT NULL,
            created_at {ts} NOT NULL,
            CHECK (start_date <= end_date)
        );
        CREATE INDEX closure_dates ON closure (end_date, start_date);
        CREATE TABLE bay (
            id {pk},
            name TEXT NOT NULL UNIQUE,
            capabilities TEXT NOT NULL,
            active {bool} NOT NULL,
            position INTEGER NOT NULL,
            created_at {ts} NOT NULL
        );
        CREATE TABLE mechanic_hours (
            id {pk},
            staff_id INTEGER NOT NULL REFERENCES staff (id),
            weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
            start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1440),
            end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 0 AND 1440),
            CHECK (start_minute < end_minute)
        );
        CREATE INDEX mechanic_hours_staff ON mechanic_hours (staff_id, weekday);
        CREATE TABLE time_off (
            id {pk},
            staff_id INTEGER NOT NULL REFERENCES staff (id),
            start_at {ts} NOT NULL,
            end_at {ts} NOT NULL,
            reason TEXT NOT NULL,
            CHECK (start_at < end_at)
        );
        CREATE INDEX time_off_staff ON time_off (staff_id, end_at);
        CREATE TABLE appointment (
            id {pk},
            customer_id INTEGER NOT NULL REFERENCES customer (id),
            vehicle_id INTEGER NOT NULL REFERENCES vehicle (id),
            bay_id INTEGER NOT NULL REFERENCES bay (id),
            mechanic_id INTEGER REFERENCES staff (id),
            start_at {ts} NOT NULL,
            end_at {ts} NOT NULL,
            block_end_at {ts} NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('scheduled', 'checked_in', 'in_progress', 'waiting_parts',
                                                   'completed', 'cancelled', 'no_show')),
            source TEXT NOT NULL,
            notes TEXT NOT NULL,
            idempotency_key TEXT,
            reschedule_count INTEGER NOT NULL,
            total_price {money} NOT NULL,
            created_at {ts} NOT NULL,
            updated_at {ts} NOT NULL,
            CHECK (start_at < end_at AND end_at <= block_end_at)
        );
        CREATE INDEX appointment_bay_start ON appointment (bay_id, start_at);
        CREATE INDEX appointment_start ON appointment (start_at);
        CREATE INDEX appointment_customer ON appointment (customer_id, start_at);
        CREATE INDEX appointment_mechanic ON appointment (mechanic_id, start_at);
        CREATE UNIQUE INDEX appointment_idempotency ON appointment (idempotency_key);
        CREATE TABLE appointment_service (
            id {pk},
            appointment_id INTEGER NOT NULL REFERENCES appointment (id),
            service_id INTEGER NOT NULL REFERENCES service (id),
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
            price {money} NOT NULL CHECK (price >= 0)
        );
        CREATE INDEX appointment_service_appointment ON appointment_service (appointment_id, position);
        CREATE TABLE appointment_history (
            id {pk},
            appointment_id INTEGER NOT NULL REFERENCES appointment (id),
            at {ts} NOT NULL,
            actor TEXT NOT NULL,
            kind TEXT NOT NULL,
            from_status TEXT,
            to_status TEXT NOT NULL,
            note TEXT NOT NULL
        );
        CREATE INDEX appointment_history_appointment ON appointment_history (appointment_id, id)
        """
    )
    if ctx.postgres:
        ctx.sql(
            f"""
            CREATE OR REPLACE FUNCTION appointment_no_overlap() RETURNS trigger AS $$
            BEGIN
                IF NEW.status IN {INACTIVE} THEN
                    RETURN NEW;
                END IF;
                PERFORM 1 FROM bay WHERE id = NEW.bay_id FOR UPDATE;
                IF EXISTS ({_OVERLAP_BAY}) THEN
                    RAISE EXCEPTION 'appointment overlaps another on the same bay'
                        USING ERRCODE = 'exclusion_violation';
                END IF;
                IF NEW.mechanic_id IS NOT NULL THEN
                    PERFORM 1 FROM staff WHERE id = NEW.mechanic_id FOR UPDATE;
                    IF EXISTS ({_OVERLAP_MECHANIC}) THEN
                        RAISE EXCEPTION 'appointment overlaps another of the same mechanic'
                            USING ERRCODE = 'exclusion_violation';
                    END IF;
                END IF;
                RETURN NEW;
            END
            $$ LANGUAGE plpgsql
            """
        )
        ctx.sql(
            "CREATE TRIGGER appointment_no_overlap BEFORE INSERT OR UPDATE ON appointment"
            " FOR EACH ROW EXECUTE FUNCTION appointment_no_overlap()"
        )
    else:
        for event in ("INSERT", "UPDATE"):
            ctx.sql(
                f"""
                CREATE TRIGGER appointment_no_overlap_{event.lower()} BEFORE {event} ON appointment
                WHEN NEW.status NOT IN {INACTIVE}
                BEGIN
                    SELECT RAISE(ABORT, 'appointment overlaps another on the same bay')
                    WHERE EXISTS ({_OVERLAP_BAY});
                    SELECT RAISE(ABORT, 'appointment overlaps another of the same mechanic')
                    WHERE NEW.mechanic_id IS NOT NULL AND EXISTS ({_OVERLAP_MECHANIC});
                END
                """
            )
