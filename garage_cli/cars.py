"""`garage car ...`"""

from __future__ import annotations

import typer

from garage_cli import output
from garage_cli.root import make_app, use_db
from shop import vehicles

app = make_app("Cars: owner, VIN, plate and mileage history.")
COLUMNS = ["id", "customer_id", "plate", "make", "model", "year", "vin", "colour", "mileage"]


@app.command("add")
def add(
    customer: int = typer.Option(..., "--customer", metavar="ID", help="Owner's customer id."),
    make: str | None = typer.Option(None, "--make", help="Suggested from the VIN when left out."),
    model: str = typer.Option(..., "--model"),
    year: str | None = typer.Option(None, "--year", help="Suggested from the VIN when left out."),
    vin: str | None = typer.Option(None, "--vin"),
    plate: str | None = typer.Option(None, "--plate"),
    colour: str = typer.Option("", "--colour", "--color"),
    mileage: str | None = typer.Option(None, "--mileage"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Add a car to a customer; prints the new id (the whole car with --json)."""
    use_db()
    car = vehicles.add_vehicle(customer, make, model, year=year, vin=vin, plate=plate, colour=colour, mileage=mileage)
    output.done(str(car.id), car, as_json)


@app.command("list")
def list_(
    customer: int | None = typer.Option(None, "--customer", metavar="ID"),
    search: str | None = typer.Option(None, "--search", help="Plate, VIN, make or model fragment."),
    all_: bool = typer.Option(False, "--all", help="Include archived cars."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List cars."""
    use_db()
    found = vehicles.list_vehicles(customer_id=customer, search=search, include_archived=all_)
    output.emit(found, as_json, [*COLUMNS, "archived"] if all_ else COLUMNS)  # which ones are archived


@app.command("show")
def show(car_id: int = typer.Argument(..., metavar="ID"), as_json: bool = typer.Option(False, "--json")) -> None:
    """One car with its mileage history."""
    use_db()
    car = vehicles.get_vehicle(car_id)
    history = vehicles.mileage_history(car_id)
    if as_json:
        output.print_json({**output.to_plain(car), "mileage_history": output.to_plain(history)})
        return
    output.print_record(car)
    if history:
        typer.echo("")
        output.print_table(history, ["at", "mileage", "source"])


@app.command("edit")
def edit(
    car_id: int = typer.Argument(..., metavar="ID"),
    customer: int | None = typer.Option(None, "--customer", metavar="ID", help="New owner."),
    make: str | None = typer.Option(None, "--make"),
    model: str | None = typer.Option(None, "--model"),
    year: str | None = typer.Option(None, "--year"),
    vin: str | None = typer.Option(None, "--vin"),
    plate: str | None = typer.Option(None, "--plate"),
    colour: str | None = typer.Option(None, "--colour", "--color"),
    mileage: str | None = typer.Option(None, "--mileage"),
    version: int | None = typer.Option(None, "--version", help="Refuse if the car changed since this version."),
    force: bool = typer.Option(False, "--force", help="Allow a mileage lower than the last reading."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Change a car's details (only the options given)."""
    use_db()
    given = {
        "customer_id": customer,
        "make": make,
        "model": model,
        "year": year,
        "vin": vin,
        "plate": plate,
        "colour": colour,
        "mileage": mileage,
    }
    fields = {k: v for k, v in given.items() if v is not None}
    if not fields:
        raise typer.BadParameter("give at least one field to change, e.g. --plate or --mileage")
    car = vehicles.edit_vehicle(car_id, version=version, force=force, **fields)
    output.done(f"car {car.id} saved (version {car.version})", car, as_json)


@app.command("mileage")
def mileage(
    car_id: int = typer.Argument(..., metavar="ID"),
    value: int | None = typer.Argument(None, metavar="[MILEAGE]", help="New reading; leave out to show the history."),
    force: bool = typer.Option(False, "--force", help="Accept a reading lower than the last one (a correction)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Record an odometer reading, or show the readings so far."""
    use_db()
    if value is None:
        output.emit(vehicles.mileage_history(car_id), as_json, ["at", "mileage", "source"])
        return
    car = vehicles.record_mileage(car_id, value, force=force)
    output.done(f"car {car.id} mileage {car.mileage}", car, as_json)


@app.command("archive")
def archive(
    car_id: int = typer.Argument(..., metavar="ID"),
    force: bool = typer.Option(False, "--force", help="Archive even with a visit booked (the visit stays booked)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Hide a sold or scrapped car from lists and new bookings; its history stays."""
    use_db()
    car = vehicles.archive_vehicle(car_id, force=force)
    output.done(f"car {car.id} archived", car, as_json)


@app.command("restore")
def restore(car_id: int = typer.Argument(..., metavar="ID"), as_json: bool = typer.Option(False, "--json")) -> None:
    """Bring an archived car back (its owner must not be archived)."""
    use_db()
    car = vehicles.restore_vehicle(car_id)
    output.done(f"car {car.id} restored", car, as_json)


@app.command("decode-vin")
def decode_vin(vin: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """What a VIN says: maker, model years, country (checks the check digit where it applies)."""
    output.emit(vehicles.decode_vin(vin), as_json)
