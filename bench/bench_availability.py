"""60-day availability for a two-service job on a busy shop, next to one raw SQL query of the window.

    python -m bench.bench_availability [--engine sqlite|postgres] [--runs 25]

Data: `bench.sched_data` (6 bays, two years of history, about 2.3k appointments in the next 60
days). Prints the median of the runs (the three calls interleaved) for `available_slots` (and
how many queries it made), for a single raw query fetching the same window's active appointments
(seven columns, as the issue states the baseline), and for the window query availability itself
runs (bay, start and block end as epoch seconds). PostgreSQL needs
GARAGE_BENCH_PG_URL (e.g. postgresql://postgres@127.0.0.1:5432/test); a throw-away schema is used.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playhouse.test_utils import count_queries  # noqa: E402

from bench.sched_data import NOW, generate  # noqa: E402
from shop import booking, settings  # noqa: E402
from shop.db import close_database, database, is_postgres, open_database  # noqa: E402
from shop.scheduling import availability, calendar  # noqa: E402


@contextlib.contextmanager
def bench_database(engine: str) -> Iterator[str]:
    """A fresh database URL for ENGINE, removed afterwards."""
    if engine == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    base = os.environ.get("GARAGE_BENCH_PG_URL")
    if not base:
        sys.exit("set GARAGE_BENCH_PG_URL=postgresql://user@host:port/db for --engine postgres")
    schema = f"bench_sched_{uuid.uuid4().hex[:8]}"
    try:
        yield f"{base}{'&' if '?' in base else '?'}schema={schema}"
    finally:
        close_database()
        open_database(base, upgrade=False)
        database.execute_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        close_database()


def interleaved_medians_ms(fns: list[Callable[[], object]], runs: int) -> list[float]:
    """Median time of each of FNS, called in turn RUNS times: on a shared machine the load then
    falls on all of them alike, so their ratio means something even when the absolute times swing."""
    for fn in fns:
        fn()  # warm caches and the connection
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for fn, spent in zip(fns, times, strict=True):
            t0 = time.perf_counter()
            fn()
            spent.append((time.perf_counter() - t0) * 1000)
    return [statistics.median(spent) for spent in times]


def run(engine: str, runs: int) -> dict[str, object]:
    with bench_database(engine) as url:
        counts = generate(url)
        if is_postgres():
            database.execute_sql("ANALYZE")
        tz = settings.timezone()
        today = NOW.astimezone(tz).date()
        services = ["Oil change", "Brake pads"]
        slots = booking.available_slots(services, today, 60)
        with count_queries() as counter:
            booking.available_slots(services, today, 60)
        start = calendar.local_instant(today, 0, tz)
        end = calendar.local_instant(today + timedelta(days=60), 0, tz)
        p = "%s" if is_postgres() else "?"
        fmt = (lambda d: d.replace(tzinfo=None)) if is_postgres() else (lambda d: d.strftime("%Y-%m-%d %H:%M:%S.%f"))
        sql = (
            f"SELECT id, bay_id, mechanic_id, vehicle_id, start_at, end_at, block_end_at FROM appointment"
            f" WHERE start_at < {p} AND start_at > {p} AND block_end_at > {p}"
            " AND status NOT IN ('cancelled', 'no_show')"
        )
        utc = (end, start - timedelta(days=2), start)
        params = tuple(fmt(d) for d in utc)
        window_rows = len(database.execute_sql(sql, params).fetchall())
        # What availability itself asks for: the three columns the sweep needs, times as epoch seconds.
        needed = availability._window_rows((start, end), None, None, False)
        assert len(needed) == window_rows
        availability_ms, raw_ms, needed_ms = interleaved_medians_ms(
            [
                lambda: booking.available_slots(services, today, 60),
                lambda: database.execute_sql(sql, params).fetchall(),
                lambda: availability._window_rows((start, end), None, None, False),
            ],
            runs,
        )
        result = {
            "engine": engine,
            "past_appointments": counts["past"],
            "future_appointments": counts["future"],
            "window_rows": window_rows,
            "slots_found": len(slots),
            "queries": counter.count,
            "availability_ms": round(availability_ms, 2),
            "raw_query_ms": round(raw_ms, 2),
            "needed_columns_query_ms": round(needed_ms, 2),
            "runs": runs,
        }
        close_database()
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--runs", type=int, default=25)
    args = parser.parse_args()
    result = run(args.engine, args.runs)
    result["ratio"] = round(result["availability_ms"] / max(result["raw_query_ms"], 1e-6), 2)  # type: ignore[operator]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
