"""`garage job ...`"""

from __future__ import annotations

import typer

from garage_cli import output
from garage_cli.root import make_app, use_db
from shop import jobs

app = make_app("Repair jobs: check-in, notes, labour, parts, time clock, status, invoice.")
LIST_COLUMNS = ["id", "appointment_id", "status", "customer_name", "vehicle", "mechanic", "checked_in_at"]


def _show(job: jobs.JobInfo, as_json: bool) -> None:
    if as_json:
        output.print_json(job)
        return
    output.print_record(
        job,
        [
            "id",
            "appointment_id",
            "status",
            "customer_name",
            "vehicle",
            "mechanic",
            "mileage",
            "complaint",
            "billed_hours",
            "clocked_hours",
            "invoice",
        ],
    )
    sections = [
        ("services", list(job.services), ["name", "duration_minutes", "price"]),
        ("labour", list(job.labour), ["id", "description", "hours", "rate", "amount", "mechanic"]),
        ("parts", list(job.parts), ["sku", "name", "quantity", "unit_price", "amount"]),
        ("time clock", list(job.time), ["mechanic", "started_at", "ended_at", "hours"]),
        ("notes", list(job.notes), ["at", "author", "text"]),
        ("timeline", list(job.timeline), ["at", "actor", "from_status", "to_status", "note"]),
    ]
    for title, rows, columns in sections:
        if rows:
            typer.echo(f"\n{title}:")
            output.print_table(rows, columns)


@app.command("checkin")
def checkin(
    appointment: int,
    mileage: str | None = typer.Option(None, "--mileage", help="Odometer reading (goes into the car's history)."),
    complaint: str = typer.Option("", "--complaint", help="What the customer reports."),
    mechanic: str | None = typer.Option(None, "--mechanic", help="Assigned mechanic (username)."),
    force: bool = typer.Option(False, "--force", help="Accept a mileage lower than the last reading (a correction)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Check a booked car in: opens its job."""
    use_db()
    job = jobs.check_in(appointment, mileage, complaint, mechanic, mileage_correction=force)
    output.done(f"job {job.id} (appointment {job.appointment_id}) checked in", job, as_json)


@app.command("assign")
def assign(job: int, mechanic: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Assign the job to a mechanic."""
    use_db()
    info = jobs.assign(job, mechanic)
    output.done(f"job {info.id} assigned to {info.mechanic}", info, as_json)


@app.command("note")
def note(job: int, text: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Add a work note."""
    use_db()
    info = jobs.add_note(job, text)
    output.done(f"note added to job {info.id}", info, as_json)


@app.command("labour")
def labour(
    job: int,
    hours: str = typer.Option(..., "--hours"),
    description: str = typer.Option("Labour", "--description", "-d"),
    rate: str | None = typer.Option(None, "--rate", help="Per hour (default: labour.rate)."),
    mechanic: str | None = typer.Option(None, "--mechanic"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Add a labour line (hours × rate)."""
    use_db()
    info = jobs.add_labour(job, hours, description, rate, mechanic)
    output.done(f"job {info.id}: {info.labour[-1].hours} h {info.labour[-1].description}", info, as_json)


@app.command("part")
def part(job: int, sku: str, quantity: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Use a part on the job (takes it out of stock)."""
    use_db()
    info = jobs.use_part(job, sku, quantity)
    output.done(f"job {info.id}: {quantity} x {sku.upper()} used", info, as_json)


@app.command("return")
def return_(job: int, sku: str, quantity: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Return unused parts of the job to stock."""
    use_db()
    info = jobs.return_part(job, sku, quantity)
    output.done(f"job {info.id}: {quantity} x {sku.upper()} returned", info, as_json)


@app.command("clock-on")
def clock_on(
    job: int, mechanic: str = typer.Option(..., "--mechanic"), as_json: bool = typer.Option(False, "--json")
) -> None:
    """Start a mechanic's clock on the job."""
    use_db()
    info = jobs.clock_on(job, mechanic)
    output.done(f"{mechanic} clocked on job {info.id}", info, as_json)


@app.command("clock-off")
def clock_off(mechanic: str = typer.Option(..., "--mechanic"), as_json: bool = typer.Option(False, "--json")) -> None:
    """Stop a mechanic's running clock."""
    use_db()
    info = jobs.clock_off(mechanic)
    output.done(f"{mechanic} clocked off job {info.id}; clocked {info.clocked_hours} h in all", info, as_json)


@app.command("status")
def status(
    job: int,
    new_status: str = typer.Argument(..., metavar="STATUS", help="in_progress, waiting_parts, completed"),
    note: str = typer.Option("", "--note"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Move the job along its status timeline."""
    use_db()
    info = jobs.set_status(job, new_status, note)
    output.done(f"job {info.id} is {info.status}", info, as_json)


@app.command("invoice")
def invoice(
    job: int,
    discount: str | None = typer.Option(None, "--discount", help="Net amount off, e.g. 20.00"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Create the draft invoice of a completed job (then `garage invoice issue ID`)."""
    use_db()
    doc = jobs.create_invoice(job, discount)
    output.done(f"draft invoice {doc.id} for job {job}: total {doc.totals.total}", doc, as_json)


@app.command("show")
def show(job: int, as_json: bool = typer.Option(False, "--json")) -> None:
    """A job with services, labour, parts, time clock and notes."""
    use_db()
    _show(jobs.get_job(job), as_json)


@app.command("list")
def list_(
    status: str | None = typer.Option(None, "--status"),
    mechanic: str | None = typer.Option(None, "--mechanic"),
    open_only: bool = typer.Option(False, "--open", help="Only jobs still in the workshop."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Jobs, newest first."""
    use_db()
    output.emit(jobs.list_jobs(status, mechanic, open_only), as_json, LIST_COLUMNS)
