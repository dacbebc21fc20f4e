"""`garage customer ...`"""

from __future__ import annotations

import typer

from garage_cli import output
from garage_cli.root import make_app, use_db
from shop import customers, vehicles

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
        output.print_table(cars, ["id", "plate", "make", "model", "year", "vin", "mileage"])


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
    customer_id: int = typer.Argument(..., metavar="ID"), as_json: bool = typer.Option(False, "--json")
) -> None:
    """Hide a customer from lists; their history stays."""
    use_db()
    customer = customers.archive_customer(customer_id)
    output.done(f"customer {customer.id} archived", customer, as_json)


@app.command("restore")
def restore(
    customer_id: int = typer.Argument(..., metavar="ID"), as_json: bool = typer.Option(False, "--json")
) -> None:
    """Bring an archived customer back."""
    use_db()
    customer = customers.restore_customer(customer_id)
    output.done(f"customer {customer.id} restored", customer, as_json)
