"""Version counters for everything free slots are computed from, bumped by triggers.

`shop.schedule_cache` keeps computed free slots (and the settings and services the portal reads
on every request) in memory and reuses them while these counters have not moved. The counters
are bumped by triggers in the same transaction as the change, whoever makes it (portal, TUI,
CLI, another process, a hand-written SQL fix), so a cached answer is never reused after a
committed change to its inputs.

- scope ``config``: any change to settings, opening hours, closures, bays, services and their categories, mechanic
  hours or time off (rare; one shared row).
- scope ``YYYY-MM-DD`` (UTC date of an appointment's start): an appointment added, deleted,
  cancelled or reactivated, or moved in time, bay, mechanic or car on that day. Status steps of
  an active appointment (checked in, in progress ...) change no availability and bump nothing.
  One row per day keeps bookings on different days from waiting on each other's counter row.

A missing row reads as version 0 (a new database holds none, so it still counts as empty for
`garage db move`). Also an index on the appointment's car, for the "is this car booked elsewhere" check.
"""

from __future__ import annotations

INACTIVE = "('cancelled', 'no_show')"
CONFIG_TABLES = (
    "setting",
    "opening_hours",
    "closure",
    "bay",
    "service",
    "service_category",
    "mechanic_hours",
    "time_off",
)
# An update that changes any of these can change free slots.
RELEVANT = (
    "NEW.start_at IS DISTINCT FROM OLD.start_at OR NEW.block_end_at IS DISTINCT FROM OLD.block_end_at"
    " OR NEW.end_at IS DISTINCT FROM OLD.end_at OR NEW.bay_id IS DISTINCT FROM OLD.bay_id"
    " OR NEW.mechanic_id IS DISTINCT FROM OLD.mechanic_id OR NEW.vehicle_id IS DISTINCT FROM OLD.vehicle_id"
    f" OR (NEW.status IN {INACTIVE}) <> (OLD.status IN {INACTIVE})"
)


def upgrade(ctx) -> None:  # type: ignore[no-untyped-def]
    ctx.script(
        """
        CREATE TABLE schedule_version (
            scope TEXT PRIMARY KEY,
            version INTEGER NOT NULL
        );
        CREATE INDEX appointment_vehicle ON appointment (vehicle_id, start_at)
        """
    )
    if ctx.postgres:
        _postgres(ctx)
    else:
        _sqlite(ctx)


def _bump_sql(scope: str) -> str:
    return (
        f"INSERT INTO schedule_version (scope, version) VALUES ({scope}, 1)"
        " ON CONFLICT (scope) DO UPDATE SET version = schedule_version.version + 1"
    )


def _postgres(ctx) -> None:  # type: ignore[no-untyped-def]
    ctx.sql(
        f"""
        CREATE FUNCTION schedule_version_config() RETURNS trigger AS $$
        BEGIN
            {_bump_sql("'config'")};
            RETURN NULL;
        END
        $$ LANGUAGE plpgsql
        """
    )
    for table in CONFIG_TABLES:
        ctx.sql(
            f"CREATE TRIGGER {table}_schedule_version AFTER INSERT OR UPDATE OR DELETE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION schedule_version_config()"
        )
    # Two days are bumped in date order, so two moves in opposite directions cannot deadlock.
    ctx.sql(
        f"""
        CREATE FUNCTION schedule_version_appointment() RETURNS trigger AS $$
        DECLARE
            old_day TEXT := NULL;
            new_day TEXT := NULL;
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                old_day := to_char(OLD.start_at, 'YYYY-MM-DD');
            END IF;
            IF TG_OP <> 'DELETE' THEN
                new_day := to_char(NEW.start_at, 'YYYY-MM-DD');
            END IF;
            IF old_day IS NOT NULL AND (new_day IS NULL OR old_day < new_day) THEN
                {_bump_sql("old_day")};
                IF new_day IS NOT NULL THEN
                    {_bump_sql("new_day")};
                END IF;
            ELSIF new_day IS NOT NULL THEN
                {_bump_sql("new_day")};
                IF old_day IS NOT NULL AND old_day <> new_day THEN
                    {_bump_sql("old_day")};
                END IF;
            END IF;
            RETURN NULL;
        END
        $$ LANGUAGE plpgsql
        """
    )
    ctx.sql(
        "CREATE TRIGGER appointment_schedule_version_insert AFTER INSERT OR DELETE ON appointment"
        " FOR EACH ROW EXECUTE FUNCTION schedule_version_appointment()"
    )
    ctx.sql(
        f"CREATE TRIGGER appointment_schedule_version_update AFTER UPDATE ON appointment"
        f" FOR EACH ROW WHEN ({RELEVANT}) EXECUTE FUNCTION schedule_version_appointment()"
    )


def _sqlite(ctx) -> None:  # type: ignore[no-untyped-def]
    for table in CONFIG_TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            ctx.sql(
                f"CREATE TRIGGER {table}_schedule_version_{event.lower()} AFTER {event} ON {table}"
                f" BEGIN {_bump_sql(chr(39) + 'config' + chr(39))}; END"
            )
    # SQLite stores UTC text 'YYYY-MM-DD HH:MM:SS.ffffff': its first ten characters are the UTC date.
    ctx.sql(
        "CREATE TRIGGER appointment_schedule_version_insert AFTER INSERT ON appointment"
        f" BEGIN {_bump_sql('substr(NEW.start_at, 1, 10)')}; END"
    )
    ctx.sql(
        "CREATE TRIGGER appointment_schedule_version_delete AFTER DELETE ON appointment"
        f" BEGIN {_bump_sql('substr(OLD.start_at, 1, 10)')}; END"
    )
    relevant = RELEVANT.replace("IS DISTINCT FROM", "IS NOT")
    ctx.sql(
        f"CREATE TRIGGER appointment_schedule_version_update AFTER UPDATE ON appointment WHEN {relevant}"
        f" BEGIN {_bump_sql('substr(OLD.start_at, 1, 10)')};"
        f" {_bump_sql('substr(NEW.start_at, 1, 10)')}; END"
    )
