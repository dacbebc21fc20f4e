"""A busy shop for the scheduling benchmarks: 6 bays, two years of history, two months booked ahead.

    python -m bench.sched_data --db sqlite:////tmp/sched.db [--years 2] [--future-days 60]

Past open days are packed (jobs of 15-90 minutes, mostly short, back to back: about 45k over
two years, about 38k with this seed); the next 60 days are about 70% full (about 2.3k). Rows are written with
multi-row inserts (the no-overlap trigger still checks each one). Same seed, same data.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shop import catalog, clock, settings  # noqa: E402
from shop.db import open_database, transaction  # noqa: E402
from shop.models import Appointment, AppointmentService, Customer, Vehicle  # noqa: E402
from shop.scheduling import calendar  # noqa: E402

SEED = 20261202
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # the clock the benchmarks freeze (Monday 08:00 Berlin)
BAYS = 6
SERVICES = [
    (1, "Oil change", 45, "89.00"),
    (2, "Brake pads", 90, "189.00"),
    (3, "Tyre change", 30, "39.00"),
    (4, "Wiper blades", 15, "25.00"),
    (5, "Light check", 15, "15.00"),
]


@transaction
def _setup(customers: int) -> list[tuple[int, int]]:
    calendar.set_hours("mon-fri", "08:00-12:00,13:00-17:30")
    calendar.set_hours("sat", "09:00-13:00")
    for i in range(BAYS):
        calendar.add_bay(f"Bay {i + 1}", "lift,alignment" if i == BAYS - 1 else "lift")
    catalog.add_category("Maintenance")
    for _, name, minutes, price in SERVICES:
        catalog.add_service(name, "Maintenance", minutes, price)
    now = clock.now()
    rows = [
        {"name": f"Customer {i}", "phone": f"+4915100{i:06d}", "email": f"c{i}@bench.example", "address": "",
         "notes": "", "search_text": f"customer {i}", "archived": False, "version": 1, "created_at": now,
         "updated_at": now}
        for i in range(customers)
    ]  # fmt: skip
    for start in range(0, len(rows), 500):
        Customer.insert_many(rows[start : start + 500]).execute()
    ids = [c.id for c in Customer.select(Customer.id).order_by(Customer.id)]
    cars = [
        {"customer": cid, "make": "VW", "model": "Golf", "plate": f"B-BN {cid}", "colour": "", "archived": False,
         "version": 1, "created_at": now, "updated_at": now}
        for cid in ids
    ]  # fmt: skip
    for start in range(0, len(cars), 500):
        Vehicle.insert_many(cars[start : start + 500]).execute()
    return [(v.customer_id, v.id) for v in Vehicle.select(Vehicle.id, Vehicle.customer)]


@transaction
def _insert(batch: list[dict], lines: list[dict]) -> None:  # type: ignore[type-arg]
    first = Appointment.insert_many(batch).returning(Appointment.id).execute()
    ids = [r.id if hasattr(r, "id") else r[0] for r in first]
    AppointmentService.insert_many([{**line, "appointment": ids[i]} for i, line in enumerate(lines)]).execute()


def generate(url: str, years: int = 2, future_days: int = 60, customers: int = 2000) -> dict[str, int]:
    open_database(url, create=True)
    clock.set_clock(clock.FrozenClock(NOW))
    rnd = random.Random(SEED)
    cars = _setup(customers)
    tz = settings.timezone()
    week = {
        d.weekday: [tuple(calendar.parse_hhmm(x) for x in i.split("-")) for i in d.intervals]
        for d in calendar.get_hours()
    }
    today = NOW.astimezone(tz).date()
    windows = calendar.weekly_windows(
        today - timedelta(days=365 * years), today + timedelta(days=future_days), week, tz
    )  # type: ignore[arg-type]
    services = [
        (1, "Oil change", 45, Decimal("89.00")),
        (2, "Brake pads", 90, Decimal("189.00")),
        (3, "Tyres", 30, Decimal("39.00")),
    ]
    batch: list[dict] = []  # type: ignore[type-arg]
    lines: list[dict] = []  # type: ignore[type-arg]
    counts = {"past": 0, "future": 0}
    for day, open_at, close_at in windows:
        future = day >= today
        for bay in range(1, BAYS + 1):
            cursor = open_at
            while True:
                fitting = [s for s in services if cursor + timedelta(minutes=s[2]) <= close_at]
                if not fitting:
                    break
                sid, name, minutes, price = rnd.choice(fitting + [f for f in fitting if f[2] <= 30])
                end = cursor + timedelta(minutes=minutes)
                if not future or rnd.random() < 0.72:
                    customer_id, car_id = rnd.choice(cars)
                    status = "scheduled" if future else rnd.choice(["completed"] * 12 + ["no_show", "cancelled"])
                    batch.append({
                        "customer": customer_id, "vehicle": car_id, "bay": bay, "start_at": cursor, "end_at": end,
                        "block_end_at": end, "status": status, "source": "desk", "notes": "", "reschedule_count": 0,
                        "total_price": price, "created_at": NOW, "updated_at": NOW,
                    })  # fmt: skip
                    lines.append(
                        {"service": sid, "position": 0, "name": name, "duration_minutes": minutes, "price": price}
                    )
                    counts["future" if future else "past"] += 1
                cursor = end
            if len(batch) >= 400:
                _insert(batch, lines)
                batch, lines = [], []
    if batch:
        _insert(batch, lines)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--future-days", type=int, default=60)
    args = parser.parse_args()
    t0 = time.perf_counter()
    counts = generate(args.db, args.years, args.future_days)
    print(f"{counts['past']} past and {counts['future']} future appointments in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
