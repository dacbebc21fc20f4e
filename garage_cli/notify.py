"""`garage notify ...`: the outbox (send, worker, list, show, retry) and a test mail."""

from __future__ import annotations

import signal
import time

import typer

from garage_cli import output
from garage_cli.root import make_app, use_db
from shop import notifications

app = make_app("Outgoing e-mail and SMS: send the outbox, inspect it, retry dead messages.")
COLUMNS = ["id", "kind", "channel", "recipient", "status", "attempts", "next_attempt_at", "last_error"]


def _report(result: notifications.SendResult, as_json: bool) -> None:
    if as_json:
        output.print_json(result)
        return
    typer.echo(f"sent {result.sent}, failed {result.failed}, dead {result.dead} (claimed {result.claimed})")
    for error in result.errors[:20]:
        output.info(f"  {error}")


@app.command("send")
def send(
    limit: int | None = typer.Option(None, "--limit", min=1, help="Send at most N messages."),
    batch: int = typer.Option(50, "--batch", min=1, help="Messages claimed at a time."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Send every due message once (for cron, e.g. every minute). Exit 1 when a message failed."""
    use_db()
    result = notifications.send_due(limit=limit, batch=batch)
    _report(result, as_json)
    if result.failed or result.dead:
        raise typer.Exit(1)


@app.command("worker")
def worker(
    interval: float = typer.Option(30.0, "--interval", help="Seconds between polls when the queue is empty."),
    batch: int = typer.Option(50, "--batch", min=1, help="Messages claimed at a time."),
) -> None:
    """Keep sending: poll the outbox every INTERVAL seconds until stopped (Ctrl-C or SIGTERM)."""
    use_db()
    stopping = {"now": False}

    def stop(_signum: int, _frame: object) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGTERM, stop)

    def show(result: notifications.SendResult) -> None:
        if result.claimed:
            output.info(f"sent {result.sent}, failed {result.failed}, dead {result.dead}")
        for error in result.errors[:5]:
            output.info(f"  {error}")

    def sleep(seconds: float) -> None:
        end = time.monotonic() + seconds
        while not stopping["now"] and (left := end - time.monotonic()) > 0:
            time.sleep(min(0.5, left))

    notifications.worker(
        interval=interval, batch=batch, should_stop=lambda: stopping["now"], on_result=show, sleep=sleep
    )


@app.command("list")
def list_(
    status: str | None = typer.Option(None, "--status", help="pending, sending, sent, failed, dead or dropped"),
    kind: str | None = typer.Option(None, "--kind"),
    limit: int = typer.Option(100, "--limit", min=1),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List outbox messages, newest first."""
    use_db()
    output.emit(notifications.list_messages(status=status, kind=kind, limit=limit), as_json, COLUMNS)


@app.command("show")
def show(message_id: int = typer.Argument(..., metavar="ID"), as_json: bool = typer.Option(False, "--json")) -> None:
    """Show one message with its text."""
    use_db()
    message = notifications.get_message(message_id)
    body = notifications.get_body(message_id)
    if as_json:
        output.print_json({**output.to_plain(message), "body_text": body.body_text, "body_html": body.body_html})
        return
    output.print_record(message)
    typer.echo("")
    typer.echo(body.body_text)


@app.command("retry")
def retry(message_id: int = typer.Argument(..., metavar="ID"), as_json: bool = typer.Option(False, "--json")) -> None:
    """Queue a dead, failed or dropped message again, due now."""
    use_db()
    message = notifications.retry(message_id)
    output.done(f"message {message.id} queued again", message, as_json)


@app.command("test-mail")
def test_mail(to: str = typer.Argument(..., metavar="TO"), as_json: bool = typer.Option(False, "--json")) -> None:
    """Send one test message right away with the current SMTP settings."""
    use_db()
    message_id = notifications.send_test_mail(to)
    output.done(f"test message sent to {to} ({message_id})", {"to": to, "message_id": message_id}, as_json)


@app.command("status")
def status(as_json: bool = typer.Option(False, "--json")) -> None:
    """Counts per state and the age of the oldest waiting message."""
    use_db()
    output.emit(notifications.backlog(), as_json)
