"""`garage notify ...`: the outbox (send, worker, list, show, retry) and a test mail."""

from __future__ import annotations

import signal
import sys
import time

import typer

from garage_cli import output
from garage_cli.root import make_app, use_db
from shop import notifications
from shop.notifications import preferences, service_due, templates
from shop.notifications import reminders as reminder_service

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


template_app = make_app("Message templates: list, show, change (admin) or reset to the default.")
app.add_typer(template_app, name="template")


@template_app.command("list")
def template_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """Every message kind, and which parts the shop has changed."""
    use_db()
    output.emit(templates.list_templates(), as_json, ["kind", "description", "overridden"])


@template_app.command("show")
def template_show(
    kind: str = typer.Argument(..., metavar="KIND"),
    part: str | None = typer.Option(None, "--part", help="subject, text, html or sms (default: all)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Print a template (the shop's version if changed, else the default) and its placeholders."""
    use_db()
    template = templates.get_template(kind)
    if as_json:
        output.print_json(template)
        return
    if part is not None:
        if part not in templates.PARTS:
            raise typer.BadParameter(f"{part!r} is not one of {', '.join(templates.PARTS)}", param_hint="--part")
        typer.echo(getattr(template, part), nl=False)
        return
    for name in templates.PARTS:
        mark = " (changed)" if name in template.overridden else ""
        typer.echo(f"== {name}{mark}")
        typer.echo(getattr(template, name).rstrip("\n"))
    typer.echo(f"== placeholders: {', '.join('${' + v + '}' for v in template.variables)}")


@template_app.command("set")
def template_set(
    kind: str = typer.Argument(..., metavar="KIND"),
    part: str = typer.Argument(..., metavar="PART", help="subject, text, html or sms"),
    file: typer.FileText | None = typer.Option(None, "--file", help="Read the new text from FILE (default: stdin)."),
) -> None:
    """Replace one part of a template; unknown placeholders are refused."""
    use_db()
    body = (file or sys.stdin).read()
    templates.set_template(kind, part, body)
    typer.echo(f"{kind} {part} changed")


@template_app.command("reset")
def template_reset(
    kind: str = typer.Argument(..., metavar="KIND"),
    part: str | None = typer.Argument(None, metavar="[PART]"),
) -> None:
    """Go back to the default text for one part, or all parts."""
    use_db()
    templates.reset_template(kind, part)
    typer.echo(f"{kind} {part or 'all parts'} reset to the default")


@app.command("prefs")
def prefs(
    customer_id: int = typer.Argument(..., metavar="CUSTOMER_ID"),
    channel: str | None = typer.Option(None, "--channel", help="email, sms or none"),
    reminders: bool | None = typer.Option(None, "--reminders/--no-reminders", help="Appointment reminders."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Show or change how a customer wants to be told (channel, reminders)."""
    use_db()
    if channel is None and reminders is None:
        output.emit(preferences.get_contact(customer_id), as_json)
        return
    contact = preferences.set_preferences(customer_id, channel=channel, reminders=reminders)
    output.done(
        f"customer {customer_id}: {contact.channel}, reminders {'on' if contact.reminders else 'off'}",
        contact,
        as_json,
    )


reminders_app = make_app("Appointment reminders (run `garage reminders queue` from cron, e.g. every 15 minutes).")


@reminders_app.command("queue")
def reminders_queue(
    ahead: str | None = typer.Option(None, "--ahead", help="Offsets such as 24h,2h (default: reminders.offsets)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Queue the reminders that are due now; running it again queues nothing twice."""
    use_db()
    result = reminder_service.queue_reminders(ahead)
    output.done(
        f"queued {result.queued} reminder(s); {result.already} already queued, {result.skipped} skipped",
        result,
        as_json,
    )


@reminders_app.command("due")
def reminders_due(
    ahead: str | None = typer.Option(None, "--ahead", help="Offsets such as 24h,2h (default: reminders.offsets)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Appointments inside the reminder window and the state of their reminder."""
    use_db()
    output.emit(
        reminder_service.due(ahead),
        as_json,
        ["appointment_id", "customer_name", "start", "offset", "state", "message_id"],
    )


@reminders_app.command("service-due")
def reminders_service_due(
    list_only: bool = typer.Option(False, "--list", help="Only show what is due; queue nothing."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Queue "your car is due" messages from each car's invoiced services and mileage (once per due event)."""
    use_db()
    if list_only:
        output.emit(
            service_due.list_service_due(),
            as_json,
            ["vehicle_id", "car", "customer_name", "service", "last_done", "reason", "state"],
        )
        return
    result = service_due.queue_service_due()
    output.done(
        f"queued {result.queued} service reminder(s); {result.already} already told, {result.skipped} skipped",
        result,
        as_json,
    )


interval_app = make_app("Service intervals for service-due reminders, e.g. oil change every 12 months or 15000 km.")
reminders_app.add_typer(interval_app, name="interval")


@interval_app.command("set")
def interval_set(
    service: str = typer.Argument(..., metavar="SERVICE", help="Service id or name."),
    months: int | None = typer.Option(None, "--months"),
    km: int | None = typer.Option(None, "--km"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Set (or with neither option, remove) the interval of a service."""
    use_db()
    interval = service_due.set_interval(int(service) if service.isdigit() else service, months, km)
    output.done(
        f"{interval.service}: every {interval.months or '-'} months / {interval.km or '-'} km", interval, as_json
    )


@interval_app.command("list")
def interval_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """Services with a reminder interval."""
    use_db()
    output.emit(service_due.list_intervals(), as_json, ["service_id", "service", "months", "km"])
