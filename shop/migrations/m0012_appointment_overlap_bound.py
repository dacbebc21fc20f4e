"""Keep the no-overlap trigger fast however long the history grows.

An appointment fits inside one opening interval (a day at most) plus a buffer of at most four
hours, so no appointment spans two days or more; the trigger now enforces that and uses it as a
lower bound on `start_at`, which turns its overlap probe into a short range scan of the
(bay_id, start_at) index instead of a walk over every earlier appointment of the bay.

An update that changes neither the time, the bay, the mechanic nor whether the appointment is
active (a status step such as checked_in -> in_progress) cannot create an overlap: the trigger
now lets it through without probing or locking, so status changes never wait on bookings.
"""

from __future__ import annotations

INACTIVE = "('cancelled', 'no_show')"


def _overlap(column: str, lower_bound: str) -> str:
    return (
        f"SELECT 1 FROM appointment a WHERE a.{column} = NEW.{column} AND a.id <> NEW.id"
        f" AND a.status NOT IN {INACTIVE} AND a.start_at < NEW.block_end_at AND NEW.start_at < a.block_end_at"
        f" AND a.start_at > {lower_bound}"
    )


def upgrade(ctx) -> None:  # type: ignore[no-untyped-def]
    if ctx.postgres:
        bound = "NEW.start_at - interval '2 days'"
        ctx.sql(
            f"""
            CREATE OR REPLACE FUNCTION appointment_no_overlap() RETURNS trigger AS $$
            BEGIN
                IF NEW.block_end_at - NEW.start_at >= interval '2 days' THEN
                    RAISE EXCEPTION 'an appointment must be shorter than two days' USING ERRCODE = 'check_violation';
                END IF;
                IF NEW.status IN {INACTIVE} THEN
                    RETURN NEW;
                END IF;
                IF TG_OP = 'UPDATE' THEN
                    IF OLD.status NOT IN {INACTIVE} AND NEW.bay_id = OLD.bay_id
                            AND NEW.start_at = OLD.start_at AND NEW.block_end_at = OLD.block_end_at
                            AND NEW.mechanic_id IS NOT DISTINCT FROM OLD.mechanic_id THEN
                        RETURN NEW;
                    END IF;
                END IF;
                PERFORM 1 FROM bay WHERE id = NEW.bay_id FOR UPDATE;
                IF EXISTS ({_overlap("bay_id", bound)}) THEN
                    RAISE EXCEPTION 'appointment overlaps another on the same bay'
                        USING ERRCODE = 'exclusion_violation';
                END IF;
                IF NEW.mechanic_id IS NOT NULL THEN
                    PERFORM 1 FROM staff WHERE id = NEW.mechanic_id FOR UPDATE;
                    IF EXISTS ({_overlap("mechanic_id", bound)}) THEN
                        RAISE EXCEPTION 'appointment overlaps another of the same mechanic'
                            USING ERRCODE = 'exclusion_violation';
                    END IF;
                END IF;
                RETURN NEW;
            END
            $$ LANGUAGE plpgsql
            """
        )
        return
    bound = "datetime(NEW.start_at, '-2 days')"
    unchanged = (
        f"OLD.status NOT IN {INACTIVE} AND NEW.bay_id = OLD.bay_id AND NEW.start_at = OLD.start_at"
        " AND NEW.block_end_at = OLD.block_end_at AND NEW.mechanic_id IS OLD.mechanic_id"
    )
    for event, when in (("INSERT", ""), ("UPDATE", f"WHEN NOT ({unchanged})")):
        ctx.sql(f"DROP TRIGGER IF EXISTS appointment_no_overlap_{event.lower()}")
        ctx.sql(
            f"""
            CREATE TRIGGER appointment_no_overlap_{event.lower()} BEFORE {event} ON appointment {when}
            BEGIN
                SELECT RAISE(ABORT, 'an appointment must be shorter than two days')
                WHERE julianday(NEW.block_end_at) - julianday(NEW.start_at) >= 2;
                SELECT RAISE(ABORT, 'appointment overlaps another on the same bay')
                WHERE NEW.status NOT IN {INACTIVE} AND EXISTS ({_overlap("bay_id", bound)});
                SELECT RAISE(ABORT, 'appointment overlaps another of the same mechanic')
                WHERE NEW.status NOT IN {INACTIVE} AND NEW.mechanic_id IS NOT NULL
                    AND EXISTS ({_overlap("mechanic_id", bound)});
            END
            """
        )
