"""Repair jobs: the work done on a booked appointment.

Check-in opens the job (mileage goes into the car's mileage history, the customer's complaint is
kept) and moves the appointment to `checked_in`; the job's status is the appointment's status
(`shop.booking.set_status`). Mechanics add notes, labour lines (hours × rate) and parts used; a
part used writes its stock movement and the job's line in one transaction, so stock and job never
disagree. The time clock records when a mechanic works on a job: one open entry per mechanic,
enforced by a unique index.

Billed hours of a job are its labour hours plus the standard times of its booked services;
clocked hours are the closed time-clock entries. Both are per mechanic as well: labour lines
count for the mechanic who did them, service times for the job's assigned mechanic.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from peewee import JOIN, IntegrityError

from shop import audit, booking, clock, inventory, invoices, lines, settings, vehicles
from shop.amounts import parse_money, parse_quantity
from shop.auth import SYSTEM, Actor, Role, require
from shop.db import database, lock_rows, transaction
from shop.errors import Conflict, NotFound, ValidationError
from shop.models import Appointment, AppointmentService, Customer, Invoice, InvoiceLine, Part, Quote, Staff, Vehicle
from shop.models.jobs import Job, JobLabour, JobNote, JobPart, TimeEntry

HOUR = Decimal(3600)
OPEN_STATUSES = ("checked_in", "in_progress", "waiting_parts")


@dataclass(frozen=True)
class Note:
    at: datetime
    author: str
    text: str


@dataclass(frozen=True)
class Labour:
    id: int
    description: str
    hours: Decimal
    rate: Decimal
    amount: Decimal
    mechanic: str | None


@dataclass(frozen=True)
class PartUsed:
    id: int
    sku: str
    name: str
    quantity: Decimal  # negative for a return
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class TimeSpan:
    id: int
    mechanic: str
    started_at: datetime
    ended_at: datetime | None
    hours: Decimal
    mechanic_name: str = ""  # the full name, for screens (`mechanic` is the login name)


@dataclass(frozen=True)
class BookedService:
    service_id: int
    name: str
    duration_minutes: int
    price: Decimal


@dataclass(frozen=True)
class JobInfo:
    id: int
    appointment_id: int
    status: str
    customer_id: int
    customer_name: str
    vehicle_id: int
    vehicle: str | None
    mechanic_id: int | None
    mechanic: str | None
    mileage: int | None
    complaint: str
    checked_in_at: datetime
    completed_at: datetime | None
    services: tuple[BookedService, ...]
    labour: tuple[Labour, ...]
    parts: tuple[PartUsed, ...]
    notes: tuple[Note, ...]
    time: tuple[TimeSpan, ...]
    billed_hours: Decimal
    clocked_hours: Decimal
    invoice: str | None  # number (or "draft #id") of the job's current invoice
    timeline: tuple[booking.TimelineEntry, ...] = ()  # status history (filled by get_job)
    mechanic_name: str | None = None  # the full name, for screens (`mechanic` is the login name)


@dataclass(frozen=True)
class JobSummary:
    id: int
    appointment_id: int
    status: str
    customer_name: str
    vehicle: str | None
    mechanic: str | None
    checked_in_at: datetime


def _hours(seconds: int) -> Decimal:
    return (Decimal(seconds) / HOUR).quantize(Decimal("0.01"))


def _actor_text(actor: Actor) -> str:
    return f"{actor.role.value}:{actor.name}"


def _staff(ref: int | str, field: str = "mechanic") -> Staff:
    text = str(ref).strip()
    row = Staff.get_or_none(Staff.id == int(text)) if text.isdigit() else Staff.get_or_none(Staff.username == text)
    if row is None:
        raise ValidationError({field: f"no staff member {ref!r}"})
    if not row.active:
        raise ValidationError({field: f"{row.username} is deactivated"})
    return row


def _job(job_id: int, lock: bool = False) -> Job:
    query = Job.select().where(Job.id == job_id)
    row = (lock_rows(query) if lock else query).first()
    if row is None:
        raise NotFound(f"no job #{job_id}")
    return row


def _open(job_id: int) -> Job:
    """The job, locked, refusing work on a finished one."""
    row = _job(job_id, lock=True)
    status = row.appointment.status
    if status not in OPEN_STATUSES:
        raise Conflict(f"job #{job_id} is {status}; work can only be recorded on an open job")
    return row


def _invoice_refs(job_ids: list[int]) -> dict[int, str]:
    """Each job's current invoice: number, or "draft #id" (the newest not credited), in two queries.

    A job booked from a quote is billed once, whichever way: its own invoice, or the quote's.
    """
    quote_jobs = dict(
        Quote.select(Quote.id, Job.id)
        .join(Job, on=(Job.appointment == Quote.appointment))
        .where(Job.id.in_(job_ids))
        .tuples()
    )
    refs: dict[int, str] = {}
    query = (
        Invoice.select()
        .where(
            (Invoice.job.in_(job_ids) | Invoice.quote.in_(list(quote_jobs))),
            Invoice.kind == "invoice",
            Invoice.status != "credited",
        )
        .order_by(Invoice.id.desc())
    )
    for row in query:
        job_id = row.job_id if row.job_id in job_ids else quote_jobs[row.quote_id]
        refs.setdefault(job_id, row.number or f"draft #{row.id}")
    return refs


def _out(row: Job) -> JobInfo:
    return _outs([row])[0]


def _outs(rows: list[Job]) -> list[JobInfo]:
    """The jobs with their details in a fixed number of queries, however many jobs (one kind of row per query).

    Appointments are read fresh: a service may just have moved a job's status.
    """
    ids = [r.id for r in rows]
    appts = {
        a.id: a
        for a in Appointment.select(Appointment, Customer, Vehicle)
        .join(Customer)
        .switch(Appointment)
        .join(Vehicle)
        .where(Appointment.id.in_([r.appointment_id for r in rows]))
    }
    mechanic_ids = {r.mechanic_id for r in rows if r.mechanic_id}
    staff_rows = Staff.select(Staff.id, Staff.username, Staff.full_name).where(Staff.id.in_(list(mechanic_ids)))
    names = {s.id: (s.username, s.full_name) for s in staff_rows} if mechanic_ids else {}
    services: dict[int, list[BookedService]] = {a: [] for a in appts}
    for s in (
        AppointmentService.select()
        .where(AppointmentService.appointment.in_(list(appts)))
        .order_by(AppointmentService.position)
    ):
        services[s.appointment_id].append(BookedService(s.service_id, s.name, s.duration_minutes, s.price))
    labour: dict[int, list[Labour]] = {i: [] for i in ids}
    for r in (
        JobLabour.select(JobLabour, Staff)
        .join(Staff, JOIN.LEFT_OUTER)
        .where(JobLabour.job.in_(ids))
        .order_by(JobLabour.id)
    ):
        labour[r.job_id].append(
            Labour(
                r.id,
                r.description,
                r.hours,
                r.rate,
                lines.line_amount("labour", r.hours, r.rate),
                r.mechanic.username if r.mechanic_id else None,
            )
        )
    parts: dict[int, list[PartUsed]] = {i: [] for i in ids}
    for r in JobPart.select(JobPart, Part).join(Part).where(JobPart.job.in_(ids)).order_by(JobPart.id):
        parts[r.job_id].append(
            PartUsed(
                r.id,
                r.part.sku,
                r.part.name,
                r.quantity,
                r.unit_price,
                lines.line_amount("part", abs(r.quantity), r.unit_price, 1 if r.quantity > 0 else -1),
            )
        )
    notes: dict[int, list[Note]] = {i: [] for i in ids}
    for r in JobNote.select().where(JobNote.job.in_(ids)).order_by(JobNote.id):
        notes[r.job_id].append(Note(r.at, r.author, r.text))
    spans: dict[int, list[TimeSpan]] = {i: [] for i in ids}
    clocked = dict.fromkeys(ids, 0)
    now = clock.now()
    for r in TimeEntry.select(TimeEntry, Staff).join(Staff).where(TimeEntry.job.in_(ids)).order_by(TimeEntry.id):
        seconds = r.seconds if r.seconds is not None else int((now - r.started_at).total_seconds())
        clocked[r.job_id] += r.seconds or 0
        spans[r.job_id].append(
            TimeSpan(r.id, r.mechanic.username, r.started_at, r.ended_at, _hours(seconds), r.mechanic.full_name)
        )
    invoice_refs = _invoice_refs(ids)
    out = []
    for row in rows:
        appt = appts[row.appointment_id]
        booked = tuple(services[appt.id])
        done = tuple(labour[row.id])
        billed = sum((x.hours for x in done), Decimal("0.00")) + sum(
            (Decimal(s.duration_minutes) / 60 for s in booked), Decimal("0")
        )
        vehicle = appt.vehicle
        out.append(
            JobInfo(
                row.id,
                appt.id,
                appt.status,
                appt.customer_id,
                appt.customer.name,
                vehicle.id,
                vehicle.plate or f"{vehicle.make} {vehicle.model}",
                row.mechanic_id,
                names[row.mechanic_id][0] if row.mechanic_id in names else None,
                row.mileage,
                row.complaint,
                row.checked_in_at,
                row.completed_at,
                booked,
                done,
                tuple(parts[row.id]),
                tuple(notes[row.id]),
                tuple(spans[row.id]),
                billed.quantize(Decimal("0.01")),
                _hours(clocked[row.id]),
                invoice_refs.get(row.id),
                mechanic_name=names[row.mechanic_id][1] if row.mechanic_id in names else None,
            )
        )
    return out


@transaction
def check_in(
    appointment_id: int,
    mileage: object = None,
    complaint: str = "",
    mechanic: int | str | None = None,
    actor: Actor = SYSTEM,
    mileage_correction: bool = False,
) -> JobInfo:
    """Open the job for a scheduled appointment; the mileage joins the car's history.

    A MILEAGE below the car's last reading is refused unless MILEAGE_CORRECTION (the old one was wrong,
    or the odometer was replaced), as `vehicles.record_mileage` refuses it without `force`.

    MECHANIC, when given, is assigned to the appointment as `booking.assign_mechanic` does (they must
    work then, not be off, and be free); without it the job keeps the appointment's mechanic.
    """
    require(actor, "job.work")
    appt = Appointment.get_or_none(Appointment.id == appointment_id)
    if appt is None:
        raise NotFound(f"no appointment #{appointment_id}")
    if Job.select().where(Job.appointment == appt.id).exists():
        raise Conflict(f"appointment #{appointment_id} is already checked in")
    staff_row = _staff(mechanic) if mechanic not in (None, "") else appt.mechanic
    if staff_row is not None and staff_row.id != appt.mechanic_id:
        # Naming a mechanic at check-in assigns the appointment too (same checks), so the calendar,
        # the jobs board and the reports agree on who does the work.
        booking.assign_mechanic(appt.id, staff_row.id, actor=actor)
    reading = None
    if mileage not in (None, ""):
        reading = vehicles.record_mileage(
            appt.vehicle_id, mileage, source="check-in", force=mileage_correction, actor=actor
        ).mileage
    booking.set_status(appt.id, "checked_in", note=complaint.strip(), actor=actor)
    now = clock.now()
    try:
        with database.atomic():
            row = Job.create(
                appointment=appt.id,
                mechanic=staff_row.id if staff_row is not None else None,
                mileage=reading,
                complaint=complaint.strip(),
                checked_in_at=now,
                created_at=now,
            )
    except IntegrityError:
        raise Conflict(f"appointment #{appointment_id} is already checked in") from None
    audit.record(actor, "job.checkin", "job", row.id, appointment_id=appt.id, mileage=reading)
    return _out(row)


def job_for_appointment(appointment_id: int, actor: Actor = SYSTEM) -> JobInfo:
    require(actor, "job.read")
    row = Job.get_or_none(Job.appointment == appointment_id)
    if row is None:
        # Say why there is no job: "not checked in" would send the desk to check in a cancelled visit.
        appt = Appointment.get_or_none(Appointment.id == appointment_id)
        if appt is None:
            raise NotFound(f"no appointment #{appointment_id}")
        if appt.status in ("cancelled", "no_show"):
            word = "cancelled" if appt.status == "cancelled" else "a no-show"
            raise NotFound(f"appointment #{appointment_id} was {word}; it has no job")
        raise NotFound(f"appointment #{appointment_id} has not been checked in")
    return _out(row)


def get_job(job_id: int, actor: Actor = SYSTEM) -> JobInfo:
    """The job with its status timeline (check-in, start, waiting for parts, completion ...)."""
    require(actor, "job.read")
    info = _out(_job(job_id))
    return replace(info, timeline=booking.get_appointment(info.appointment_id, actor).timeline)


def list_jobs(
    status: str | None = None, mechanic: int | str | None = None, open_only: bool = False, actor: Actor = SYSTEM
) -> list[JobSummary]:
    require(actor, "job.read")
    query = (
        Job.select(Job, Appointment, Customer, Vehicle, Staff)
        .join(Appointment)
        .join(Customer)
        .switch(Appointment)
        .join(Vehicle)
        .switch(Job)
        .join(Staff, JOIN.LEFT_OUTER)
        .order_by(Job.id.desc())
        .limit(500)
    )
    if status:
        query = query.where(Appointment.status == status.strip().lower().replace("-", "_"))
    if open_only:
        query = query.where(Appointment.status.in_(OPEN_STATUSES))
    if mechanic not in (None, ""):
        query = query.where(Job.mechanic == _staff(mechanic).id)
    return [
        JobSummary(
            row.id,
            row.appointment_id,
            row.appointment.status,
            row.appointment.customer.name,
            row.appointment.vehicle.plate or f"{row.appointment.vehicle.make} {row.appointment.vehicle.model}",
            row.mechanic.username if row.mechanic_id else None,
            row.checked_in_at,
        )
        for row in query
    ]


def board(actor: Actor = SYSTEM) -> list[JobInfo]:
    """The open jobs with their details for the jobs board, oldest check-in first, in a fixed number of queries.

    For a mechanic their own jobs come first (check-in order kept within each group). The status
    timeline is left empty: the board does not show it, and `get_job` gives it for one job.
    """
    require(actor, "job.read")
    newest = Job.select(Job).join(Appointment).where(Appointment.status.in_(OPEN_STATUSES))
    rows = list(newest.order_by(Job.id.desc()).limit(500))  # the same 500 as `list_jobs(open_only=True)`
    infos = _outs(rows[::-1])
    if actor.role == Role.MECHANIC:
        infos.sort(key=lambda j: j.mechanic != actor.name)  # stable
    return infos


@transaction
def assign(job_id: int, mechanic: int | str, actor: Actor = SYSTEM) -> JobInfo:
    """Give an open job to a mechanic: the job's appointment is assigned with `booking.assign_mechanic`'s checks."""
    row = _job(job_id)  # not locked here: the booking side takes its locks in the bookings' order
    booking.assign_mechanic(row.appointment_id, mechanic, actor=actor)
    return _out(_job(job_id))


@transaction
def add_note(job_id: int, text: str, actor: Actor = SYSTEM) -> JobInfo:
    require(actor, "job.work")
    if not (text or "").strip():
        raise ValidationError({"text": "a note must not be empty"})
    row = _job(job_id, lock=True)
    JobNote.create(job=row.id, at=clock.now(), author=actor.name, text=text.strip())
    return _out(row)


@transaction
def add_labour(
    job_id: int,
    hours: object,
    description: str = "Labour",
    rate: object = None,
    mechanic: int | str | None = None,
    actor: Actor = SYSTEM,
) -> JobInfo:
    """A labour line besides the booked services (hours × rate, default `labour.rate`)."""
    require(actor, "job.work")
    hours_value = parse_quantity(hours, "hours")
    value_rate = parse_money(rate, "rate") if rate not in (None, "") else settings.get_decimal("labour.rate")
    text = (description or "").strip()
    if not text:
        raise ValidationError({"description": "must not be empty"})
    row = _open(job_id)
    who = _staff(mechanic).id if mechanic not in (None, "") else (actor.staff_id or row.mechanic_id)
    JobLabour.create(job=row.id, mechanic=who, description=text, hours=hours_value, rate=value_rate, at=clock.now())
    audit.record(actor, "job.labour", "job", row.id, hours=str(hours_value), rate=str(value_rate))
    return _out(row)


@transaction
def use_part(job_id: int, sku: str, quantity: object, actor: Actor = SYSTEM) -> JobInfo:
    """Take a part out of stock for the job: movement and job line in one transaction."""
    require(actor, "job.work")
    row = _open(job_id)
    move = inventory.use(sku, quantity, job_id=row.id, reference=f"job {row.id}", actor=actor)
    part = Part.get_by_id(move.part_id)
    JobPart.create(
        job=row.id, part=part.id, movement=move.id, quantity=-move.quantity, unit_price=part.price, at=move.at
    )
    return _out(row)


@transaction
def return_part(job_id: int, sku: str, quantity: object, actor: Actor = SYSTEM) -> JobInfo:
    """Put unused parts of this job back on the shelf (no more than the job took)."""
    require(actor, "job.work")
    row = _open(job_id)
    qty = parse_quantity(quantity)
    part = Part.get_or_none(Part.sku == str(sku).strip().upper())
    if part is None:
        raise NotFound(f"unknown SKU {sku!r}")
    rows = list(JobPart.select().where(JobPart.job == row.id, JobPart.part == part.id).order_by(JobPart.id))
    taken_qty = sum((r.quantity for r in rows), Decimal("0.00"))
    if qty > taken_qty:
        raise ValidationError({"quantity": f"job #{job_id} has {taken_qty} of {part.sku}; cannot return {qty}"})
    move = inventory.return_(part.sku, qty, job_id=row.id, reference=f"job {row.id}", actor=actor)
    taken_prices = [r.unit_price for r in rows if r.quantity > 0]
    price = taken_prices[-1] if taken_prices else part.price
    JobPart.create(job=row.id, part=part.id, movement=move.id, quantity=-qty, unit_price=price, at=move.at)
    return _out(row)


@transaction
def clock_on(job_id: int, mechanic: int | str | None = None, actor: Actor = SYSTEM) -> JobInfo:
    """Start the mechanic's clock on the job; refused while they are clocked on anywhere."""
    require(actor, "job.work")
    row = _open(job_id)
    staff_row = _staff(mechanic) if mechanic not in (None, "") else None
    if staff_row is None:
        if actor.staff_id is None:
            raise ValidationError({"mechanic": "say who clocks on (--mechanic USERNAME)"})
        staff_row = Staff.get_by_id(actor.staff_id)
    running = TimeEntry.get_or_none(TimeEntry.mechanic == staff_row.id, TimeEntry.ended_at.is_null())
    if running is not None:
        raise Conflict(f"{staff_row.username} is already clocked on job #{running.job_id}; clock off first")
    try:
        with database.atomic():
            TimeEntry.create(job=row.id, mechanic=staff_row.id, started_at=clock.now())
    except IntegrityError:
        raise Conflict(f"{staff_row.username} is already clocked on; clock off first") from None
    if row.appointment.status == "checked_in":
        booking.set_status(row.appointment_id, "in_progress", note="clocked on", actor=actor)
    audit.record(actor, "job.clock_on", "job", row.id, mechanic=staff_row.username)
    return _out(row)


def _close(entry: TimeEntry) -> None:
    now = clock.now()
    seconds = max(0, int((now - entry.started_at).total_seconds()))
    TimeEntry.update(ended_at=now, seconds=seconds).where(TimeEntry.id == entry.id).execute()


@transaction
def clock_off(mechanic: int | str | None = None, actor: Actor = SYSTEM) -> JobInfo:
    """Stop the mechanic's running clock; returns the job it ran on."""
    require(actor, "job.work")
    staff_row = _staff(mechanic) if mechanic not in (None, "") else None
    if staff_row is None:
        if actor.staff_id is None:
            raise ValidationError({"mechanic": "say who clocks off (--mechanic USERNAME)"})
        staff_row = Staff.get_by_id(actor.staff_id)
    entry = lock_rows(
        TimeEntry.select().where(TimeEntry.mechanic == staff_row.id, TimeEntry.ended_at.is_null())
    ).first()
    if entry is None:
        raise Conflict(f"{staff_row.username} is not clocked on")
    _close(entry)
    audit.record(actor, "job.clock_off", "job", entry.job_id, mechanic=staff_row.username)
    return _out(_job(entry.job_id))


@transaction
def set_status(job_id: int, status: str, note: str = "", actor: Actor = SYSTEM) -> JobInfo:
    """Move the job (its appointment) along: in_progress, waiting_parts, completed.

    Completing a job stops any clock still running on it.
    """
    require(actor, "job.status")
    row = _job(job_id, lock=True)
    booking.set_status(row.appointment_id, status, note=note, actor=actor)
    if Appointment.get_by_id(row.appointment_id).status == "completed":
        for entry in TimeEntry.select().where(TimeEntry.job == row.id, TimeEntry.ended_at.is_null()):
            _close(entry)
        row.completed_at = clock.now()
        row.save()
    return _out(_job(row.id))


@transaction
def create_invoice(job_id: int, discount: object = None, actor: Actor = SYSTEM) -> invoices.InvoiceInfo:
    """A draft invoice for a completed job: booked services at their booked prices, labour, parts,
    and an optional discount (a fixed net amount off)."""
    require(actor, "invoice.write")
    discount_line = (
        lines.prepare("discount", description="Discount", unit_price=discount) if discount not in (None, "") else None
    )
    row = _job(job_id, lock=True)
    appt = row.appointment
    if appt.status != "completed":
        raise Conflict(f"job #{job_id} is {appt.status}; complete it before invoicing")
    existing = _invoice_refs([row.id]).get(row.id)
    if existing is not None:
        raise Conflict(f"job #{job_id} already has invoice {existing}; credit it first to invoice again")
    draft = invoices.new_draft(appt.customer_id, appt.vehicle_id, notes=f"Job #{row.id}")
    draft.job = row.id
    # The accepted quote the visit was booked from is billed by this invoice (no second one from the quote).
    quote = (
        Quote.select(Quote.id)
        .where(Quote.appointment == appt.id, Quote.status == "accepted")
        .order_by(Quote.id.desc())
        .first()
    )
    draft.quote = quote.id if quote is not None else None
    draft.save()
    owner = {"invoice": draft.id}
    tax = settings.get_decimal("tax.rate").quantize(Decimal("0.01"))
    for s in (
        AppointmentService.select()
        .where(AppointmentService.appointment == appt.id)
        .order_by(AppointmentService.position)
    ):
        values = {"kind": "service", "service": s.service_id, "part": None, "description": s.name}
        lines.add(InvoiceLine, owner, {**values, "quantity": Decimal("1.00"), "unit_price": s.price, "tax_rate": tax})
    for r in JobLabour.select().where(JobLabour.job == row.id).order_by(JobLabour.id):
        values = {"kind": "labour", "service": None, "part": None, "description": r.description}
        lines.add(InvoiceLine, owner, {**values, "quantity": r.hours, "unit_price": r.rate, "tax_rate": tax})
    used: dict[int, list[JobPart]] = {}
    for r in JobPart.select(JobPart, Part).join(Part).where(JobPart.job == row.id).order_by(Part.sku, JobPart.id):
        used.setdefault(r.part_id, []).append(r)
    for entries in used.values():
        qty = sum((r.quantity for r in entries), Decimal("0.00"))
        if qty <= 0:
            continue
        price = [r.unit_price for r in entries if r.quantity > 0][-1]
        part = entries[0].part
        values = {"kind": "part", "service": None, "part": part.id, "description": f"{part.name} ({part.sku})"}
        lines.add(InvoiceLine, owner, {**values, "quantity": qty, "unit_price": price, "tax_rate": tax})
    if not InvoiceLine.select().where(InvoiceLine.invoice == draft.id).exists():
        raise ValidationError({"job": f"job #{job_id} has nothing to invoice"})
    if discount_line is not None:
        lines.add(InvoiceLine, owner, discount_line)
    invoices.refresh_totals(draft)
    audit.record(actor, "invoice.create", "invoice", draft.id, job_id=row.id)
    return invoices.get_invoice(draft.id, actor)
