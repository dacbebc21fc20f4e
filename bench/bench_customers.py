"""Customer benchmarks: CSV import of N customers with cars, and `customer list --search` on them.

    python -m bench.bench_customers                      # 100k customers, SQLite
    python -m bench.bench_customers --customers 20000 --pg postgresql://postgres@127.0.0.1:5432/test

Targets (issue #2): import of 100k customers with cars < 10 s on SQLite; search < 50 ms median.
Prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.generate import SEED, cached_csv

ROOT = Path(__file__).resolve().parent.parent


def _import_once(url: str, csv_path: Path) -> tuple[float, float, int, int]:
    from shop import csvio, customer_csv
    from shop.db import close_database, open_database

    open_database(url, create=True)
    started, cpu = time.perf_counter(), time.process_time()
    text = csvio.decode(csv_path.read_bytes())
    result = customer_csv.import_customers(text)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    close_database()
    return elapsed, cpu, result.customers_added, result.cars_added


def _search_terms(csv_path: Path) -> dict[str, str]:
    """Terms a receptionist would type, taken from the generated data so they exist."""
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    import csv

    rows = list(csv.DictReader(lines[:20001]))
    n = len(rows)
    surname = rows[n // 4]["name"].split()[-1]
    phone = next(r["phone"] for r in rows[n // 3 :] if r["phone"]).replace(" ", "")[2:9]
    plate = next(r["plate"] for r in rows[n // 2 :] if r["plate"])
    vin = next(r["vin"] for r in rows[n * 2 // 3 :] if r["vin"])[-8:]
    email = next(r["email"] for r in rows[n * 3 // 4 :] if r["email"]).split("@")[0]
    return {
        "surname": surname,
        "phone digits": phone,
        "plate": plate.lower(),
        "VIN end": vin,
        "e-mail": email,
        "one letter (many hits)": "e",
    }


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _search(url: str, terms: dict[str, str], runs: int) -> dict[str, tuple[float, float, int]]:
    """Per term: (service median ms, in-process CLI median ms, hits)."""
    import cli
    from shop import customers
    from shop.db import close_database, open_database

    out = {}
    for label, term in terms.items():
        open_database(url)
        service = []
        hits = len(customers.list_customers(search=term))  # warm the page cache, as a running shop has it
        for _ in range(runs):
            started = time.perf_counter()
            hits = len(customers.list_customers(search=term))
            service.append(time.perf_counter() - started)
        close_database()
        command = []
        for _ in range(runs):
            buffer = io.StringIO()
            started = time.perf_counter()
            with contextlib.redirect_stdout(buffer):
                code = cli.run(cli.app, ["--db", url, "customer", "list", "--search", term, "--json"])
            command.append(time.perf_counter() - started)
            assert code == 0
        out[label] = (_median_ms(service), _median_ms(command), hits)
    return out


def _cli_process_import(url: str, csv_path: Path) -> float:
    env = {**os.environ, "GARAGE_DATABASE_URL": url}
    subprocess.run([sys.executable, str(ROOT / "cli.py"), "init"], check=True, env=env, capture_output=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "customer", "import", str(csv_path)],
        check=True,
        env=env,
        capture_output=True,
    )
    return time.perf_counter() - started


def _pg_url(base: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    return f"{base}{'&' if '?' in base else '?'}schema={schema}", schema


def _drop_pg(base: str, schema: str) -> None:
    from shop.db import close_database, database, open_database

    open_database(base, upgrade=False)
    database.execute_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    close_database()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_customers")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="import runs (each into a fresh database)")
    parser.add_argument("--search-runs", type=int, default=15)
    parser.add_argument("--pg", help="also run against this PostgreSQL URL (a scratch schema is used and dropped)")
    parser.add_argument("--process", action="store_true", help="also time one import through a `garage` process")
    args = parser.parse_args(argv)

    csv_path = cached_csv(args.customers, SEED)
    rows = csv_path.read_text(encoding="utf-8").count("\n") - 1
    print(f"data: {args.customers} customers, {rows} CSV rows ({csv_path.stat().st_size / 1e6:.1f} MB), seed {SEED}")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()}")

    engines = [("SQLite", None)] + ([("PostgreSQL", args.pg)] if args.pg else [])
    for engine, base in engines:
        with tempfile.TemporaryDirectory() as tmp:
            times, cpus = [], []
            cars = customers_added = 0
            url = ""
            for i in range(args.runs):
                schema = None
                if base:
                    url, schema = _pg_url(base)
                else:
                    url = f"sqlite:///{Path(tmp) / f'run{i}.db'}"
                elapsed, cpu, customers_added, cars = _import_once(url, csv_path)
                times.append(elapsed)
                cpus.append(cpu)
                print(f"  {engine} import run {i + 1}: {elapsed:.2f} s (cpu {cpu:.2f} s)", file=sys.stderr)
                if schema and i < args.runs - 1:
                    _drop_pg(base, schema)
            print(f"\n### {engine}\n")
            print(f"Import of {customers_added} customers with {cars} cars ({rows} rows):")
            each = ", ".join(f"{t:.2f}" for t in times)
            print(f"median {statistics.median(times):.2f} s over {args.runs} runs ({each})")
            print(f"median CPU time of the importing process: {statistics.median(cpus):.2f} s")
            if args.process and not base:
                proc_url = f"sqlite:///{Path(tmp) / 'process.db'}"
                print(f"through a `garage customer import` process: {_cli_process_import(proc_url, csv_path):.2f} s")
            results = _search(url, _search_terms(csv_path), args.search_runs)
            print(f"\n`customer list --search` on {customers_added} customers ({args.search_runs} runs per term):\n")
            print("| term | hits | service median | CLI in-process median |")
            print("|---|---:|---:|---:|")
            for label, (service_ms, cli_ms, hits) in results.items():
                print(f"| {label} | {hits} | {service_ms:.1f} ms | {cli_ms:.1f} ms |")
            overall = statistics.median(v[0] for v in results.values())
            print(f"\nmedian over terms (service): {overall:.1f} ms")
            if base:
                _drop_pg(base, url.rsplit("schema=", 1)[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
