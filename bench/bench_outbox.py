"""Outbox throughput: queue N messages, deliver them through a local SMTP server (aiosmtpd).

    python -m bench.bench_outbox --messages 10000 [--engine sqlite|postgres] [--senders 1] [--runs 3]

Prints enqueue and delivery rates (median of the runs) and checks every message arrived exactly
once. PostgreSQL needs GARAGE_BENCH_PG_URL (e.g. postgresql://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shop import settings  # noqa: E402
from shop.db import close_database, database, open_database, transaction  # noqa: E402
from shop.notifications import outbox  # noqa: E402
from shop.notifications.sender import send_due  # noqa: E402


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@transaction
def _queue_batch(start: int, count: int) -> None:
    for i in range(start, start + count):
        outbox.enqueue(
            "bench",
            f"customer{i}@example.com",
            f"Your appointment #{i}",
            f"Hello customer {i},\n\nyour appointment is booked.\n" * 3,
            f"<p>Hello customer {i},</p><p>your appointment is booked.</p>" * 3,
            dedupe_key=f"bench:{i}",
        )


def one_run(url: str, messages: int, senders: int, batch: int) -> dict[str, float]:
    open_database(url, create=True)
    port = _free_port()
    counts_file = Path(tempfile.mkdtemp()) / "counts.json"
    sink = subprocess.Popen(
        [sys.executable, "-m", "bench.smtp_sink", str(port), str(counts_file)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
    try:
        settings.set_many({"smtp.host": "127.0.0.1", "smtp.port": str(port), "smtp.security": "none"})
        # 200 messages one transaction each (like 200 bookings), the rest 100 per transaction.
        single = min(200, messages)
        t0 = time.perf_counter()
        for i in range(single):
            _queue_batch(i, 1)
        t1 = time.perf_counter()
        for start in range(single, messages, 100):
            _queue_batch(start, min(100, messages - start))
        t2 = time.perf_counter()
        close_database()
        t3 = time.perf_counter()
        if senders == 1:
            open_database(url)
            result = send_due(batch=batch)
            assert result.sent == messages, result
            close_database()
        else:
            procs = [
                subprocess.Popen(
                    [sys.executable, str(ROOT / "cli.py"), "--db", url, "notify", "send", "--batch", str(batch)],
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
                for _ in range(senders)
            ]
            for proc in procs:
                _, err = proc.communicate()
                assert proc.returncode == 0, err
        t4 = time.perf_counter()
    finally:
        sink.send_signal(signal.SIGTERM)
        sink.wait(timeout=60)
    ids = json.loads(counts_file.read_text())
    assert len(ids) == messages and set(ids.values()) == {1}, "a message was lost or duplicated"
    return {
        "enqueue_single_per_s": single / (t1 - t0),
        "enqueue_batched_per_s": (messages - single) / (t2 - t1) if messages > single else 0.0,
        "send_per_s": messages / (t4 - t3),
        "send_seconds": t4 - t3,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--senders", type=int, default=1)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            if args.engine == "sqlite":
                url = f"sqlite:///{tmp}/bench.db"
            else:
                base = os.environ.get("GARAGE_BENCH_PG_URL")
                if not base:
                    sys.exit("set GARAGE_BENCH_PG_URL=postgresql://user@host:port/db for the postgres run")
                schema = f"bench_outbox_{uuid.uuid4().hex[:8]}"
                url = f"{base}{'&' if '?' in base else '?'}schema={schema}"
            try:
                results.append(one_run(url, args.messages, args.senders, args.batch))
            finally:
                if args.engine == "postgres":
                    open_database(os.environ["GARAGE_BENCH_PG_URL"], upgrade=False)
                    database.execute_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                close_database()
        print(f"run {run + 1}: " + ", ".join(f"{k}={v:.1f}" for k, v in results[-1].items()), file=sys.stderr)
    print(
        f"outbox {args.engine}, {args.messages} messages, {args.senders} sender(s), batch {args.batch}, "
        f"median of {args.runs}:"
    )
    for key in results[0]:
        print(f"  {key}: {statistics.median(r[key] for r in results):.1f}")


if __name__ == "__main__":
    main()
