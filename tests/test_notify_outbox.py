"""The outbox against a real SMTP server on loopback: delivery, retries, leases, races, rollbacks."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import timedelta

import pytest

from shop import settings
from shop.db import transaction
from shop.notifications import outbox
from shop.notifications.outbox import Attachment
from shop.notifications.sender import send_due
from tests.conftest import ROOT, run_garage_process
from tests.smtp import SmtpServer


@pytest.fixture
def smtp(db):  # type: ignore[no-untyped-def]
    server = SmtpServer().start()
    settings.set_many(server.settings())
    yield server
    server.stop()


def _queue(n: int = 1, **kwargs) -> list[int]:  # type: ignore[no-untyped-def]
    ids = []
    for i in range(n):
        ids.append(
            outbox.enqueue(
                "test", f"customer{i}@example.test", f"Hello {i}", f"Text {i}\n", f"<p>HTML {i}</p>", **kwargs
            )
        )
    return ids


def test_sent_message_arrives_with_subject_parts_and_stable_message_id(smtp) -> None:
    [message_id] = _queue(attachments=[Attachment("note.txt", "text/plain", b"hello file")])
    result = send_due()
    assert (result.sent, result.failed) == (1, 0)
    [got] = smtp.received
    msg = got.message
    assert got.rcpt_tos == ["customer0@example.test"]
    assert msg["Subject"] == "Hello 0"
    assert msg["Message-ID"].strip() == outbox.get_message(message_id).message_id
    assert msg.get_body(("plain",)).get_content().strip() == "Text 0"
    assert "<p>HTML 0</p>" in msg.get_body(("html",)).get_content()
    files = {part.get_filename(): part.get_content() for part in msg.walk() if part.get_filename()}
    assert files == {"note.txt": b"hello file"}
    stored = outbox.get_message(message_id)
    assert stored.status == "sent" and stored.sent_at is not None and stored.attempts == 1
    assert send_due().claimed == 0  # nothing is sent twice


def test_same_dedupe_key_queues_one_message(db) -> None:
    first = outbox.enqueue("reminder", "a@example.test", "S", "T", dedupe_key="reminder:appointment:1:24h")
    second = outbox.enqueue("reminder", "a@example.test", "S", "T", dedupe_key="reminder:appointment:1:24h")
    assert first is not None and second is None
    assert len(outbox.list_messages()) == 1


def test_rolled_back_cause_leaves_no_message(db) -> None:
    @transaction
    def change_that_fails() -> None:
        outbox.enqueue("test", "a@example.test", "S", "T")
        raise RuntimeError("the booking failed after queuing its e-mail")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert outbox.list_messages() == []


def test_server_down_message_waits_then_is_sent_once_when_it_returns(smtp, frozen_clock) -> None:
    smtp.stop()
    [message_id] = _queue()
    result = send_due()
    assert (result.sent, result.failed) == (0, 1)
    assert "cannot connect" in result.errors[0]
    waiting = outbox.get_message(message_id)
    assert waiting.status == "failed" and waiting.attempts == 1
    assert waiting.next_attempt_at > frozen_clock.now()
    assert send_due().claimed == 0  # not due before its backoff
    smtp.start()
    frozen_clock.advance(timedelta(minutes=2))
    assert send_due().sent == 1
    assert len(smtp.received) == 1
    assert outbox.get_message(message_id).status == "sent"


def test_retries_back_off_exponentially_and_give_up_as_dead_after_two_days(smtp, frozen_clock) -> None:
    smtp.stop()
    [message_id] = _queue()
    waits = []
    while outbox.get_message(message_id).status != "dead":
        before = frozen_clock.now()
        send_due()
        message = outbox.get_message(message_id)
        waits.append((message.next_attempt_at - before).total_seconds())
        frozen_clock.set(max(message.next_attempt_at, frozen_clock.now()))
        assert len(waits) < 100
    dead = outbox.get_message(message_id)
    assert dead.last_error.startswith("cannot connect")
    assert frozen_clock.now() - dead.created_at >= timedelta(hours=48)
    assert 30 <= waits[0] <= 60 and 60 <= waits[1] <= 120 and 120 <= waits[2] <= 240  # base 60 s, doubling, jitter
    assert max(waits) <= 3600
    assert [m.id for m in outbox.list_messages(status="dead")] == [message_id]


def test_dead_message_is_sent_after_retry(smtp, frozen_clock, cli) -> None:
    smtp.handler.refuse.add("customer0@example.test")
    [message_id] = _queue()
    send_due()
    assert outbox.get_message(message_id).status == "dead"  # 550 is permanent: no pointless retries
    listed = cli("notify", "list", "--status", "dead", "--json")
    assert [m["id"] for m in listed.json()] == [message_id]
    assert "550" in listed.json()[0]["last_error"]
    smtp.handler.refuse.clear()
    assert cli("notify", "retry", str(message_id)).exit_code == 0
    sent = cli("notify", "send", "--json")
    assert sent.exit_code == 0, sent.stderr
    assert sent.json()["sent"] == 1
    assert len(smtp.received) == 1
    again = cli("notify", "retry", str(message_id))
    assert again.exit_code == 3 and "is sent" in again.stderr


def test_crashed_sender_claim_expires_and_message_is_sent_once_later(smtp, frozen_clock) -> None:
    [message_id] = _queue()
    outbox.claim(10, token="sender-that-died")  # claimed, then the process died before sending
    assert send_due().claimed == 0  # the lease still holds
    frozen_clock.advance(timedelta(seconds=settings.get_int("notify.lease") + 1))
    assert send_due().sent == 1
    assert outbox.get_message(message_id).attempts == 2
    assert [r.message["Message-ID"].strip() for r in smtp.received] == [outbox.get_message(message_id).message_id]
    assert outbox.mark_sent(message_id, "sender-that-died") is False  # its late report changes nothing


def test_concurrent_sender_processes_send_every_message_exactly_once(smtp, db) -> None:
    ids = _queue(60)
    procs = [
        subprocess.Popen(
            [sys.executable, str(ROOT / "cli.py"), "--db", db.url, "notify", "send", "--batch", "5", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**__import__("os").environ, "GARAGE_NOW": "2026-11-23T07:00:00+00:00"},
        )
        for _ in range(8)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outputs]
    counts = Counter(r.message["Message-ID"].strip() for r in smtp.received)
    assert len(counts) == 60 and set(counts.values()) == {1}
    assert {m.status for m in outbox.list_messages(limit=200)} == {"sent"}
    assert sorted(m.id for m in outbox.list_messages(limit=200)) == sorted(ids)


def test_send_limit_and_cli_list_filter(smtp, cli) -> None:
    _queue(3)
    result = cli("notify", "send", "--limit", "2", "--json")
    assert result.json()["sent"] == 2
    assert len(cli("notify", "list", "--status", "pending", "--json").json()) == 1
    bad = cli("notify", "list", "--status", "lost")
    assert bad.exit_code == 1 and "status" in bad.stderr


def test_test_mail_goes_out_now_and_reports_a_down_server(smtp, cli) -> None:
    ok = cli("notify", "test-mail", "owner@example.test")
    assert ok.exit_code == 0, ok.stderr
    assert smtp.received[0].rcpt_tos == ["owner@example.test"]
    smtp.stop()
    down = cli("notify", "test-mail", "owner@example.test")
    assert down.exit_code == 1 and "cannot connect to 127.0.0.1" in down.stderr


def test_login_without_password_is_a_config_error_that_never_prints_secrets(smtp, cli) -> None:
    settings.set_many({"smtp.user": "shop@example.test", "smtp.password": ""})
    result = cli("notify", "test-mail", "owner@example.test")
    assert result.exit_code == 1 and "no password" in result.stderr
    settings.set_value("smtp.password", "s3cret-value")
    shown = cli("settings", "show", "--json").json()
    assert shown["smtp.password"] == "********"


def test_worker_process_sends_and_stops_on_sigterm(smtp, db) -> None:
    import signal

    _queue(2)
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "cli.py"), "--db", db.url, "notify", "worker", "--interval", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        # The worker reports each batch on stderr; wait for the first report, then stop it.
        line = proc.stderr.readline()
        assert "sent 2" in line
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode == 0
    assert len(smtp.received) == 2


def test_unreachable_database_for_send_is_exit_1() -> None:
    result = run_garage_process("postgresql://nobody@127.0.0.1:1/nothing", "notify", "send")
    assert result.returncode == 1 and "cannot reach database" in result.stderr


def test_sender_process_killed_mid_send_leaves_the_message_to_the_next_sender_after_the_lease(
    smtp, db, frozen_clock
) -> None:
    import signal
    import threading

    [message_id] = _queue()
    smtp.handler.hold = threading.Event()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "cli.py"), "--db", db.url, "notify", "send"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env={**__import__("os").environ, "GARAGE_NOW": "2026-11-23T07:00:00+00:00"},
    )
    try:
        assert smtp.handler.arrived.wait(timeout=60)  # the message is on the wire ...
        proc.send_signal(signal.SIGKILL)  # ... and the sender dies before any reply
        proc.wait(timeout=30)
    finally:
        smtp.handler.hold.set()
        smtp.handler.hold = None
    assert outbox.get_message(message_id).status == "sending"
    assert send_due().claimed == 0  # still leased to the dead sender
    frozen_clock.advance(timedelta(seconds=settings.get_int("notify.lease") + 1))
    assert send_due().sent == 1
    assert len(smtp.received) == 1
    assert outbox.get_message(message_id).status == "sent"
