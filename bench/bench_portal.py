"""Portal throughput under waitress: hello world, landing page, free times, the booking calendar, booking.

    python -m bench.bench_portal [--seconds 10] [--connections 16] [--runs 3] [--threads 8]

Builds a fresh SQLite shop (Mon-Fri hours, 4 bays, 12 services, 300 customers with cars and a few hundred
future appointments, count printed), starts `python -m customer_site` as a real process (and, for the baseline,
a Bottle hello-world app under waitress with the same thread count), then loads each page with
`wrk` (16 connections, keep-alive) when it is installed, else with a threaded Python client.
Booking is measured with concurrent Python clients each POSTing the confirm form for a different
free slot (a real booking each: CSRF, idempotency key, bay lock, insert, outbox message).
Prints one line per case and the medians over the runs (requests/s, p99, share of hello world, and
the server process's CPU time per request, read from /proc); paste them into docs/performance.md.
"""

from __future__ import annotations

import argparse
import http.client
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-23T07:00:00+00:00"
# The baseline runs waitress exactly as `customer_site` does, including silencing the per-request
# "Task queue depth" warning (the portal does that too): otherwise the baseline pays for a log
# record per queued request and the portal's share looks better than it is.
HELLO = """
import bottle, waitress, sys, logging
logging.getLogger("waitress.queue").setLevel(logging.ERROR)
app = bottle.Bottle()
@app.get('/hello')
def hello():
    return 'Hello world'
waitress.serve(app, host='127.0.0.1', port=int(sys.argv[1]), threads=int(sys.argv[2]), _quiet=True)
"""


def build_shop(url: str) -> dict[str, object]:
    """The data the benchmark runs against; returns the session cookie and ids it needs."""
    from faker import Faker

    from shop import accounts, booking, catalog, clock, customers, events, vehicles
    from shop.db import open_database
    from shop.event_types import CustomerAccountCreated
    from shop.scheduling import calendar

    frozen = clock.FrozenClock(datetime.fromisoformat(NOW))
    clock.set_clock(frozen)
    open_database(url, create=True)
    calendar.set_hours("mon-fri", "08:00-12:00,13:00-17:30")
    for i in range(4):
        calendar.add_bay(f"Bay {i + 1}")
    services = []
    for category, items in {
        "Maintenance": [("Oil change", 45, "89"), ("Inspection", 120, "249"), ("Air conditioning", 60, "119")],
        "Brakes": [("Brake pads", 90, "189"), ("Brake discs", 150, "389"), ("Brake fluid", 45, "69")],
        "Tyres": [("Tyre change", 30, "39"), ("Balancing", 45, "59"), ("Alignment", 60, "89")],
        "Diagnostics": [("Fault reading", 30, "49"), ("Electrics", 60, "99"), ("Test drive", 30, "29")],
    }.items():
        catalog.add_category(category)
        for name, minutes, price in items:
            services.append(catalog.add_service(name, category, minutes, Decimal(price)).id)
    fake = Faker("de_DE")
    fake.seed_instance(7)
    cars = []
    for i in range(300):
        c = customers.add_customer(fake.name(), None, f"customer{i}@example.com")
        cars.append((c.id, vehicles.add_vehicle(c.id, "VW", "Golf").id))
    # 2,000 future appointments spread over the next weeks, filling the bays partly.
    made = 0
    start = datetime.fromisoformat(NOW).date()
    for slot in booking.available_slots([services[0]], from_date=start, days=60):
        if made >= 2000:
            break
        if slot.start.minute not in (0, 30) or slot.start.hour % 2:
            continue
        customer_id, car_id = cars[made % len(cars)]
        try:
            booking.book(customer_id, car_id, [services[0]], slot.start)
        except Exception:
            continue
        made += 1
    tokens: list[str] = []
    events.subscribe(CustomerAccountCreated)(lambda e: tokens.append(e.token))
    accounts.sign_up("Bench Customer", "bench@example.com", "030 1234567", "bench password 123")
    accounts.verify_email(tokens[-1])
    session = accounts.log_in("bench@example.com", "bench password 123")
    car = accounts.add_my_car(session.actor, make="VW", model="Polo")
    return {
        "cookie": f"garage_session={session.token}",
        "csrf": session.csrf_token,
        "car": car.id,
        "service": services[0],
        "appointments": made,
        "customer": session.account.customer_id,
    }


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, path: str = "/") -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a process has used (Linux /proc), or None where that is not available.

    CPU per request of the server process is the figure that stays meaningful when other work
    shares the machine: requests/s and p99 move with the load, the server's own work does not.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_wrk(url: str, seconds: int, connections: int, cookie: str | None) -> tuple[float, float]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    value, unit = float(p99.group(1)), p99.group(2)
    p99_ms = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses\n{out}")
    return rps, p99_ms


def run_python(url: str, seconds: int, connections: int, cookie: str | None) -> tuple[float, float]:
    """A keep-alive threaded client (used when wrk is not installed)."""
    host, port_path = url.split("//", 1)[1].split(":", 1)
    port, path = port_path.split("/", 1)
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection(host, int(port))
        mine = []
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            conn.request("GET", "/" + path, headers={"Cookie": cookie} if cookie else {})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{url}: HTTP {response.status}")
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    return len(latencies) / seconds, latencies[int(len(latencies) * 0.99)] * 1000


def bench_booking(port: int, info: dict[str, object], seconds: int, clients: int, url: str) -> tuple[float, float, int]:
    """Concurrent customers confirming bookings, each for a different free slot: bookings/s, p99 ms, conflicts."""
    from shop import booking
    from shop.auth import Actor, Role
    from shop.db import open_database

    open_database(url)
    actor = Actor(role=Role.CUSTOMER, name="bench", customer_id=int(info["customer"]))
    first = datetime.fromisoformat(NOW).date()
    starts = queue.Queue()
    for slot in booking.available_slots([info["service"]], from_date=first, days=60, actor=actor):
        if slot.start.minute == 0:  # one 45-minute booking per hour: clients never compete for a bay
            starts.put(slot.start.isoformat())
    latencies: list[float] = []
    conflicts = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    counter = [0]

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        while time.monotonic() < stop:
            try:
                start = starts.get_nowait()
            except queue.Empty:
                return
            with lock:
                counter[0] += 1
                key = f"bench-{counter[0]}"
            body = urlencode(
                {"csrf_token": info["csrf"], "car": info["car"], "service": info["service"], "start": start, "key": key}
            )
            headers = {"Cookie": info["cookie"], "Content-Type": "application/x-www-form-urlencoded"}
            t0 = time.perf_counter()
            conn.request("POST", "/book", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - t0
            with lock:
                if response.status == 303:
                    latencies.append(elapsed)
                elif response.status == 200:
                    conflicts[0] += 1
                else:
                    raise RuntimeError(f"booking: HTTP {response.status}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    t_start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - t_start
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)] * 1000 if latencies else float("nan")
    return len(latencies) / took, p99, conflicts[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--booking-clients", type=int, default=4)
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="garage-bench-portal-"))
    url = f"sqlite:///{workdir / 'shop.db'}"
    t0 = time.perf_counter()
    info = build_shop(url)
    print(f"data: 300 customers, {info['appointments']} future appointments, built in {time.perf_counter() - t0:.1f} s")
    env = {**os.environ, "GARAGE_DATABASE_URL": url, "GARAGE_NOW": NOW, "PYTHONPATH": str(ROOT)}
    portal_port, hello_port = free_port(), free_port()
    portal = subprocess.Popen(
        [sys.executable, "-m", "customer_site", "--port", str(portal_port), "--threads", str(args.threads)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    hello = subprocess.Popen(
        [sys.executable, "-c", HELLO, str(hello_port), str(args.threads)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    load = run_wrk if shutil.which("wrk") else run_python
    tool = "wrk" if load is run_wrk else "python client"
    day = (datetime.fromisoformat(NOW) + timedelta(days=2)).astimezone(UTC).date().isoformat()
    base = f"http://127.0.0.1:{portal_port}"
    cases = [
        ("hello world (bare Bottle)", f"http://127.0.0.1:{hello_port}/hello", None, hello.pid),
        ("landing page", f"{base}/", None, portal.pid),
        ("calendar month", f"{base}/book/calendar?car={info['car']}&service={info['service']}", info["cookie"],
         portal.pid),
        ("free times of a day (visitor)", f"{base}/times?service={info['service']}&date={day}", None, portal.pid),
        (
            "slots of a day (signed in, car)",
            f"{base}/book/calendar?car={info['car']}&service={info['service']}&date={day}&fragment=times",
            info["cookie"],
            portal.pid,
        ),
    ]  # fmt: skip
    try:
        wait_for(portal_port)
        wait_for(hello_port, "/hello")
        results: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _, _ in cases}
        cpu: dict[str, list[float]] = {name: [] for name, _, _, _ in cases}
        bookings: list[tuple[float, float, int]] = []
        for run in range(args.runs):
            for name, target, cookie, pid in cases:
                before = cpu_seconds(pid)
                rps, p99 = load(target, args.seconds, args.connections, cookie)
                after = cpu_seconds(pid)
                results[name].append((rps, p99))
                per = 1e6 * (after - before) / (rps * args.seconds) if before is not None and after else None
                if per is not None:
                    cpu[name].append(per)
                shown = f"  server CPU {per:6.0f} µs/request" if per is not None else ""
                print(f"run {run + 1}: {name:28} {rps:8.0f} req/s  p99 {p99:6.1f} ms{shown}")
        for run in range(args.runs):
            rate, p99, conflicts = bench_booking(portal_port, info, args.seconds, args.booking_clients, url)
            bookings.append((rate, p99, conflicts))
            print(f"run {run + 1}: booking ({args.booking_clients} clients)   {rate:8.1f} bookings/s  p99 {p99:6.1f} ms"
                  f"  lost races {conflicts}")  # fmt: skip
        print(f"\nmedians over {args.runs} runs ({tool}, {args.connections} connections, {args.seconds} s each, "
              f"waitress {args.threads} threads, SQLite):")  # fmt: skip
        hello_rps = statistics.median(r for r, _ in results[cases[0][0]])
        for name, _, _, _ in cases:
            rps = statistics.median(r for r, _ in results[name])
            p99 = statistics.median(p for _, p in results[name])
            per = f"{statistics.median(cpu[name]):.0f}" if cpu[name] else "n/a"
            print(f"| {name} | {rps:.0f} | {p99:.1f} | {100 * rps / hello_rps:.0f}% | {per} |")
        print(
            f"| booking (POST /book, {args.booking_clients} clients) | "
            f"{statistics.median(b[0] for b in bookings):.1f} bookings/s | "
            f"{statistics.median(b[1] for b in bookings):.1f} | |"
        )
    finally:
        portal.terminate()
        hello.terminate()
        portal.wait(timeout=10)
        hello.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
