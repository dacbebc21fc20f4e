"""`garage report ...`: every report as a table, CSV or JSON."""

from __future__ import annotations

import dataclasses
import sys
from typing import Any

import typer

from garage_cli import output
from garage_cli.root import make_app, use_db
from shop import csvio, reports

app = make_app("Reports: revenue, repairs, ARO, technicians, bays, no-shows, parts, outstanding invoices.")

FROM = typer.Option(None, "--from", help="First day, YYYY-MM-DD (default: first of this month).")
TO = typer.Option(None, "--to", help="Last day, YYYY-MM-DD (default: today).")
FORMAT = typer.Option("table", "--format", help="table, csv or json")
JSON = typer.Option(False, "--json", help="Same as --format json.")


def _emit(rows: Any, fmt: str, as_json: bool) -> None:
    fmt = "json" if as_json else fmt.strip().lower()
    if fmt not in ("table", "csv", "json"):
        raise typer.BadParameter(f"{fmt!r}: use table, csv or json", param_hint="--format")
    if fmt == "json":
        output.print_json(rows)
        return
    items = rows if isinstance(rows, list) else [rows]
    if fmt == "csv":
        columns = [f.name for f in dataclasses.fields(type(items[0]))] if items else []
        sys.stdout.write(csvio.write_rows(columns, [output.to_plain(r) for r in items]))
        return
    if not items:
        typer.echo("(nothing in this range)")
        return
    output.print_table(items, [f.name for f in dataclasses.fields(type(items[0]))])


@app.command("revenue")
def revenue(
    date_from: str | None = FROM,
    date_to: str | None = TO,
    by: str = typer.Option("month", "--by", help="day, week or month"),
    fmt: str = FORMAT,
    as_json: bool = JSON,
) -> None:
    """Issued (invoices minus credit notes) and paid, per day, week or month."""
    use_db()
    _emit(reports.revenue(date_from, date_to, by), fmt, as_json)


@app.command("repairs")
def repairs(date_from: str | None = FROM, date_to: str | None = TO, fmt: str = FORMAT, as_json: bool = JSON) -> None:
    """Completed repairs and invoiced net per service and category."""
    use_db()
    _emit(reports.repairs(date_from, date_to), fmt, as_json)


@app.command("aro")
def aro(date_from: str | None = FROM, date_to: str | None = TO, fmt: str = FORMAT, as_json: bool = JSON) -> None:
    """Average repair order and car count."""
    use_db()
    _emit(reports.aro(date_from, date_to), fmt, as_json)


@app.command("technicians")
def technicians(
    date_from: str | None = FROM, date_to: str | None = TO, fmt: str = FORMAT, as_json: bool = JSON
) -> None:
    """Jobs, billed vs clocked hours and productivity per mechanic."""
    use_db()
    _emit(reports.technicians(date_from, date_to), fmt, as_json)


@app.command("bays")
def bays(date_from: str | None = FROM, date_to: str | None = TO, fmt: str = FORMAT, as_json: bool = JSON) -> None:
    """Booked vs open hours per bay."""
    use_db()
    _emit(reports.bays(date_from, date_to), fmt, as_json)


@app.command("noshows")
def noshows(date_from: str | None = FROM, date_to: str | None = TO, fmt: str = FORMAT, as_json: bool = JSON) -> None:
    """No-show and cancellation rates."""
    use_db()
    _emit(reports.no_shows(date_from, date_to), fmt, as_json)


@app.command("parts")
def parts(date_from: str | None = FROM, date_to: str | None = TO, fmt: str = FORMAT, as_json: bool = JSON) -> None:
    """Parts used (at cost) and invoiced, with margin."""
    use_db()
    _emit(reports.parts(date_from, date_to), fmt, as_json)


@app.command("outstanding")
def outstanding(
    date_from: str | None = FROM, date_to: str | None = TO, fmt: str = FORMAT, as_json: bool = JSON
) -> None:
    """Unpaid issued invoices with age and days overdue (all of them unless a range is given)."""
    use_db()
    _emit(reports.outstanding(date_from, date_to), fmt, as_json)


@app.command("lowstock")
def lowstock(fmt: str = FORMAT, as_json: bool = JSON) -> None:
    """Parts at or below their re-order level, with a suggested order quantity and value."""
    use_db()
    _emit(reports.low_stock(), fmt, as_json)
