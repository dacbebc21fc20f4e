"""Booking stress: N separate processes race for the same slot, round after round.

    python -m bench.stress_booking [--engine sqlite|postgres] [--processes 50] [--rounds 20] [--capacity 1]

A shop with CAPACITY bays; each round every process (its own interpreter and connection, started
once) waits at a barrier and books its own car into that round's slot. Every round must have
exactly CAPACITY winners and nobody may see anything but success or `Conflict`; afterwards an
audit query must find no two active appointments overlapping on a bay. Exit 1 on any violation.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_availability import bench_database  # noqa: E402
from bench.sched_data import NOW  # noqa: E402


def _setup(url: str, processes: int, capacity: int) -> list[tuple[int, int]]:
    from shop import catalog, clock, customers, vehicles
    from shop.db import close_database, open_database
    from shop.scheduling import calendar

    open_database(url, create=True)
    clock.set_clock(clock.FrozenClock(NOW))
    calendar.set_hours("mon-sat", "08:00-18:00")
    for i in range(capacity):
        calendar.add_bay(f"Bay {i + 1}", "lift")
    catalog.add_category("Maintenance")
    catalog.add_service("Light check", "Maintenance", 15, "15.00")
    cars = []
    for i in range(processes):
        c = customers.add_customer(f"Racer {i}", phone=f"+4915200{i:06d}")
        cars.append((c.id, vehicles.add_vehicle(c.id, "VW", "Golf", 2019, plate=f"B-ST {i + 1}").id))
    close_database()
    return cars


def _worker(url: str, car: tuple[int, int], rounds: int, barrier, results) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    from shop import booking, clock
    from shop.db import open_database
    from shop.errors import Conflict

    clock.set_clock(clock.FrozenClock(NOW))
    open_database(url)
    for r in range(rounds):
        at = datetime(2026, 11, 24, 8, 0) + r * (datetime(2026, 1, 1, 0, 15) - datetime(2026, 1, 1))
        barrier.wait()
        try:
            booking.book(car[0], car[1], ["Light check"], f"{at:%Y-%m-%d %H:%M}")
            results.put((r, "won"))
        except Conflict:
            results.put((r, "conflict"))
        except Exception as exc:  # anything else is a failure of the guarantee
            results.put((r, f"error: {type(exc).__name__}: {exc}"))


def run(engine: str, processes: int, rounds: int, capacity: int) -> dict[str, object]:
    ctx = mp.get_context("spawn")
    with bench_database(engine) as url:
        cars = _setup(url, processes, capacity)
        barrier, results = ctx.Barrier(processes), ctx.Queue()
        workers = [ctx.Process(target=_worker, args=(url, car, rounds, barrier, results)) for car in cars]
        t0 = time.perf_counter()
        for w in workers:
            w.start()
        outcomes = [results.get(timeout=600) for _ in range(processes * rounds)]
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - t0
        from shop.db import close_database, database, open_database

        open_database(url)
        overlaps = database.execute_sql(
            "SELECT COUNT(*) FROM appointment a JOIN appointment b ON a.bay_id = b.bay_id AND a.id < b.id"
            " WHERE a.status NOT IN ('cancelled', 'no_show') AND b.status NOT IN ('cancelled', 'no_show')"
            " AND a.start_at < b.block_end_at AND b.start_at < a.block_end_at"
        ).fetchone()[0]
        close_database()
    winners = Counter(r for r, outcome in outcomes if outcome == "won")
    errors = [outcome for _, outcome in outcomes if outcome.startswith("error")]
    bad_rounds = [r for r in range(rounds) if winners[r] != capacity]
    return {
        "engine": engine,
        "processes": processes,
        "rounds": rounds,
        "capacity": capacity,
        "attempts": len(outcomes),
        "won": sum(winners.values()),
        "bad_rounds": bad_rounds,
        "errors": errors[:5],
        "overlaps": overlaps,
        "seconds": round(elapsed, 1),
        "ok": not bad_rounds and not errors and overlaps == 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--processes", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--capacity", type=int, default=1)
    args = parser.parse_args()
    result = run(args.engine, args.processes, args.rounds, args.capacity)
    print(json.dumps(result))
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
