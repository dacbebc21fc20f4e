"""`garage hours|closure|bay|mechanic ...`: the shop calendar."""

from __future__ import annotations

import typer

from garage_cli import output
from garage_cli.root import make_app, use_db
from shop.scheduling import calendar

hours_app = make_app("Opening hours per weekday (local time, several intervals a day).")
closure_app = make_app("Days the shop is closed (holidays, stocktaking, ...).")
bay_app = make_app("Bays (lifts) and what they can do (capabilities such as alignment).")
mechanic_app = make_app("Mechanics' working hours and time off.")


def _print_week(days: list[calendar.DayHours], as_json: bool) -> None:
    if as_json:
        output.print_json(days)
        return
    for d in days:
        typer.echo(f"{d.day}  {', '.join(d.intervals) if d.intervals else 'closed'}")


@hours_app.command("show")
def hours_show(as_json: bool = typer.Option(False, "--json")) -> None:
    """Show the week's opening hours."""
    use_db()
    _print_week(calendar.get_hours(), as_json)


@hours_app.command("set")
def hours_set(
    days: str = typer.Argument(..., metavar="DAYS", help="mon, mon-fri, sat,sun ..."),
    hours: str = typer.Argument(..., metavar="HOURS", help="08:00-12:00,13:00-17:30 or 'closed'"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Replace the opening hours of DAYS."""
    use_db()
    _print_week(calendar.set_hours(days, hours), as_json)


@closure_app.command("add")
def closure_add(
    start: str = typer.Argument(..., metavar="FROM", help="YYYY-MM-DD"),
    end: str | None = typer.Argument(None, metavar="[TO]", help="YYYY-MM-DD (inclusive; default: FROM)"),
    reason: str = typer.Option(..., "--reason"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Close the shop on a day or a range of days."""
    use_db()
    closure = calendar.add_closure(start, end, reason)
    output.done(
        f"closure {closure.id}: {closure.start_date} to {closure.end_date} ({closure.reason})", closure, as_json
    )


@closure_app.command("list")
def closure_list(
    since: str | None = typer.Option(None, "--from", help="YYYY-MM-DD (default: today)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Closures that have not ended yet."""
    use_db()
    output.emit(calendar.list_closures(since), as_json, ["id", "start_date", "end_date", "reason"])


@closure_app.command("remove")
def closure_remove(closure_id: int, as_json: bool = typer.Option(False, "--json")) -> None:
    """Remove a closure (the days become bookable again)."""
    use_db()
    closure = calendar.remove_closure(closure_id)
    output.done(f"removed closure {closure.id}", closure, as_json)


BAY_COLUMNS = ["id", "name", "capabilities", "active"]


@bay_app.command("add")
def bay_add(
    name: str,
    capabilities: str = typer.Option("", "--capabilities", "--cap", help="comma-separated, e.g. lift,alignment"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Add a bay."""
    use_db()
    bay = calendar.add_bay(name, capabilities)
    output.done(str(bay.id), bay, as_json)


@bay_app.command("list")
def bay_list(
    all_: bool = typer.Option(False, "--all", help="Include inactive bays."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List bays."""
    use_db()
    output.emit(calendar.list_bays(include_inactive=all_), as_json, BAY_COLUMNS)


@bay_app.command("edit")
def bay_edit(
    bay: str = typer.Argument(..., metavar="BAY", help="id or name"),
    name: str | None = typer.Option(None, "--name"),
    capabilities: str | None = typer.Option(None, "--capabilities", "--cap", help="replaces the list"),
    active: bool | None = typer.Option(None, "--active/--inactive"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Rename a bay, change its capabilities, or take it out of service."""
    use_db()
    info = calendar.edit_bay(bay, name=name, capabilities=capabilities, active=active)
    output.done(
        f"bay {info.id}: {info.name} [{','.join(info.capabilities)}] {'active' if info.active else 'inactive'}",
        info,
        as_json,
    )


@mechanic_app.command("hours")
def mechanic_hours(
    mechanic: str | None = typer.Argument(None, metavar="[MECHANIC]", help="username or id (default: all)"),
    days: str | None = typer.Argument(None, metavar="[DAYS]", help="mon-fri ... (to change them)"),
    hours: str | None = typer.Argument(None, metavar="[HOURS]", help="07:30-16:00 or 'closed'"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Show working hours, or set MECHANIC's hours on DAYS. No hours of their own = the shop's hours."""
    use_db()
    if days is not None:
        if mechanic is None or hours is None:
            raise typer.BadParameter("to set hours give MECHANIC DAYS HOURS")
        schedules = [calendar.set_mechanic_hours(mechanic, days, hours)]
    else:
        schedules = calendar.mechanic_hours(mechanic)
    if as_json:
        output.print_json(schedules)
        return
    for s in schedules:
        typer.echo(f"{s.username} ({s.name})" + ("  [shop hours]" if s.uses_shop_hours else ""))
        if not s.uses_shop_hours:
            for d in s.days:
                typer.echo(f"  {d.day}  {', '.join(d.intervals) if d.intervals else 'off'}")


@mechanic_app.command("timeoff")
def mechanic_timeoff(
    mechanic: str = typer.Argument(..., help="username or id"),
    start: str = typer.Option(..., "--from", help="YYYY-MM-DD or 'YYYY-MM-DD HH:MM' (local)"),
    end: str = typer.Option(..., "--to", help="YYYY-MM-DD (whole day, inclusive) or 'YYYY-MM-DD HH:MM'"),
    reason: str = typer.Option("", "--reason"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Record time off (holiday, sick leave, training)."""
    use_db()
    off = calendar.add_time_off(mechanic, start, end, reason)
    output.done(
        f"time off {off.id}: {off.mechanic} {off.start:%Y-%m-%d %H:%M} to {off.end:%Y-%m-%d %H:%M}", off, as_json
    )


@mechanic_app.command("timeoff-list")
def mechanic_timeoff_list(
    mechanic: str | None = typer.Argument(None, help="username or id (default: all)"),
    since: str | None = typer.Option(None, "--from", help="YYYY-MM-DD (default: today)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Time off that has not ended yet."""
    use_db()
    output.emit(calendar.list_time_off(mechanic, since), as_json, ["id", "mechanic", "start", "end", "reason"])


@mechanic_app.command("timeoff-remove")
def mechanic_timeoff_remove(time_off_id: int) -> None:
    """Delete a time-off entry."""
    use_db()
    calendar.remove_time_off(time_off_id)
    typer.echo(f"removed time off {time_off_id}")
