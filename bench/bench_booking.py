"""Sequential booking commits per second on a busy shop, next to raw single-row inserts.

    python -m bench.bench_booking [--engine sqlite|postgres] [--bookings 200] [--runs 3]

Data: `bench.sched_data` (6 bays, two years of history, two months ahead). Each booking is the
full service: validation, bay lock, availability re-check of the day, insert + lines + timeline
+ audit, commit. The raw figure is one `INSERT` of a three-column row per transaction on the
same engine and connection. Prints medians of the runs. By default the notification rules that
listen to `AppointmentBooked` (confirmation e-mail with a calendar invite, written to the outbox
in the same transaction) run as in production; `--no-subscribers` measures the booking alone.
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
from shop import booking, events, settings  # noqa: E402
from shop.db import close_database, database, is_postgres  # noqa: E402
from shop.errors import Conflict  # noqa: E402
from shop.models import Vehicle  # noqa: E402


def run(engine: str, bookings: int, runs: int, subscribers: bool = True) -> dict[str, object]:
    if not subscribers:  # measure the booking core alone: no notification rules listening
        events._loaded = True
        events._subscribers.clear()
    with bench_database(engine) as url:
        counts = generate(url)
        if is_postgres():
            database.execute_sql("ANALYZE")
        today = NOW.astimezone(settings.timezone()).date()
        slots = booking.available_slots(["Light check"], today, 60)
        cars = [(v.customer_id, v.id) for v in Vehicle.select(Vehicle.id, Vehicle.customer).order_by(Vehicle.id)]
        pk = "SERIAL PRIMARY KEY" if is_postgres() else "INTEGER PRIMARY KEY AUTOINCREMENT"
        p = "%s" if is_postgres() else "?"
        database.execute_sql(f"CREATE TABLE bench_raw (id {pk}, a INTEGER NOT NULL, b TEXT NOT NULL)")
        book_rates, raw_rates, conflicts = [], [], 0
        used = 0
        for _ in range(runs):
            todo = slots[used : used + bookings]
            used += bookings
            t0 = time.perf_counter()
            done = 0
            for i, slot in enumerate(todo):
                customer_id, car_id = cars[(used + i) % len(cars)]
                try:
                    booking.book(customer_id, car_id, ["Light check"], slot.start)
                    done += 1
                except Conflict:  # that car is already booked then
                    conflicts += 1
            book_rates.append(done / (time.perf_counter() - t0))
            t0 = time.perf_counter()
            for i in range(bookings):
                with database.atomic():
                    database.execute_sql(f"INSERT INTO bench_raw (a, b) VALUES ({p}, {p})", (i, f"row {i}"))
            raw_rates.append(bookings / (time.perf_counter() - t0))
        close_database()
    book, raw = statistics.median(book_rates), statistics.median(raw_rates)
    return {
        "engine": engine,
        "subscribers": subscribers,
        "past_appointments": counts["past"],
        "future_appointments": counts["future"],
        "bookings_per_run": bookings,
        "runs": runs,
        "conflicts": conflicts,
        "bookings_per_s": round(book, 1),
        "raw_inserts_per_s": round(raw, 1),
        "ratio": round(book / raw, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--bookings", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--no-subscribers", action="store_true", help="without the notification rules (confirmation e-mail + invite)"
    )
    args = parser.parse_args()
    print(json.dumps(run(args.engine, args.bookings, args.runs, not args.no_subscribers)))


if __name__ == "__main__":
    main()
