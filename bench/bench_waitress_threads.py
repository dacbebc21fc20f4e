"""What a request's database round trips cost under waitress's worker threads, apart from the portal.

    python -m bench.bench_waitress_threads [--seconds 5] [--runs 3] [--threads 8] [--burn 150]

The portal's slots page is measured against a bare hello-world route (`bench.bench_portal`); this
script explains the gap. It serves one Bottle route under waitress (the same settings as the
portal: 8 threads, the queue-depth warning silenced) in several variants and loads each with wrk
(16 keep-alive connections; without wrk, bench_portal's threaded Python client):

- hello world;
- N trivial SQLite queries (`SELECT 1` on a per-thread connection, file database) and nothing else;
- BURN µs of pure Python (no I/O, the GIL held throughout), about what the portal's slots handler
  costs in-process;
- both: BURN µs of Python plus N queries.

For each it prints requests/s, the share of hello world and the server's CPU time per request
(/proc). The interesting line is the last kind: SQLite's module releases the GIL around every
statement step, and with 8 busy workers each release hands the interpreter to another thread in
the middle of the request, which costs far more than the query itself.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.bench_portal import cpu_seconds, free_port, run_python, run_wrk, wait_for

APP = """
import logging, sqlite3, sys, threading, time
import bottle, waitress
logging.getLogger("waitress.queue").setLevel(logging.ERROR)
path, burn = sys.argv[1], float(sys.argv[5])
port, threads, queries = (int(x) for x in sys.argv[2:5])
local = threading.local()
app = bottle.Bottle()

@app.get("/hello")
def hello():
    if queries:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = sqlite3.connect(path, check_same_thread=False)
        for _ in range(queries):
            conn.execute("SELECT 1").fetchall()
    if burn:
        until = time.thread_time() + burn / 1e6
        while time.thread_time() < until:
            pass
    return "Hello world"

waitress.serve(app, host="127.0.0.1", port=port, threads=threads, _quiet=True)
"""


def measure(db: Path, threads: int, queries: int, burn: float, seconds: int) -> tuple[float, float | None]:
    """Requests/s and server CPU µs per request of one variant."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", APP, str(db), str(port), str(threads), str(queries), str(burn)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port, "/hello")
        before = cpu_seconds(server.pid)
        load = run_wrk if shutil.which("wrk") else run_python
        rps, _p99 = load(f"http://127.0.0.1:{port}/hello", seconds, 16, None)
        after = cpu_seconds(server.pid)
    finally:
        server.terminate()
        server.wait()
    cpu = (after - before) / (rps * seconds) * 1e6 if before is not None and after is not None else None
    return rps, cpu


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--burn", type=float, default=150.0, help="µs of pure Python per request")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is not installed: a threaded Python client loads the server instead (it shares the CPU)")
    db = Path(tempfile.mkdtemp(prefix="garage-bench-threads-")) / "x.db"
    variants = [("hello world", 0, 0.0), ("1 query", 1, 0.0), ("3 queries", 3, 0.0),
                (f"{args.burn:.0f} µs Python", 0, args.burn), (f"{args.burn:.0f} µs Python + 1 query", 1, args.burn),
                (f"{args.burn:.0f} µs Python + 3 queries", 3, args.burn)]  # fmt: skip
    results: dict[str, list[tuple[float, float | None]]] = {name: [] for name, _, _ in variants}
    for run in range(args.runs):
        for name, queries, burn in variants:  # variants take turns, so the machine's load falls on all alike
            rps, cpu = measure(db, args.threads, queries, burn, args.seconds)
            results[name].append((rps, cpu))
            print(f"run {run + 1}: {name:<28} {rps:8.0f} req/s  {cpu or 0:6.0f} µs CPU/request", flush=True)
    hello = statistics.median(r for r, _ in results["hello world"])
    setup = f"wrk, 16 connections, {args.seconds} s each, waitress {args.threads} threads"
    print(f"\nmedians over {args.runs} runs ({setup}):")
    print("| variant | requests/s | vs hello world | server CPU µs/request |")
    print("|---|---|---|---|")
    for name, _, _ in variants:
        rps = statistics.median(r for r, _ in results[name])
        cpus = [c for _, c in results[name] if c is not None]
        cpu = f"{statistics.median(cpus):.0f}" if cpus else "n/a"
        print(f"| {name} | {rps:.0f} | {rps / hello:.0%} | {cpu} |")


if __name__ == "__main__":
    main()
