"""`garage slots`, `garage book`, `garage appointment ...`."""

from __future__ import annotations

from typing import Any

import typer

from garage_cli import output
from garage_cli.root import make_app, use_db
from shop import booking

appointment_app = make_app("Appointments: list, show, reschedule, cancel, status, assign.")
LIST_COLUMNS = ["id", "start", "end", "status", "bay", "customer_name", "vehicle", "services", "total_price"]


def plain(a: booking.Appointment) -> dict[str, Any]:
    """The JSON form: the dataclass, with `car_id` (the CLI's word for the vehicle) and service names."""
    data = output.to_plain(a)
    data["car_id"] = a.vehicle_id
    return data


def _row(a: booking.Appointment) -> dict[str, Any]:
    return {
        "id": a.id,
        "start": f"{a.start:%Y-%m-%d %H:%M}",
        "end": f"{a.end:%H:%M}",
        "status": a.status,
        "bay": a.bay,
        "customer_name": a.customer_name,
        "vehicle": a.vehicle,
        "services": ", ".join(s.name for s in a.services),
        "total_price": a.total_price,
    }


def slots(
    service: list[str] = typer.Option(..., "--service", help="service name or id (repeat for several)"),
    since: str | None = typer.Option(None, "--from", help="YYYY-MM-DD (default: today)"),
    days: int = typer.Option(7, "--days"),
    car: int | None = typer.Option(None, "--car", help="skip times this car is booked elsewhere"),
    mechanic: str | None = typer.Option(None, "--mechanic", help="only when this mechanic is free"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Free start times for the services (durations add up), in shop local time."""
    use_db()
    found = booking.available_slots(service, since, days, vehicle_id=car, mechanic_id=mechanic)
    if as_json:
        output.print_json([{"start": s.start, "end": s.end} for s in found])
        return
    day = None
    line: list[str] = []
    for s in found:
        if s.start.date() != day:
            if line:
                typer.echo(" ".join(line))
            day = s.start.date()
            line = [f"{s.start:%a %Y-%m-%d}:"]
        line.append(f"{s.start:%H:%M}")
    if line:
        typer.echo(" ".join(line))
    if not found:
        output.info("no free slots in that window")


def book(
    customer: int = typer.Option(..., "--customer", help="customer id"),
    car: int = typer.Option(..., "--car", help="car (vehicle) id"),
    service: list[str] = typer.Option(..., "--service", help="service name or id (repeat for several)"),
    at: str = typer.Option(..., "--at", help="'YYYY-MM-DD HH:MM' shop local time"),
    mechanic: str | None = typer.Option(None, "--mechanic", help="mechanic username or id"),
    any_mechanic: bool = typer.Option(False, "--any-mechanic", help="assign any free mechanic"),
    source: str = typer.Option("cli", "--source", help="desk, phone, portal, cli, walk_in"),
    notes: str = typer.Option("", "--notes"),
    idempotency_key: str | None = typer.Option(None, "--idempotency-key", help="repeat-safe: books at most once"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Book an appointment. A taken slot exits 3 with the nearest free times on stderr."""
    use_db()
    a = booking.book(
        customer,
        car,
        service,
        at,
        source=source,
        mechanic_id=mechanic,
        need_mechanic=any_mechanic,
        idempotency_key=idempotency_key,
        notes=notes,
    )
    output.done(str(a.id), plain(a), as_json)


@appointment_app.command("list")
def list_(
    day: str | None = typer.Option(None, "--date", help="YYYY-MM-DD, today, tomorrow"),
    since: str | None = typer.Option(None, "--from", help="YYYY-MM-DD"),
    until: str | None = typer.Option(None, "--to", help="YYYY-MM-DD (inclusive)"),
    status: list[str] = typer.Option([], "--status", help="repeat for several"),
    customer: int | None = typer.Option(None, "--customer"),
    bay: str | None = typer.Option(None, "--bay", help="bay id or name"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Appointments by start time (default: from today on)."""
    use_db()
    if day is None and since is None and until is None and customer is None:
        since = "today"
    found = booking.list_appointments(day, since, until, customer_id=customer, status=status or None, bay=bay)
    if as_json:
        output.print_json([plain(a) for a in found])
    else:
        output.print_table([_row(a) for a in found], LIST_COLUMNS)


@appointment_app.command("show")
def show(appointment_id: int, as_json: bool = typer.Option(False, "--json")) -> None:
    """One appointment with its services and status timeline."""
    use_db()
    a = booking.get_appointment(appointment_id)
    if as_json:
        output.print_json(plain(a))
        return
    output.print_record(
        {
            **_row(a),
            "start": f"{a.start:%Y-%m-%d %H:%M %z}",
            "end": f"{a.end:%Y-%m-%d %H:%M %z}",
            "mechanic": a.mechanic,
            "source": a.source,
            "notes": a.notes,
            "next": ", ".join(booking.allowed_transitions(a.status)),
        },
        [
            "id",
            "status",
            "start",
            "end",
            "bay",
            "mechanic",
            "customer_name",
            "vehicle",
            "services",
            "total_price",
            "source",
            "notes",
            "next",
        ],
    )
    typer.echo("")
    for t in a.timeline:
        move = f"{t.from_status} -> {t.to_status}" if t.from_status else t.to_status
        typer.echo(f"{t.at:%Y-%m-%d %H:%M}  {t.kind:<11} {move:<28} {t.actor}" + (f"  {t.note}" if t.note else ""))


@appointment_app.command("reschedule")
def reschedule(
    appointment_id: int,
    at: str = typer.Option(..., "--at", help="'YYYY-MM-DD HH:MM' shop local time"),
    note: str = typer.Option("", "--note"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Move an appointment (the old time stays booked unless the new one is free)."""
    use_db()
    a = booking.reschedule(appointment_id, at, note=note)
    output.done(f"appointment {a.id} moved to {a.start:%Y-%m-%d %H:%M} ({a.bay})", plain(a), as_json)


@appointment_app.command("cancel")
def cancel(
    appointment_id: int,
    reason: str = typer.Option("", "--reason"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Cancel an appointment."""
    use_db()
    a = booking.cancel(appointment_id, reason)
    output.done(f"appointment {a.id} cancelled", plain(a), as_json)


@appointment_app.command("status")
def status(
    appointment_id: int,
    new_status: str = typer.Argument(..., metavar="STATUS", help="checked_in, in_progress, waiting_parts, ..."),
    note: str = typer.Option("", "--note"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Move an appointment along: scheduled -> checked_in -> in_progress <-> waiting_parts -> completed."""
    use_db()
    a = booking.set_status(appointment_id, new_status, note)
    output.done(f"appointment {a.id} is now {a.status}", plain(a), as_json)


@appointment_app.command("assign")
def assign(
    appointment_id: int,
    mechanic: str | None = typer.Argument(None, metavar="[MECHANIC]", help="username or id"),
    unassign: bool = typer.Option(False, "--none", help="take the appointment off its mechanic"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Give an appointment to a mechanic who works then, is not off and is free (or --none to unassign)."""
    if (mechanic is None) == (not unassign):
        raise typer.BadParameter("name a MECHANIC, or pass --none to unassign")
    use_db()
    a = booking.assign_mechanic(appointment_id, None if unassign else mechanic)
    output.done(f"appointment {a.id}: {a.mechanic or 'no mechanic'}", plain(a), as_json)


@appointment_app.command("board")
def board(
    day: str | None = typer.Option(None, "--date", help="YYYY-MM-DD, today, tomorrow (default: today)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The day per bay: who is where, and in which state."""
    use_db()
    b = booking.day_board(day)
    if as_json:
        output.print_json(b)
        return
    hours = ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in b.open) or f"closed ({b.closed_reason or 'no hours'})"
    typer.echo(f"{b.day:%a %Y-%m-%d}  open {hours}")
    for column in b.bays:
        typer.echo(f"\n{column.name}" + ("" if column.active else " (inactive)"))
        for a in column.appointments:
            typer.echo(
                f"  {a.start:%H:%M}-{a.end:%H:%M}  {a.status:<13} {a.customer_name}, {a.vehicle}: "
                + ", ".join(s.name for s in a.services)
            )
        if not column.appointments:
            typer.echo("  (free)")
