"""TUI timings on a busy shop: cold start to first paint, Today refresh, week switch, search per keystroke.

    python -m bench.bench_tui [--customers 100000] [--years 3] [--runs 5] [--db sqlite:////tmp/bench-tui.db]

Data: `bench.sched_data` (6 bays, YEARS of packed history, 60 days booked ahead: about 59k
appointments with the default three years, above the issue's 50k) with COUNT customers, built once and
reused when the file exists. The clock is frozen at `sched_data.NOW` (a Monday, 08:00 in Berlin), so the
Today board shows a full day.

- cold start: a new `python -m bench.bench_tui --child URL` process runs the app headless (Textual's
  test driver, 120x40) logged in as a front-desk user and reports when the Today board has been painted
  with the day's appointments; measured from spawning the process (interpreter start, imports, opening
  the database, first screen). The password check (argon2, ~0.1 s by design) is not included.
- Today refresh: one reload of the board, from the call until the table has been rebuilt with the
  result (query in a worker thread, result handed back to the UI thread), in process.
- calendar week switch: in the week overview, ] / [ alternately; from the key press until the grid
  has been rebuilt (six day boards read in one worker).
- search per keystroke: typing into the Customers search box one character at a time; each keystroke
  is timed from the key press until the list has been refilled with the new result (the callback that
  fills the table has returned). Textual then paints on its next frame.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
T0 = time.perf_counter()
MARK = "FIRST_PAINT_MS"


def _ensure_data(url: str, customers: int, years: int) -> None:
    path = Path(url.removeprefix("sqlite:///"))
    if path.exists():
        return
    from bench import sched_data

    started = time.perf_counter()
    counts = sched_data.generate(url, years=years, customers=customers)
    took = time.perf_counter() - started
    print(f"built {url}: {counts} appointments, {customers} customers, {years} years in {took:.0f} s")


def _desk_user():  # type: ignore[no-untyped-def]
    from shop import staff
    from shop.errors import NotFound

    try:
        return staff.get_staff("benchdesk")
    except NotFound:
        return staff.add_staff("benchdesk", "Bench Desk", "front_desk", "bench-desk-password")


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    from textual.worker import WorkerCancelled, WorkerFailed, WorkerState

    while True:
        for worker in list(pilot.app.workers):
            try:
                await worker.wait()
            except (WorkerCancelled, WorkerFailed):
                pass
        await pilot.pause()
        if not any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in pilot.app.workers):
            return


def child(url: str) -> None:
    """Runs in a fresh process: open, paint the Today board, print the time since the interpreter started."""
    from shop.db import open_database

    open_database(url)
    from textual.widgets import DataTable

    from garage_tui.app import GarageApp

    user = _desk_user()

    async def run() -> None:
        app = GarageApp(user=user)
        async with app.run_test(size=(120, 40)) as pilot:
            await _settle(pilot)
            rows = app.screen.query_one("#today-table", DataTable).row_count
            print(f"{MARK} {(time.perf_counter() - T0) * 1000:.0f} rows={rows}", flush=True)

    asyncio.run(run())


def cold_start(url: str, runs: int) -> tuple[list[float], int]:
    env = {**os.environ, "GARAGE_NOW": "2026-11-23T07:00:00+00:00"}
    samples, rows = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.bench_tui", "--child", url],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith(MARK):
                samples.append((time.perf_counter() - started) * 1000)
                rows = int(line.split("rows=")[1])
                break
        proc.wait()
    return samples, rows


def _stamp(obj: object, method: str) -> list[float]:
    """Wrap OBJ.METHOD (the callback that puts a result on screen) to record when it finished."""
    stamps: list[float] = []
    original = getattr(obj, method)

    def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
        result = original(*args, **kwargs)
        stamps.append(time.perf_counter())
        return result

    setattr(obj, method, wrapped)
    return stamps


async def in_process(url: str, runs: int) -> dict[str, float]:
    from shop import clock
    from shop.db import open_database

    open_database(url)
    clock.set_clock(clock.FrozenClock(__import__("bench.sched_data", fromlist=["NOW"]).NOW))
    from textual.widgets import DataTable

    from garage_tui.app import GarageApp

    user = _desk_user()
    app = GarageApp(user=user)
    out: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        pane = app.screen.query_one("#pane-today")
        shown = _stamp(pane, "show")
        samples = []
        for _ in range(runs * 4):
            started = time.perf_counter()
            pane.action_reload()
            await _settle(pilot)
            samples.append((shown[-1] - started) * 1000)
        out["today_refresh_ms"] = statistics.median(samples)
        out["today_rows"] = app.screen.query_one("#today-table", DataTable).row_count
        await pilot.press("f3")
        await _settle(pilot)
        calendar = app.screen.query_one("#pane-calendar")
        await pilot.press("w")
        await _settle(pilot)
        weeks = _stamp(calendar, "show_week")
        switches = []
        for i in range(runs * 4):
            started = time.perf_counter()
            await pilot.press("right_square_bracket" if i % 2 == 0 else "left_square_bracket")
            await _settle(pilot)
            switches.append((weeks[-1] - started) * 1000)
        out["week_switch_ms"] = statistics.median(switches)
        await pilot.press("f4")
        await _settle(pilot)
        found = _stamp(app.screen.query_one("#pane-customers"), "show_found")
        keystrokes = []
        for term in ["customer 4711", "customer 99", "c12345@bench", "+4915100042"][:runs]:
            search = app.screen.query_one("#customer-search")
            search.value = ""
            await _settle(pilot)
            for ch in term:
                started = time.perf_counter()
                await pilot.press(ch if ch != " " else "space")
                await _settle(pilot)
                keystrokes.append((found[-1] - started) * 1000)
        out["search_keystroke_median_ms"] = statistics.median(keystrokes)
        out["search_keystroke_p90_ms"] = statistics.quantiles(keystrokes, n=10)[-1]
        out["keystrokes"] = len(keystrokes)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_tui", description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=3, help="years of history (3: about 59k appointments)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", default=None)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    url = args.db or f"sqlite:///{ROOT / 'bench' / 'data' / f'tui-{args.customers}-{args.years}y.db'}"
    Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    _ensure_data(url, args.customers, args.years)
    cold, rows = cold_start(url, args.runs)
    print(
        f"cold start to first paint (Today board, {rows} rows): median {statistics.median(cold):.0f} ms "
        f"over {args.runs} runs ({', '.join(f'{s:.0f}' for s in cold)})"
    )
    figures = asyncio.run(in_process(url, args.runs))
    print(f"Today board refresh ({figures['today_rows']:.0f} rows): median {figures['today_refresh_ms']:.1f} ms")
    print(f"calendar week switch (6 days x 6 bays): median {figures['week_switch_ms']:.1f} ms")
    print(
        f"customer search per keystroke ({figures['keystrokes']:.0f} keystrokes): "
        f"median {figures['search_keystroke_median_ms']:.1f} ms, p90 {figures['search_keystroke_p90_ms']:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
