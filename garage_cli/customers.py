"""`garage customer ...`"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

import typer

from garage_cli import output
from garage_cli.root import EXIT_INVALID, make_app, use_db
from shop import csvio, customer_csv, customers, vehicles
from shop.errors import ValidationError

T = TypeVar("T")

app = make_app("Customers: add, find, edit, archive, import and export.")
COLUMNS = ["id", "name", "phone_display", "email", "archived"]
HEADERS = ["ID", "NAME", "PHONE", "EMAIL", "ARCHIVED"]


def _given(**fields: object) -> dict[str, object]:
    return {k: v for k, v in fields.items() if v is not None}


@app.command("add")
def add(
    name: str = typer.Option(..., "--name"),
    phone: str | None = typer.Option(None, "--phone", help="National (in the shop's region) or +country."),
    email: str | None = typer.Option(None, "--email"),
    address: str = typer.Option("", "--address"),
    notes: str = typer.Option("", "--notes"),
    force: bool = typer.Option(False, "--force", help="Add even if another customer has this phone number."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Add a customer; prints the new id (the whole customer with --json)."""
    use_db()
    customer = customers.add_customer(name, phone=phone, email=email, address=address, notes=notes, force=force)
    output.done(str(customer.id), customer, as_json)


@app.command("list")
def list_(
    search: str | None = typer.Option(None, "--search", help="Name, phone, e-mail, plate or VIN fragment."),
    all_: bool = typer.Option(False, "--all", help="Include archived customers."),
    limit: int = typer.Option(100, "--limit", min=0, help="At most this many (0: no limit)."),
    offset: int = typer.Option(0, "--offset", min=0),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List customers by name."""
    use_db()
    found = customers.list_customers(search=search, include_archived=all_, limit=limit, offset=offset)
    if as_json:
        output.print_json(found)
    else:
        output.print_table(found, COLUMNS, HEADERS)


@app.command("show")
def show(customer_id: int = typer.Argument(..., metavar="ID"), as_json: bool = typer.Option(False, "--json")) -> None:
    """One customer with their cars."""
    use_db()
    customer = customers.get_customer(customer_id)
    cars = vehicles.list_vehicles(customer_id=customer_id, include_archived=True)
    if as_json:
        output.print_json({**output.to_plain(customer), "cars": output.to_plain(cars)})
        return
    output.print_record(customer)
    if cars:
        typer.echo("")
        output.print_table(cars, ["id", "plate", "make", "model", "year", "vin", "mileage", "archived"])


@app.command("edit")
def edit(
    customer_id: int = typer.Argument(..., metavar="ID"),
    name: str | None = typer.Option(None, "--name"),
    phone: str | None = typer.Option(None, "--phone", help='"" removes the phone number.'),
    email: str | None = typer.Option(None, "--email", help='"" removes the e-mail address.'),
    address: str | None = typer.Option(None, "--address"),
    notes: str | None = typer.Option(None, "--notes"),
    version: int | None = typer.Option(None, "--version", help="Refuse if the customer changed since this version."),
    force: bool = typer.Option(False, "--force", help="Allow a phone number another customer has."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Change a customer's details (only the options given)."""
    use_db()
    fields = _given(name=name, phone=phone, email=email, address=address, notes=notes)
    if not fields:
        raise typer.BadParameter("give at least one of --name --phone --email --address --notes")
    customer = customers.edit_customer(customer_id, version=version, force=force, **fields)
    output.done(f"customer {customer.id} saved (version {customer.version})", customer, as_json)


@app.command("archive")
def archive(
    customer_id: int = typer.Argument(..., metavar="ID"),
    force: bool = typer.Option(False, "--force", help="Archive even with a visit booked (the visit stays booked)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Hide a customer from lists; their history stays."""
    use_db()
    customer = customers.archive_customer(customer_id, force=force)
    output.done(f"customer {customer.id} archived", customer, as_json)


@app.command("restore")
def restore(
    customer_id: int = typer.Argument(..., metavar="ID"), as_json: bool = typer.Option(False, "--json")
) -> None:
    """Bring an archived customer back."""
    use_db()
    customer = customers.restore_customer(customer_id)
    output.done(f"customer {customer.id} restored", customer, as_json)


def _progress(items: Sequence[T], label: str) -> Iterable[T]:
    def run() -> Iterator[T]:
        with output.progress(items, len(items), label) as bar:
            yield from bar

    return run()


@app.command("import")
def import_(
    file: Path = typer.Argument(..., metavar="FILE.csv", exists=True, dir_okay=False, readable=True),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Import the good rows; write the bad ones to the reject file."
    ),
    reject_file: Path | None = typer.Option(
        None, "--reject-file", help="Where bad rows go with --skip-invalid (default FILE.rejects.csv)."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row and report; store nothing."),
    force: bool = typer.Option(False, "--force", help="Allow phone numbers another customer already has."),
    encoding: str = typer.Option("utf-8", "--encoding", help="The file's text encoding, e.g. cp1252."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Import customers (and their cars: one row per car). All rows or none, unless --skip-invalid.

    Columns: name (required), phone, email, address, notes, make, model, year, vin, plate, colour, mileage.
    """
    use_db()
    try:
        text = csvio.decode(file.read_bytes(), encoding)
        result = customer_csv.import_customers(
            text, skip_invalid=skip_invalid, dry_run=dry_run, force=force, wrap=_progress
        )
    except ValidationError as exc:
        output.info(f"error: {file.name}: nothing imported; {len(exc.fields)} problem(s):")
        for name, why in exc.fields.items():
            output.info(f"  {name}: {why}" if name else f"  {why}")
        raise typer.Exit(EXIT_INVALID) from None
    rejects_path = None
    if result.rejected:
        rejects_path = reject_file or file.with_name(file.stem + ".rejects.csv")
        if not dry_run:
            rejects_path.write_text(customer_csv.rejects_csv(result.rejected), encoding="utf-8")
        for bad in result.rejected[:20]:
            output.info(f"  row {bad.line}: {bad.reason}")
        if len(result.rejected) > 20:
            output.info(f"  ... and {len(result.rejected) - 20} more")
    summary = {
        "rows": result.rows,
        "customers": result.customers_added,
        "cars": result.cars_added,
        "rejected": len(result.rejected),
        "reject_file": str(rejects_path) if rejects_path and not dry_run else None,
        "dry_run": result.dry_run,
    }
    verb = "would import" if dry_run else "imported"
    message = f"{verb} {result.customers_added} customer(s) and {result.cars_added} car(s) from {result.rows} row(s)"
    if result.rejected:
        message += f"; {len(result.rejected)} row(s) rejected" + (f", written to {rejects_path}" if not dry_run else "")
    output.done(message, summary, as_json)


@app.command("export")
def export(
    file: Path | None = typer.Argument(None, metavar="[FILE.csv]", help="Default: standard output."),
    all_: bool = typer.Option(False, "--all", help="Include archived customers."),
) -> None:
    """Write customers and their cars as CSV (one row per car) that `customer import` reads back."""
    use_db()
    text = customer_csv.export_customers(include_archived=all_)
    if file is None or str(file) == "-":
        typer.echo(text, nl=False)
    else:
        file.write_text(text, encoding="utf-8")
        output.info(f"wrote {text.count(chr(10)) - 1} row(s) to {file}")
