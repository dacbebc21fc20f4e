"""The `garage` command: assembles the per-area Typer apps from `garage_cli`; with no command, the staff TUI."""

from __future__ import annotations

import sys

from garage_cli import billing as billing_cli
from garage_cli import booking, cars, catalog, customers, notify, schedule, staff, system
from garage_cli import inventory as inventory_cli
from garage_cli import jobs as jobs_cli
from garage_cli import ops as ops_cli
from garage_cli import portal as portal_cli
from garage_cli import reports as reports_cli
from garage_cli import reviews as reviews_cli
from garage_cli import tui as tui_cli
from garage_cli.root import make_root
from garage_cli.root import run as run_app

app = make_root(no_command=tui_cli.tui)  # `garage` alone opens the staff TUI, like `garage tui`
app.command("init")(system.init)
app.command("tui")(tui_cli.tui)
app.add_typer(system.db_app, name="db")
app.command("backup")(ops_cli.backup)
app.command("backups")(ops_cli.list_backups)
app.command("restore")(ops_cli.restore)
system.db_app.command("move")(ops_cli.db_move)
system.db_app.command("check")(ops_cli.db_check)
app.add_typer(system.settings_app, name="settings")
app.add_typer(staff.app, name="staff")
app.add_typer(inventory_cli.part_app, name="part")
app.add_typer(inventory_cli.stock_app, name="stock")
app.add_typer(customers.app, name="customer")
app.add_typer(cars.app, name="car")
app.add_typer(catalog.category_app, name="category")
app.add_typer(catalog.service_app, name="service")
app.add_typer(notify.app, name="notify")
app.add_typer(notify.reminders_app, name="reminders")
app.add_typer(schedule.hours_app, name="hours")
app.add_typer(schedule.closure_app, name="closure")
app.add_typer(schedule.bay_app, name="bay")
app.add_typer(schedule.mechanic_app, name="mechanic")
app.command("slots")(booking.slots)
app.command("book")(booking.book)
app.add_typer(booking.appointment_app, name="appointment")
app.command("portal")(portal_cli.portal)
app.add_typer(billing_cli.quote_app, name="quote")
app.add_typer(billing_cli.invoice_app, name="invoice")
app.add_typer(jobs_cli.app, name="job")
app.add_typer(reports_cli.app, name="report")
app.add_typer(reviews_cli.app, name="review")


def run(application=app, argv: list[str] | None = None) -> int:  # type: ignore[no-untyped-def]
    return run_app(application, argv)


def main(argv: list[str] | None = None) -> None:
    sys.exit(run_app(app, argv))


if __name__ == "__main__":
    main()
