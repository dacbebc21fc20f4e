"""Sequential booking commits per second on a busy shop, next to raw inserts on the same engine.

    python -m bench.bench_booking [--engine sqlite|postgres] [--bookings 200] [--runs 3] [--no-subscribers]
                                  [--sqlite-synchronous normal|full]

Data: `bench.sched_data` (6 bays, two years of history, two months ahead). Each booking is the
full service: validation, bay lock, re-check of the requested start, insert of the appointment,
its service line, its timeline entry and the audit line, commit. Two baselines on the same engine
and connection, one transaction each:

- raw insert: one `INSERT` of a three-column row (the issue's baseline);
- raw booking rows: the same four rows a booking writes (appointment, through the no-overlap
  trigger and its indexes; service line; history; audit) as hand-written `INSERT`s, no checks.

The three kinds of transaction take turns (a booking, a raw insert, a raw set of booking rows,
and again), so the load of a shared machine falls on all of them alike. Prints medians of the
runs. By default the notification rules that listen to `AppointmentBooked`
(confirmation e-mail with a calendar invite, written to the outbox in the same transaction) run as
in production; `--no-subscribers` measures the booking alone.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_availability import bench_database  # noqa: E402
from bench.sched_data import NOW, generate  # noqa: E402
from shop import booking, clock, events, settings  # noqa: E402
from shop.db import close_database, database, is_postgres  # noqa: E402
from shop.errors import Conflict  # noqa: E402
from shop.models import Appointment, Vehicle  # noqa: E402
from shop.scheduling import availability  # noqa: E402


def run(
    engine: str, bookings: int, runs: int, subscribers: bool = True, synchronous: str = "normal"
) -> dict[str, object]:
    if not subscribers:  # measure the booking core alone: no notification rules listening
        events._loaded = True
        events._subscribers.clear()
    with bench_database(engine) as url:
        counts = generate(url)
        if not is_postgres() and synchronous != "normal":  # the shop's setting is NORMAL (shop/db.py)
            database.execute_sql(f"PRAGMA synchronous = {synchronous.upper()}")
        if is_postgres():
            database.execute_sql("ANALYZE")
        today = NOW.astimezone(settings.timezone()).date()
        free = availability.find(["Light check"], today, 60)  # 15-minute starts, each with its free bays
        if len(free) < 2 * bookings * runs:
            sys.exit(f"only {len(free)} free starts for {2 * bookings * runs} bookings; use fewer")
        cars = [(v.customer_id, v.id) for v in Vehicle.select(Vehicle.id, Vehicle.customer).order_by(Vehicle.id)]
        pk = "SERIAL PRIMARY KEY" if is_postgres() else "INTEGER PRIMARY KEY AUTOINCREMENT"
        p = "%s" if is_postgres() else "?"
        database.execute_sql(f"CREATE TABLE bench_raw (id {pk}, a INTEGER NOT NULL, b TEXT NOT NULL)")
        book_rates, raw_rates, rows_rates, conflicts = [], [], [], 0
        used = 0
        for _ in range(runs):
            # The three kinds take turns, one transaction each, so load on the shared machine falls
            # on all of them alike; each rate is transactions / the time spent in that kind.
            spent = [0.0, 0.0, 0.0]
            done = 0
            for i in range(bookings):
                slot, other = free[used + 2 * i], free[used + 2 * i + 1]
                customer_id, car_id = cars[(used + 2 * i) % len(cars)]
                t0 = time.perf_counter()
                try:
                    booking.book(customer_id, car_id, ["Light check"], slot.start)
                    done += 1
                except Conflict:  # that car is already booked then
                    conflicts += 1
                t1 = time.perf_counter()
                with database.atomic():
                    database.execute_sql(f"INSERT INTO bench_raw (a, b) VALUES ({p}, {p})", (i, f"row {i}"))
                t2 = time.perf_counter()
                with database.atomic():
                    _raw_booking_rows(cars[(used + 2 * i + 1) % len(cars)], other, p)
                t3 = time.perf_counter()
                spent[0] += t1 - t0
                spent[1] += t2 - t1
                spent[2] += t3 - t2
            used += 2 * bookings
            book_rates.append(done / spent[0])
            raw_rates.append(bookings / spent[1])
            rows_rates.append(bookings / spent[2])
        close_database()
    book, raw, rows = statistics.median(book_rates), statistics.median(raw_rates), statistics.median(rows_rates)
    return {
        "engine": engine,
        "subscribers": subscribers,
        "sqlite_synchronous": synchronous if engine == "sqlite" else None,
        "past_appointments": counts["past"],
        "future_appointments": counts["future"],
        "bookings_per_run": bookings,
        "runs": runs,
        "conflicts": conflicts,
        "bookings_per_s": round(book, 1),
        "raw_inserts_per_s": round(raw, 1),
        "raw_booking_rows_per_s": round(rows, 1),
        "ratio": round(book / raw, 3),
        "ratio_to_raw_booking_rows": round(book / rows, 3),
        "runs_bookings_per_s": [round(r, 1) for r in book_rates],
    }


def _raw_booking_rows(car: tuple[int, int], slot: availability.Candidate, p: str) -> None:
    """The four rows `booking.book` writes for a 15-minute job, as plain INSERTs (no checks)."""
    stamp = Appointment.start_at.db_value
    now = stamp(clock.now())
    start, end = stamp(slot.start), stamp(slot.end)
    values = (car[0], car[1], slot.bays[0], start, end, end, "scheduled", "desk", "", 0, 1500, now, now)
    sql = (
        "INSERT INTO appointment (customer_id, vehicle_id, bay_id, start_at, end_at, block_end_at, status, source,"
        " notes, reschedule_count, total_price, created_at, updated_at) VALUES (" + ", ".join([p] * 13) + ")"
    )
    if is_postgres():
        appointment_id = database.execute_sql(sql + " RETURNING id", values).fetchone()[0]
    else:
        appointment_id = database.execute_sql(sql, values).lastrowid
    database.execute_sql(
        "INSERT INTO appointment_service (appointment_id, service_id, position, name, duration_minutes, price)"
        f" VALUES ({p}, {p}, {p}, {p}, {p}, {p})",
        (appointment_id, 5, 0, "Light check", 15, 1500),
    )
    database.execute_sql(
        "INSERT INTO appointment_history (appointment_id, at, actor, kind, from_status, to_status, note)"
        f" VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p})",
        (appointment_id, now, "system:system", "booked", None, "scheduled", "booked via desk"),
    )
    database.execute_sql(
        f"INSERT INTO audit_log (at, actor, action, entity, entity_id, details) VALUES ({p}, {p}, {p}, {p}, {p}, {p})",
        (now, "system:system", "booking.book", "appointment", appointment_id, '{"bay_id": 1}'),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--bookings", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--no-subscribers", action="store_true", help="without the notification rules (confirmation e-mail + invite)"
    )
    parser.add_argument(
        "--sqlite-synchronous",
        choices=["normal", "full"],
        default="normal",
        help="SQLite's durability setting for this run: FULL waits for the disk at every commit, like PostgreSQL",
    )
    args = parser.parse_args()
    print(json.dumps(run(args.engine, args.bookings, args.runs, not args.no_subscribers, args.sqlite_synchronous)))


if __name__ == "__main__":
    main()
