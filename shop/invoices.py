"""Invoices, credit notes and payments.

draft (editable) → issued (immutable, numbered) → paid (payments add up to the amount due).
Numbers are gapless per year and series (`2026-000001`, credit notes `CN-2026-000001`), assigned
only when a document is issued, inside the issuing transaction, from a `document_counter` row
that is locked for the rest of that transaction: two terminals issuing at the same moment get two
consecutive numbers, and a failed issue rolls its number back so no gap is left.

An issued invoice is never edited or deleted: a mistake is corrected by a credit note (issued at
once, with the credited lines as negative amounts), which lowers the amount due. Payments may be
partial; paying more than is due is refused. Arithmetic follows the rounding rule in `shop.amounts`.

Stock: a part leaves the shelf once. Parts a mechanic records on a job (`shop.jobs.use_part`) are
taken then, so issuing the job's invoice takes only what the invoice bills beyond the job's net use
of that part (an extra item sold at the desk). An invoice made from a quote that was
booked (`shop.quotes.book_accepted` links the quote to its appointment) counts what that
appointment's job used in the same way, and while the job has not started, the quote's accepted
part lines (the job will take them). A quote that was never booked, or whose appointment was
cancelled, is a counter sale. Everything else, a counter sale above all, is taken when the
invoice is issued, in the issuing transaction: not enough on the
shelf refuses the issue and leaves the draft (and the number) as they were. A credit note puts
back, per part, what it credits up to what its invoice took and has not had back (unless the
desk says the customer keeps the parts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from peewee import JOIN, fn

from shop import audit, clock, events, inventory, lines, settings
from shop.amounts import parse_money
from shop.auth import SYSTEM, Actor, require
from shop.db import lock_rows, transaction
from shop.errors import Conflict, NotFound, ValidationError
from shop.event_types import InvoiceIssued
from shop.lines import Line, Totals
from shop.models import (
    Appointment,
    Customer,
    DocumentCounter,
    Invoice,
    InvoiceLine,
    Job,
    JobPart,
    Payment,
    Quote,
    QuoteLine,
    Vehicle,
)
from shop.ops import checks
from shop.quotes import today, vehicle_label
from shop.scheduling.availability import INACTIVE_STATUSES

ZERO = Decimal("0.00")
METHODS = ("cash", "card", "transfer", "other")
STATUSES = ("draft", "issued", "paid", "credited")


@dataclass(frozen=True)
class PaymentInfo:
    id: int
    amount: Decimal
    method: str
    paid_on: date
    reference: str


@dataclass(frozen=True)
class InvoiceInfo:
    id: int
    kind: str  # invoice or credit_note
    number: str | None
    status: str
    customer_id: int
    customer_name: str
    customer_address: str
    vehicle_id: int | None
    vehicle: str | None
    vin: str | None
    mileage: int | None
    quote_id: int | None
    credit_of: str | None  # number of the credited invoice
    notes: str
    reason: str
    issue_date: date | None
    due_date: date | None
    lines: tuple[Line, ...]
    totals: Totals
    paid: Decimal
    credited: Decimal
    due: Decimal
    payments: tuple[PaymentInfo, ...]
    credit_notes: tuple[str, ...]


@dataclass(frozen=True)
class InvoiceSummary:
    id: int
    number: str | None
    kind: str
    status: str
    customer_name: str
    issue_date: date | None
    due_date: date | None
    total: Decimal
    paid: Decimal
    due: Decimal


def format_number(kind: str, year: int, sequence: int) -> str:
    return f"{'CN-' if kind == 'credit_note' else ''}{year}-{sequence:06d}"


def _due(row: Invoice) -> Decimal:
    return row.total - row.paid - row.credited if row.kind == "invoice" else ZERO


def _out(row: Invoice) -> InvoiceInfo:
    items = lines.load(InvoiceLine, "invoice", row.id)
    totals = lines.totals_of(items)
    vehicle = row.vehicle
    payments = tuple(
        PaymentInfo(p.id, p.amount, p.method, p.paid_on, p.reference) for p in row.payments.order_by(Payment.id)
    )
    notes = tuple(
        n.number for n in Invoice.select(Invoice.number).where(Invoice.credit_of == row.id).order_by(Invoice.id)
    )
    return InvoiceInfo(
        row.id,
        row.kind,
        row.number,
        row.status,
        row.customer_id,
        row.customer.name,
        row.customer.address,
        row.vehicle_id,
        vehicle_label(vehicle),
        vehicle.vin if vehicle is not None else None,
        row.mileage if row.status != "draft" else (vehicle.mileage if vehicle is not None else None),
        row.quote_id,
        row.credit_of.number if row.credit_of_id else None,
        row.notes,
        row.reason,
        row.issue_date,
        row.due_date,
        tuple(items),
        totals,
        row.paid,
        row.credited,
        _due(row) if row.status != "draft" else totals.total,
        payments,
        notes,
    )


def _find(ref: int | str) -> Invoice:
    text = str(ref).strip()
    if text.isdigit():
        row = Invoice.get_or_none(Invoice.id == int(text))
    else:
        row = Invoice.get_or_none(Invoice.number == text.upper())
    if row is None:
        raise NotFound(f"no invoice {ref!r}")
    return row


def _locked(ref: int | str) -> Invoice:
    """The invoice row, locked for the rest of the transaction (one query)."""
    text = str(ref).strip()
    where = (Invoice.id == int(text)) if text.isdigit() else (Invoice.number == text.upper())
    row = lock_rows(Invoice.select().where(where)).first()
    if row is None:
        raise NotFound(f"no invoice {ref!r}")
    return row


def refresh_totals(row: Invoice) -> Totals:
    totals = lines.totals_of(lines.load(InvoiceLine, "invoice", row.id))
    row.net, row.tax, row.total = totals.net, totals.tax, totals.total
    row.updated_at = clock.now()
    row.save()
    return totals


def new_draft(
    customer_id: int, vehicle_id: int | None, notes: str = "", quote_id: int | None = None, kind: str = "invoice"
) -> Invoice:
    """A draft invoice row (for services in `shop` that build invoices: quotes, jobs)."""
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        raise ValidationError({"customer": f"no customer #{customer_id}"})
    if vehicle_id is not None:
        vehicle = Vehicle.get_or_none(Vehicle.id == vehicle_id)
        if vehicle is None:
            raise ValidationError({"vehicle": f"no vehicle #{vehicle_id}"})
        if vehicle.customer_id != customer.id:
            raise ValidationError({"vehicle": f"vehicle #{vehicle_id} does not belong to customer #{customer_id}"})
    now = clock.now()
    return Invoice.create(
        kind=kind,
        status="draft",
        customer=customer.id,
        vehicle=vehicle_id,
        quote=quote_id,
        notes=notes.strip(),
        reason="",
        net=ZERO,
        tax=ZERO,
        total=ZERO,
        paid=ZERO,
        credited=ZERO,
        created_at=now,
        updated_at=now,
    )


@transaction
def create_invoice(
    customer_id: int, vehicle_id: int | None = None, notes: str = "", actor: Actor = SYSTEM
) -> InvoiceInfo:
    """An empty draft for ad hoc lines."""
    require(actor, "invoice.write")
    row = new_draft(customer_id, vehicle_id, notes)
    audit.record(actor, "invoice.create", "invoice", row.id, customer_id=customer_id)
    return _out(row)


@transaction
def create_from_quote(quote_id: int, actor: Actor = SYSTEM) -> InvoiceInfo:
    """A draft with the quote's accepted lines at their quoted prices.

    A quote is invoiced once: while it has an invoice that is not fully credited, another is refused
    (the quote row is locked, so two desks pressing at once get one invoice and one refusal).
    """
    require(actor, "invoice.write")
    quote = lock_rows(Quote.select().where(Quote.id == quote_id)).first()
    if quote is None:
        raise NotFound(f"no quote #{quote_id}")
    if quote.status != "accepted":
        raise Conflict(f"quote #{quote_id} is {quote.status}; only an accepted quote can be invoiced")
    existing = (
        Invoice.select()
        .where(Invoice.quote == quote.id, Invoice.kind == "invoice", Invoice.status != "credited")
        .order_by(Invoice.id.desc())
        .first()
    )
    if existing is not None:
        name = existing.number or f"draft #{existing.id}"
        raise Conflict(f"quote #{quote_id} already has invoice {name}; credit it first to invoice the quote again")
    job_invoice = _job_invoice_of(quote)
    if job_invoice is not None:
        raise Conflict(
            f"quote #{quote_id} was booked as appointment #{quote.appointment_id}, whose job is already invoiced as"
            f" {job_invoice}; credit that invoice first to invoice the quote instead"
        )
    accepted = [line for line in lines.load(QuoteLine, "quote", quote.id) if line.decision == "accepted"]
    row = new_draft(quote.customer_id, quote.vehicle_id, quote.notes, quote_id=quote.id)
    lines.copy(accepted, InvoiceLine, {"invoice": row.id})
    refresh_totals(row)
    audit.record(actor, "invoice.create", "invoice", row.id, quote_id=quote_id)
    return _out(row)


def _job_invoice_of(quote: Quote) -> str | None:
    """The current invoice of the job the quote was booked as ("draft #id" or its number), if any."""
    if quote.appointment_id is None:
        return None
    found = (
        Invoice.select()
        .join(Job, on=(Invoice.job == Job.id))
        .where(Job.appointment == quote.appointment_id, Invoice.kind == "invoice", Invoice.status != "credited")
        .order_by(Invoice.id.desc())
        .first()
    )
    return None if found is None else found.number or f"draft #{found.id}"


def _editable(ref: int | str) -> Invoice:
    row = _locked(ref)
    if row.status != "draft":
        raise Conflict(
            f"invoice {row.number} is issued and cannot be changed; correct it with a credit note "
            f"(garage invoice credit {row.number})"
        )
    return row


@transaction
def add_line(
    ref: int | str,
    kind: str,
    *,
    service: object = None,
    part: object = None,
    description: str | None = None,
    quantity: object = "1",
    unit_price: object = None,
    tax_rate: object = None,
    actor: Actor = SYSTEM,
) -> InvoiceInfo:
    require(actor, "invoice.write")
    row = _editable(ref)
    line = lines.add_new(
        InvoiceLine,
        {"invoice": row.id},
        kind,
        service=service,
        part=part,
        description=description,
        quantity=quantity,
        unit_price=unit_price,
        tax_rate=tax_rate,
    )
    refresh_totals(row)
    audit.record(actor, "invoice.add_line", "invoice", row.id, line=line.position, kind=line.kind)
    return _out(row)


@transaction
def update_line(
    ref: int | str,
    position: int,
    *,
    description: str | None = None,
    quantity: object = None,
    unit_price: object = None,
    tax_rate: object = None,
    actor: Actor = SYSTEM,
) -> InvoiceInfo:
    """Correct a line of a draft (None keeps a value); an issued invoice is corrected by a credit note instead."""
    require(actor, "invoice.write")
    row = _editable(ref)
    changed = lines.revise_at(
        InvoiceLine, {"invoice": row.id}, position, description=description, quantity=quantity, unit_price=unit_price,
        tax_rate=tax_rate,
    )  # fmt: skip
    refresh_totals(row)
    audit.record(actor, "invoice.update_line", "invoice", row.id, line=position, amount=str(changed.amount))
    return _out(row)


@transaction
def remove_line(ref: int | str, position: int, actor: Actor = SYSTEM) -> InvoiceInfo:
    require(actor, "invoice.write")
    row = _editable(ref)
    deleted = InvoiceLine.delete().where(InvoiceLine.invoice == row.id, InvoiceLine.position == position).execute()
    if not deleted:
        raise NotFound(f"invoice #{row.id} has no line {position}")
    refresh_totals(row)
    audit.record(actor, "invoice.remove_line", "invoice", row.id, line=position)
    return _out(row)


def _next_number(kind: str, year: int) -> int:
    """The next sequence number of KIND in YEAR; the counter row stays locked until commit."""
    DocumentCounter.insert(series=kind, year=year, last=0).on_conflict_ignore().execute()
    where = (DocumentCounter.series == kind) & (DocumentCounter.year == year)
    counter = lock_rows(DocumentCounter.select().where(where)).get()
    sequence = counter.last + 1
    DocumentCounter.update(last=sequence).where(where).execute()
    return sequence


def _assign_number(row: Invoice) -> None:
    issue_date = today()
    sequence = _next_number(row.kind, issue_date.year)
    row.number = format_number(row.kind, issue_date.year, sequence)
    row.year, row.sequence = issue_date.year, sequence
    row.issue_date = issue_date
    row.issued_at = clock.now()


def _part_quantities(items: Sequence[Line]) -> dict[int, Decimal]:
    """Per part id, the quantity the part lines among ITEMS bill."""
    out: dict[int, Decimal] = {}
    for line in items:
        if line.kind == "part" and line.part_id is not None:
            out[line.part_id] = out.get(line.part_id, ZERO) + line.quantity
    return out


def _taken_elsewhere(row: Invoice) -> dict[int, Decimal]:
    """Per part id, what this invoice bills that left the shelf another way (see the module's doc)."""
    if row.job_id is not None:
        return _job_use(row.job_id)
    if row.quote_id is not None:
        booked = (
            Appointment.select(Appointment.id, Appointment.status, Job.id.alias("job_id"))
            .join(Quote, on=(Quote.appointment == Appointment.id))
            .switch(Appointment)
            .join(Job, JOIN.LEFT_OUTER, on=(Job.appointment == Appointment.id))
            .where(Quote.id == row.quote_id)
            .dicts()
            .first()
        )
        if booked is None or booked["status"] in INACTIVE_STATUSES:
            return {}  # never booked, or the visit was called off: a counter sale
        if booked["job_id"] is not None:
            return _job_use(booked["job_id"])
        quoted = lines.load(QuoteLine, "quote", row.quote_id)
        return _part_quantities([line for line in quoted if line.decision == "accepted"])
    return {}


def _job_use(job_id: int) -> dict[int, Decimal]:
    """Per part id, the job's net use (returns to the shelf count negative)."""
    used: dict[int, Decimal] = {}
    for part_id, quantity in JobPart.select(JobPart.part, JobPart.quantity).where(JobPart.job == job_id).tuples():
        used[part_id] = used.get(part_id, ZERO) + quantity
    return used


def _take_stock(row: Invoice, items: Sequence[Line], actor: Actor) -> None:
    """Take from stock what the issued invoice bills and nothing took yet (part ids in order: no deadlock)."""
    elsewhere = _taken_elsewhere(row)
    for part_id, quantity in sorted(_part_quantities(items).items()):
        extra = quantity - max(elsewhere.get(part_id, ZERO), ZERO)
        if extra > 0:
            inventory.move_for_invoice(part_id, -extra, row.id, f"invoice {row.number}", actor)


def _restock(original: Invoice, note: Invoice, credited: Sequence[Line], actor: Actor) -> None:
    """Put back what the credit note credits, per part no more than the invoice took and has not had back."""
    taken = inventory.taken_for_invoice(original.id)
    for part_id, quantity in sorted(_part_quantities(credited).items()):
        back = min(quantity, taken.get(part_id, ZERO))
        if back > 0:
            inventory.move_for_invoice(part_id, back, original.id, f"credit note {note.number}", actor)


@transaction
def issue(ref: int | str, actor: Actor = SYSTEM) -> InvoiceInfo:
    """Number the draft, freeze its totals and the car's mileage, take its parts from stock; publishes InvoiceIssued."""
    require(actor, "invoice.write")
    row = _locked(ref)
    if row.status != "draft":
        raise Conflict(f"invoice {row.number} is already issued")
    items = lines.load(InvoiceLine, "invoice", row.id)
    if not items:
        raise ValidationError({"lines": f"invoice #{row.id} has no lines; an empty invoice cannot be issued"})
    totals = lines.totals_of(items)
    row.net, row.tax, row.total = totals.net, totals.tax, totals.total
    if totals.total < 0:
        raise ValidationError({"lines": f"the total would be {totals.total}; discounts exceed the charges"})
    _assign_number(row)
    _take_stock(row, items, actor)
    row.due_date = row.issue_date + timedelta(days=settings.get_int("invoice.payment_days"))
    row.mileage = row.vehicle.mileage if row.vehicle_id else None
    row.status = "issued" if totals.total > 0 else "paid"
    row.updated_at = clock.now()
    row.save()
    events.publish(InvoiceIssued(row.id))
    audit.record(actor, "invoice.issue", "invoice", row.id, number=row.number, total=str(row.total))
    return _out(row)


def _settle(row: Invoice) -> None:
    if row.credited >= row.total and row.credited > 0:
        row.status = "credited"
    elif row.paid + row.credited >= row.total:
        row.status = "paid"
    else:
        row.status = "issued"


@transaction
def pay(
    ref: int | str,
    amount: object,
    method: str = "cash",
    paid_on: date | None = None,
    reference: str = "",
    actor: Actor = SYSTEM,
) -> InvoiceInfo:
    """Record a (partial) payment; refused when it is more than the amount due."""
    require(actor, "invoice.write")
    value = parse_money(amount, "amount", allow_zero=False)
    method = (method or "").strip().lower()
    if method not in METHODS:
        raise ValidationError({"method": f"unknown payment method {method!r}; use {', '.join(METHODS)}"})
    row = _locked(ref)
    if row.kind != "invoice":
        raise ValidationError({"invoice": f"{row.number} is a credit note; payments go against invoices"})
    if row.status == "draft":
        raise Conflict(f"invoice #{row.id} is a draft; issue it before taking payment")
    due = _due(row)
    if due <= 0:
        raise Conflict(f"invoice {row.number} has nothing left to pay")
    if value > due:
        raise ValidationError({"amount": f"{value} is more than the {due} due on invoice {row.number}"})
    Payment.create(
        invoice=row.id,
        amount=value,
        method=method,
        paid_on=paid_on or today(),
        reference=reference.strip(),
        actor=f"{actor.role.value}:{actor.name}",
        at=clock.now(),
    )
    row.paid = row.paid + value
    _settle(row)
    row.updated_at = clock.now()
    row.save()
    audit.record(actor, "invoice.pay", "invoice", row.id, amount=str(value), method=method)
    return _out(row)


@transaction
def credit(
    ref: int | str,
    reason: str,
    positions: Sequence[int] | None = None,
    actor: Actor = SYSTEM,
    restock: bool = True,
) -> InvoiceInfo:
    """Issue a credit note for the given lines of an issued invoice (all lines when none are given).

    Credited parts the invoice took from stock go back on the shelf (see the module's doc), unless
    RESTOCK is false: a goodwill credit where the customer keeps the part, or a part that came back
    broken, must not make the shelf count claim a part that is not there.
    """
    require(actor, "invoice.write")
    if not (reason or "").strip():
        raise ValidationError({"reason": "a credit note needs a reason"})
    original = _locked(ref)
    if original.kind != "invoice" or original.status == "draft":
        raise Conflict(f"only an issued invoice can be credited (#{original.id} is {original.status} {original.kind})")
    items = lines.load(InvoiceLine, "invoice", original.id)
    by_position = {line.position: line for line in items}
    chosen = list(by_position) if positions is None else list(positions)
    unknown = [p for p in chosen if p not in by_position]
    if unknown:
        raise ValidationError({"line": f"invoice {original.number} has no line {unknown[0]}"})
    if not chosen:
        raise ValidationError({"line": "choose at least one line to credit"})
    note = new_draft(
        original.customer_id,
        original.vehicle_id,
        "",
        kind="credit_note",
    )
    note.credit_of = original.id
    note.reason = reason.strip()
    lines.copy([by_position[p] for p in chosen], InvoiceLine, {"invoice": note.id}, sign=-1)
    totals = refresh_totals(note)
    if totals.total >= 0:
        raise ValidationError({"line": "the chosen lines do not reduce the invoice; a credit note must"})
    left = original.total - original.credited
    if -totals.total > left:
        raise ValidationError(
            {"line": f"crediting {-totals.total} would exceed the {left} not yet credited on {original.number}"}
        )
    _assign_number(note)
    if restock:
        _restock(original, note, [by_position[p] for p in chosen], actor)
    note.mileage = original.mileage
    note.status = "issued"
    note.save()
    original.credited = original.credited - totals.total
    _settle(original)
    original.updated_at = clock.now()
    original.save()
    events.publish(InvoiceIssued(note.id))
    details = {"credit_note": note.number, "total": str(totals.total), "restock": restock}
    audit.record(actor, "invoice.credit", "invoice", original.id, **details)
    return _out(note)


def get_invoice(ref: int | str, actor: Actor = SYSTEM) -> InvoiceInfo:
    require(actor, "invoice.read")
    return _out(_find(ref))


def list_invoices(
    status: str | None = None,
    customer_id: int | None = None,
    outstanding: bool = False,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int = 500,
    actor: Actor = SYSTEM,
) -> list[InvoiceSummary]:
    require(actor, "invoice.read")
    query = (
        Invoice.select(Invoice, Customer.name)
        .join(Customer, JOIN.INNER)
        .switch(Invoice)
        .order_by(Invoice.id.desc())
        .limit(limit)
    )
    if status:
        if status not in STATUSES:
            raise ValidationError({"status": f"unknown status {status!r}; use {', '.join(STATUSES)}"})
        query = query.where(Invoice.status == status)
    if customer_id is not None:
        query = query.where(Invoice.customer == customer_id)
    if outstanding:
        query = query.where(Invoice.kind == "invoice", Invoice.status == "issued")
    if date_from:
        query = query.where(Invoice.issue_date >= date_from)
    if date_to:
        query = query.where(Invoice.issue_date <= date_to)
    return [
        InvoiceSummary(
            r.id,
            r.number,
            r.kind,
            r.status,
            r.customer.name,
            r.issue_date,
            r.due_date,
            r.total,
            r.paid,
            _due(r),
        )
        for r in query
    ]


def pdf(ref: int | str, actor: Actor = SYSTEM) -> bytes:
    """The invoice (or credit note) as a PDF."""
    from shop import invoice_pdf

    info = get_invoice(ref, actor)
    return invoice_pdf.render(info, settings.get_many("shop.name", "shop.address", "shop.phone", "shop.email"))


def number_gaps(year: int, kind: str = "invoice") -> list[int]:
    """Sequence numbers missing in YEAR (should be none): a check for auditors and tests."""
    numbers = [
        r.sequence
        for r in Invoice.select(Invoice.sequence)
        .where(Invoice.kind == kind, Invoice.year == year)
        .order_by(Invoice.sequence)
    ]
    top = Invoice.select(fn.MAX(Invoice.sequence)).where(Invoice.kind == kind, Invoice.year == year).scalar() or 0
    return sorted(set(range(1, top + 1)) - set(numbers))


@checks.check("invoice_numbers", needs=("invoice",))
def _check_invoice_numbers() -> list[str]:
    """Invoice and credit-note numbers run 1, 2, 3 ... per year with no gap and no repeat."""
    rows = checks.sql(
        """SELECT kind, year, COUNT(*), COUNT(DISTINCT sequence), MAX(sequence) FROM invoice
           WHERE sequence IS NOT NULL GROUP BY kind, year ORDER BY kind, year"""
    )
    return [
        f"{kind} {year}: {count} numbered, {distinct} distinct, highest {top}"
        for kind, year, count, distinct, top in rows
        if not count == distinct == top
    ]
