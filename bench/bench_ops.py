"""Backup, restore and `db move` of a shop with N generated customers (default 100,000).

    python -m bench.bench_ops [--customers 100000] [--runs 3] [--pg-url postgresql://...]

Builds the shop once with bench.generate (cached in bench/data/), then times, per run: a SQLite
backup, a restore into a new file and over a shop that holds data (--force), a move to a new
PostgreSQL schema, a backup (portable export) of that PostgreSQL database, a restore into it
(--force), and a move from PostgreSQL back to a new SQLite file. Prints the medians. Every
operation verifies itself (integrity check, per-table counts and checksums), so the times include it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from bench import generate

DATA = Path(__file__).resolve().parent / "data"


def _base(customers: int) -> Path:
    path = DATA / f"ops-{customers}.db"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.db")
        tmp.unlink(missing_ok=True)
        generate.build_database(f"sqlite:///{tmp}", customers)
        from shop.db import close_database

        close_database()
        tmp.rename(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_ops", description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--pg-url", default=os.environ.get("GARAGE_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
    )
    args = parser.parse_args(argv)

    from shop.db import close_database, make_database, open_database, parse_url
    from shop.ops import backup, move, schema

    base = _base(args.customers)
    open_database(f"sqlite:///{base}")
    counts = schema.row_counts(__import__("shop.db", fromlist=["database"]).database.obj)
    close_database()
    rows = sum(counts.values())
    print(f"shop: {counts.get('customer', 0)} customers, {counts.get('vehicle', 0)} cars, {rows} rows in all")
    print(f"file: {base.stat().st_size / 1e6:.0f} MB")

    times: dict[str, list[float]] = {}
    work = Path(tempfile.mkdtemp(prefix="bench-ops-"))
    try:
        for run in range(args.runs):
            live = work / "live.db"
            shutil.copy(base, live)
            live_url = f"sqlite:///{live}"
            schema_name = f"bench_ops_{uuid.uuid4().hex[:8]}"
            pg = f"{args.pg_url}{'&' if '?' in args.pg_url else '?'}schema={schema_name}"
            steps: dict[str, float] = {}

            def step(name: str, fn: Callable[..., object], *a: object, _steps=steps, **kw: object) -> object:
                started = time.perf_counter()
                result = fn(*a, **kw)
                _steps[name] = time.perf_counter() - started
                return result

            open_database(live_url)
            made = step("backup (SQLite)", backup.backup, work / "b", url=live_url).path  # type: ignore[attr-defined]
            step("db move SQLite → PostgreSQL", move.move, pg, source_url=live_url)
            close_database()
            fresh = work / f"fresh{run}.db"
            step("restore into a new SQLite file", backup.restore, made, url=f"sqlite:///{fresh}")
            step("restore over a SQLite shop (--force)", backup.restore, made, url=live_url, force=True)
            open_database(pg)
            pg_made = step("backup (PostgreSQL, portable export)", backup.backup, work / "pgb", url=pg).path  # type: ignore[attr-defined]
            back = work / f"back{run}.db"
            step("db move PostgreSQL → SQLite", move.move, f"sqlite:///{back}", source_url=pg)
            close_database()
            step("restore over a PostgreSQL shop (--force)", backup.restore, pg_made, url=pg, force=True)

            admin = make_database(parse_url(args.pg_url))
            admin.connect()
            admin.execute_sql(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')
            admin.close()
            for path in (fresh, back):
                path.unlink(missing_ok=True)
            for name, seconds in steps.items():
                times.setdefault(name, []).append(seconds)
            print(f"run {run + 1}: " + ", ".join(f"{k} {v:.1f}s" for k, v in steps.items()), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"\n| operation ({rows:,} rows) | median | runs |")
    print("|---|---|---|")
    for name, values in times.items():
        print(f"| {name} | {statistics.median(values):.1f} s | {', '.join(f'{v:.1f}' for v in values)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
