"""Quotes (estimates): draft → sent → accepted / declined / expired.

A quote is built as a draft, then sent (valid for `quote.validity_days`; `QuoteSent` is published
in the same transaction so the notification goes out with it). The customer decides each line
separately; once no line is pending the quote is accepted (at least one line accepted) or
declined. Declined lines stay on the quote so the shop can follow them up. A sent quote past its
validity date is expired: decisions are refused and `expire_due` records it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from peewee import JOIN

from shop import audit, clock, events, lines, settings
from shop.auth import SYSTEM, Actor, Role, require
from shop.db import lock_rows, transaction
from shop.errors import Conflict, Forbidden, NotFound, ValidationError
from shop.event_types import QuoteSent
from shop.lines import Line, Totals
from shop.models import Appointment, AppointmentService, Customer, Quote, QuoteLine, Vehicle
from shop.scheduling.availability import INACTIVE_STATUSES

STATUSES = ("draft", "sent", "accepted", "declined", "expired")


@dataclass(frozen=True)
class QuoteInfo:
    id: int
    customer_id: int
    customer_name: str
    vehicle_id: int | None
    vehicle: str | None
    status: str
    valid_until: date | None
    notes: str
    created_at: datetime
    sent_at: datetime | None
    decided_at: datetime | None
    lines: tuple[Line, ...]
    totals: Totals
    accepted: Totals  # totals of the accepted lines only
    appointment_id: int | None = None  # the appointment it was booked as (or made for)
    booked_start: datetime | None = None  # when that appointment is, while it stands (not cancelled / no-show)
    bookable: bool = False  # accepted, names a car still the customer's, has an accepted service, not booked
    # Why an accepted quote cannot be booked now: one of UNBOOKABLE (None when bookable or not accepted), so
    # front ends say it in their own words without deciding it; `unbookable_why` is the shop's sentence for staff.
    unbookable: str | None = None
    unbookable_why: str = ""


# booked: its appointment stands; no_car: names no car; car_gone: the car was archived or passed to another
# customer since; no_service: no accepted catalogue service.
UNBOOKABLE = ("booked", "no_car", "car_gone", "no_service")


class NotBookable(Conflict):
    """The quote itself cannot be booked (not accepted, already booked): another time would not help.

    A subclass so the portal can tell it from "this time was just taken", which offers other times.
    """


@dataclass(frozen=True)
class QuoteSummary:
    id: int
    customer_name: str
    vehicle: str | None
    status: str
    valid_until: date | None
    total: Decimal
    created_at: datetime
    appointment_id: int | None = None
    booked_start: datetime | None = None  # as QuoteInfo: when its standing appointment is
    bookable: bool = False
    unbookable: str | None = None


def today() -> date:
    return clock.now().astimezone(settings.timezone()).date()


def vehicle_label(vehicle: Vehicle | None) -> str | None:
    if vehicle is None:
        return None
    name = f"{vehicle.make} {vehicle.model}".strip()
    return f"{vehicle.plate} ({name})" if vehicle.plate else name


def _status(row: Quote, on: date | None = None) -> str:
    """The stored status, or "expired" for a sent quote past its date (ON: today, read once for a list)."""
    if row.status == "sent" and row.valid_until is not None and row.valid_until < (on or today()):
        return "expired"
    return row.status


def _car_gone(row: Quote) -> bool:
    """The quote's car was archived or passed to another customer since: booking.book would refuse it."""
    car = row.vehicle if row.vehicle_id is not None else None
    return car is not None and (car.archived or car.customer_id != row.customer_id)


def _judge(status: str, booked: bool, row: Quote, has_service: bool) -> str | None:
    """Why an accepted quote cannot be booked (an UNBOOKABLE code), None when it can or is not accepted.

    One rule for a quote's page, the quote list and `book_accepted`, so they never disagree.
    """
    if status != "accepted":
        return None
    if booked:
        return "booked"
    if row.vehicle_id is None:
        return "no_car"
    if _car_gone(row):
        return "car_gone"
    if not has_service:
        return "no_service"
    return None


def _why(code: str | None, row: Quote, standing: Appointment | None) -> str:
    """The shop's sentence for an UNBOOKABLE code (staff words; the portal words it for the customer)."""
    if code == "booked" and standing is not None:
        return _booked_message(row, standing)
    if code == "no_car":
        return f"quote #{row.id} names no car; book it with `garage book`"
    if code == "car_gone":
        car = vehicle_label(row.vehicle)
        if row.vehicle.archived:
            return (
                f"quote #{row.id} is for {car}, which is archived; "
                "restore the car if the customer still has it, or quote their current car"
            )
        return f"quote #{row.id} is for {car}, which now belongs to another customer; quote their current car"
    if code == "no_service":
        return f"quote #{row.id} has no accepted catalogue service to book"
    return ""


def _out(row: Quote) -> QuoteInfo:
    items = lines.load(QuoteLine, "quote", row.id)
    status = _status(row)
    standing = _standing(row)
    has_service = any(line.decision == "accepted" and line.service_id is not None for line in items)
    code = _judge(status, standing is not None, row, has_service)
    return QuoteInfo(
        row.id,
        row.customer_id,
        row.customer.name,
        row.vehicle_id,
        vehicle_label(row.vehicle),
        status,
        row.valid_until,
        row.notes,
        row.created_at,
        row.sent_at,
        row.decided_at,
        tuple(items),
        lines.totals_of(items),
        lines.totals_of([line for line in items if line.decision == "accepted"]),
        row.appointment_id,
        standing.start_at if standing is not None else None,
        status == "accepted" and code is None,
        code,
        _why(code, row, standing),
    )


def _get(quote_id: int, lock: bool = False) -> Quote:
    query = Quote.select().where(Quote.id == quote_id)
    row = (lock_rows(query) if lock else query).first()
    if row is None:
        raise NotFound(f"no quote #{quote_id}")
    return row


def _may_read(actor: Actor, row: Quote) -> None:
    if actor.role == Role.CUSTOMER:
        if actor.customer_id != row.customer_id:
            raise NotFound(f"no quote #{row.id}")
    else:
        require(actor, "quote.read")


@transaction
def create_quote(customer_id: int, vehicle_id: int | None = None, notes: str = "", actor: Actor = SYSTEM) -> QuoteInfo:
    require(actor, "quote.write")
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        raise ValidationError({"customer": f"no customer #{customer_id}"})
    if vehicle_id is not None:
        vehicle = Vehicle.get_or_none(Vehicle.id == vehicle_id)
        if vehicle is None:
            raise ValidationError({"vehicle": f"no vehicle #{vehicle_id}"})
        if vehicle.customer_id != customer.id:
            raise ValidationError({"vehicle": f"vehicle #{vehicle_id} does not belong to customer #{customer_id}"})
    row = Quote.create(
        customer=customer.id, vehicle=vehicle_id, status="draft", notes=notes.strip(), created_at=clock.now()
    )
    audit.record(actor, "quote.create", "quote", row.id, customer_id=customer_id)
    return _out(row)


@transaction
def create_for_appointment(appointment_id: int, actor: Actor = SYSTEM) -> QuoteInfo:
    """A draft quote for an appointment's customer and car with its booked services at their booked prices.

    The front desk starts here when a customer asks "what will it cost?" at booking or check-in;
    lines are then added, changed or removed like on any draft.
    """
    require(actor, "quote.write")
    appt = Appointment.get_or_none(Appointment.id == appointment_id)
    if appt is None:
        raise NotFound(f"no appointment #{appointment_id}")
    row = Quote.create(
        customer=appt.customer_id,
        vehicle=appt.vehicle_id,
        status="draft",
        notes=f"Appointment #{appt.id}",
        created_at=clock.now(),
        appointment=appt.id,
    )
    tax = settings.get_decimal("tax.rate").quantize(Decimal("0.01"))
    booked = AppointmentService.select().where(AppointmentService.appointment == appt.id)
    for s in booked.order_by(AppointmentService.position):
        values = {"kind": "service", "service": s.service_id, "part": None, "description": s.name}
        lines.add(
            QuoteLine,
            {"quote": row.id},
            {**values, "quantity": Decimal("1.00"), "unit_price": s.price, "tax_rate": tax, "decision": "pending"},
        )
    audit.record(actor, "quote.create", "quote", row.id, customer_id=appt.customer_id, appointment_id=appt.id)
    return _out(row)


def _draft(quote_id: int) -> Quote:
    """The quote, locked, if it is still a draft: a sent quote is what the customer saw, so its lines stay."""
    row = _get(quote_id, lock=True)
    if row.status != "draft":
        raise Conflict(f"quote #{quote_id} is {row.status}; only a draft can be changed")
    return row


@transaction
def add_line(
    quote_id: int,
    kind: str,
    *,
    service: object = None,
    part: object = None,
    description: str | None = None,
    quantity: object = "1",
    unit_price: object = None,
    tax_rate: object = None,
    actor: Actor = SYSTEM,
) -> QuoteInfo:
    require(actor, "quote.write")
    row = _draft(quote_id)
    line = lines.add_new(
        QuoteLine,
        {"quote": row.id},
        kind,
        service=service,
        part=part,
        description=description,
        quantity=quantity,
        unit_price=unit_price,
        tax_rate=tax_rate,
        extra={"decision": "pending"},
    )
    audit.record(actor, "quote.add_line", "quote", row.id, line=line.position, kind=line.kind)
    return _out(row)


@transaction
def update_line(
    quote_id: int,
    position: int,
    *,
    description: str | None = None,
    quantity: object = None,
    unit_price: object = None,
    tax_rate: object = None,
    actor: Actor = SYSTEM,
) -> QuoteInfo:
    """Correct a line of a draft quote (None keeps a value); a sent quote is what the customer saw, so it stays."""
    require(actor, "quote.write")
    row = _draft(quote_id)
    changed = lines.revise_at(
        QuoteLine, {"quote": row.id}, position, description=description, quantity=quantity, unit_price=unit_price,
        tax_rate=tax_rate,
    )  # fmt: skip
    audit.record(actor, "quote.update_line", "quote", row.id, line=position, amount=str(changed.amount))
    return _out(row)


@transaction
def remove_line(quote_id: int, position: int, actor: Actor = SYSTEM) -> QuoteInfo:
    require(actor, "quote.write")
    row = _draft(quote_id)
    deleted = QuoteLine.delete().where(QuoteLine.quote == row.id, QuoteLine.position == position).execute()
    if not deleted:
        raise NotFound(f"quote #{quote_id} has no line {position}")
    audit.record(actor, "quote.remove_line", "quote", row.id, line=position)
    return _out(row)


@transaction
def send(quote_id: int, actor: Actor = SYSTEM) -> QuoteInfo:
    """Mark the quote sent, valid for `quote.validity_days`; publishes QuoteSent in this transaction."""
    require(actor, "quote.write")
    row = _get(quote_id, lock=True)
    if row.status != "draft":
        raise Conflict(f"quote #{quote_id} is already {_status(row)}")
    if not QuoteLine.select().where(QuoteLine.quote == row.id).exists():
        raise ValidationError({"lines": f"quote #{quote_id} has no lines; add at least one before sending"})
    row.status = "sent"
    row.sent_at = clock.now()
    row.valid_until = today() + timedelta(days=settings.get_int("quote.validity_days"))
    row.save()
    events.publish(QuoteSent(row.id))
    audit.record(actor, "quote.send", "quote", row.id, valid_until=row.valid_until)
    return _out(row)


def _decide(quote_id: int, positions: Sequence[int] | None, decision: str, actor: Actor) -> QuoteInfo:
    row = _get(quote_id, lock=True)
    if actor.role == Role.CUSTOMER:
        if actor.customer_id != row.customer_id:
            raise Forbidden("a customer may only decide on their own quotes")
    else:
        require(actor, "quote.write")
    status = _status(row)
    if status == "expired":
        raise Conflict(f"quote #{quote_id} expired on {row.valid_until}; send a new quote")
    if status != "sent":
        raise Conflict(f"quote #{quote_id} is {status}; only a sent quote can be accepted or declined")
    pending = {r.position: r for r in QuoteLine.select().where(QuoteLine.quote == row.id)}
    chosen = list(pending) if positions is None else list(positions)
    unknown = [p for p in chosen if p not in pending]
    if unknown:
        raise ValidationError({"line": f"quote #{quote_id} has no line {unknown[0]}"})
    now = clock.now()
    targets = [p for p in chosen if pending[p].decision == "pending"] if positions is None else chosen
    if targets:
        QuoteLine.update(decision=decision, decided_at=now).where(
            QuoteLine.quote == row.id, QuoteLine.position.in_(targets)
        ).execute()
    decisions = [r.decision for r in QuoteLine.select(QuoteLine.decision).where(QuoteLine.quote == row.id)]
    if "pending" not in decisions:
        row.status = "accepted" if "accepted" in decisions else "declined"
        row.decided_at = now
        row.save()
    audit.record(actor, f"quote.{decision}", "quote", row.id, lines=targets)
    return _out(row)


@transaction
def accept(quote_id: int, positions: Sequence[int] | None = None, actor: Actor = SYSTEM) -> QuoteInfo:
    """Accept the given lines (all pending lines when none are given)."""
    return _decide(quote_id, positions, "accepted", actor)


@transaction
def decline(quote_id: int, positions: Sequence[int] | None = None, actor: Actor = SYSTEM) -> QuoteInfo:
    """Decline the given lines (all pending lines when none are given); declined lines are kept."""
    return _decide(quote_id, positions, "declined", actor)


@transaction
def expire_due(actor: Actor = SYSTEM) -> int:
    """Record every sent quote past its validity date as expired; returns how many."""
    require(actor, "quote.write")
    count = Quote.update(status="expired").where(Quote.status == "sent", Quote.valid_until < today()).execute()
    if count:
        audit.record(actor, "quote.expire", "quote", None, count=count)
    return count


def get_quote(quote_id: int, actor: Actor = SYSTEM) -> QuoteInfo:
    row = _get(quote_id)
    _may_read(actor, row)
    return _out(row)


def list_quotes(
    status: str | None = None, customer_id: int | None = None, limit: int = 200, actor: Actor = SYSTEM
) -> list[QuoteSummary]:
    if actor.role == Role.CUSTOMER:
        customer_id = actor.customer_id
    else:
        require(actor, "quote.read")
    query = (
        Quote.select(Quote, Customer, Vehicle)
        .join(Customer)
        .switch(Quote)
        .join(Vehicle, JOIN.LEFT_OUTER)
        .order_by(Quote.id.desc())
        .limit(limit)
    )
    if customer_id is not None:
        query = query.where(Quote.customer == customer_id)
    if status:
        if status not in STATUSES:
            raise ValidationError({"status": f"unknown status {status!r}; use {', '.join(STATUSES)}"})
        if status == "expired":
            query = query.where(
                (Quote.status == "expired") | ((Quote.status == "sent") & (Quote.valid_until < today()))
            )
        elif status == "sent":
            query = query.where(Quote.status == "sent", Quote.valid_until >= today())
        else:
            query = query.where(Quote.status == status)
    rows = list(query)
    sums = lines.totals_for(QuoteLine, "quote", [r.id for r in rows])
    on = today()  # one settings read, not one per sent quote
    statuses = {r.id: _status(r, on) for r in rows}
    accepted = [r for r in rows if statuses[r.id] == "accepted"]
    standing, with_service = _bookability(accepted)
    out = []
    for r in rows:
        start = standing.get(r.id)
        code = _judge(statuses[r.id], start is not None, r, r.id in with_service)
        out.append(
            QuoteSummary(
                r.id,
                r.customer.name,
                vehicle_label(r.vehicle),
                statuses[r.id],
                r.valid_until,
                sums[r.id].total,
                r.created_at,
                r.appointment_id,
                start,
                statuses[r.id] == "accepted" and code is None,
                code,
            )
        )
    return out


def _bookability(rows: Sequence[Quote]) -> tuple[dict[int, datetime], set[int]]:
    """For a list of accepted quotes, in two queries whatever their number: the start of each one's standing
    appointment, and which have an accepted catalogue service (what `_judge` needs beyond the row)."""
    if not rows:
        return {}, set()
    linked = {r.appointment_id: r.id for r in rows if r.appointment_id is not None}
    standing: dict[int, datetime] = {}
    if linked:
        found = Appointment.select(Appointment.id, Appointment.start_at).where(
            Appointment.id.in_(list(linked)), Appointment.status.not_in(INACTIVE_STATUSES)
        )
        standing = {linked[a.id]: a.start_at for a in found}
    served = QuoteLine.select(QuoteLine.quote).where(
        QuoteLine.quote.in_([r.id for r in rows]), QuoteLine.decision == "accepted", QuoteLine.service.is_null(False)
    )
    return standing, {line.quote_id for line in served.distinct()}


def accepted_service_ids(quote_id: int, actor: Actor = SYSTEM) -> list[int]:
    """The catalogue services the customer accepted: what a booking from this quote should contain."""
    row = _get(quote_id)
    _may_read(actor, row)
    query = QuoteLine.select(QuoteLine.service).where(
        QuoteLine.quote == row.id, QuoteLine.decision == "accepted", QuoteLine.service.is_null(False)
    )
    return [r.service_id for r in query.order_by(QuoteLine.position)]


def services_to_book(quote_id: int, actor: Actor = SYSTEM) -> list[int]:
    """The accepted catalogue services a booking from this quote contains; none is an error, not an empty visit,
    and so is a quote whose appointment still stands (`_not_booked`).

    Shared by `book_accepted` and the front ends that look up free times first, so the message lives here once.
    """
    services = accepted_service_ids(quote_id, actor)
    if not services:
        raise ValidationError({"lines": f"quote #{quote_id} has no accepted catalogue service to book"})
    row = _get(quote_id)
    _not_booked(row)  # said before free times are looked up, not after one is picked
    _car_still_theirs(row)
    return services


@transaction
def book_accepted(  # type: ignore[no-untyped-def]
    quote_id: int,
    start: object,
    mechanic: int | str | None = None,
    actor: Actor = SYSTEM,
    idempotency_key: str | None = None,
):
    """Book the quote's accepted catalogue services for its car at START (a `shop.booking.Appointment`).

    Staff book any quote (source "desk"); a customer books only their own (source "portal"; another's is
    NotFound, as everywhere on the portal) within the online booking rules `booking.book` applies to them.
    The same IDEMPOTENCY_KEY returns the appointment it booked, even though the quote now counts as booked:
    a double click on "Book now" is one request, not a second booking.
    """
    from shop import booking

    customer = actor.role == Role.CUSTOMER
    require(actor, "booking.own" if customer else "booking.write")
    row = _get(quote_id, lock=True)  # two desks booking the same quote: the second waits, then sees the first
    if customer and actor.customer_id != row.customer_id:
        raise NotFound(f"no quote #{quote_id}")
    key = (idempotency_key or "").strip() or None
    if key is not None:
        replayed = Appointment.get_or_none(Appointment.idempotency_key == key)
        if replayed is not None:
            if replayed.id != row.appointment_id:
                raise Conflict(f"idempotency key {key!r} was already used for another booking")
            return booking.get_appointment(replayed.id, actor=actor)
    if _status(row) != "accepted":
        raise NotBookable(f"quote #{quote_id} is {_status(row)}; only an accepted quote can be booked")
    _not_booked(row)
    if row.vehicle_id is None:
        raise ValidationError({"vehicle": f"quote #{quote_id} names no car; book it with `garage book`"})
    _car_still_theirs(row)
    services = services_to_book(quote_id, actor)
    appointment = booking.book(
        row.customer_id,
        row.vehicle_id,
        services,
        start,  # type: ignore[arg-type]
        source="portal" if customer else "desk",
        actor=actor,
        mechanic_id=mechanic,
        idempotency_key=key,
        notes=f"From quote #{quote_id}",
    )
    Quote.update(appointment=appointment.id).where(Quote.id == row.id).execute()
    audit.record(actor, "quote.book", "quote", row.id, appointment_id=appointment.id)
    return appointment


def _standing(row: Quote) -> Appointment | None:
    """The appointment the quote is booked as, unless it was cancelled or missed (then it may be booked again)."""
    if row.appointment_id is None:
        return None
    booked = Appointment.get_or_none(Appointment.id == row.appointment_id)
    if booked is None or booked.status in INACTIVE_STATUSES:
        return None
    return booked


def _not_booked(row: Quote) -> None:
    """One visit per quote: booking it again while its appointment stands would do (and bill) the work twice."""
    booked = _standing(row)
    if booked is not None:
        raise NotBookable(_booked_message(row, booked))


def _booked_message(row: Quote, booked: Appointment) -> str:
    when = booked.start_at.astimezone(settings.timezone())
    return (
        f"quote #{row.id} is already booked as appointment #{booked.id} on {when:%Y-%m-%d %H:%M}"
        f" ({booked.status.replace('_', ' ')}); move that appointment instead of booking the quote again"
    )


def _car_still_theirs(row: Quote) -> None:
    """A quote for a car archived or passed on since is refused as the quote's problem (another time would not
    help), before free times are listed, rather than as booking.book's field error after one is picked."""
    if _car_gone(row):
        raise NotBookable(_why("car_gone", row, None))
