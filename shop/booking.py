"""Appointments: booking without double booking, rescheduling, cancelling, the status lifecycle.

Functions for the front ends (plain values in, frozen dataclasses out, `shop.errors` on failure):

    available_slots(service_ids, from_date=None, days=7, vehicle_id=None, actor=SYSTEM,
                    mechanic_id=None, need_mechanic=False) -> list[Slot]
    book(customer_id, vehicle_id, service_ids, start, source="desk", actor=SYSTEM, mechanic_id=None,
         need_mechanic=False, idempotency_key=None, notes="") -> Appointment
    reschedule(appointment_id, start, actor=SYSTEM, note="") -> Appointment
    free_times_to_move(appointment_id, from_date=None, days=3, actor=SYSTEM) -> list[Slot]
    cancel(appointment_id, reason="", actor=SYSTEM) -> Appointment
    set_status(appointment_id, status, note="", actor=SYSTEM) -> Appointment
    assign_mechanic(appointment_id, mechanic, actor=SYSTEM) -> Appointment   # None takes it off them
    get_appointment(appointment_id, actor=SYSTEM) -> Appointment          # with .timeline
    list_appointments(day=None, from_date=None, to_date=None, customer_id=None, status=None,
                      bay=None, actor=SYSTEM) -> list[Appointment]
    day_board(day=None, actor=SYSTEM) -> DayBoard                           # per bay, for Today/calendar
    allowed_transitions(status) -> tuple[str, ...]
    open_visits(vehicle_id=None, customer_id=None) -> list[Appointment]    # booked or under way
    check_nothing_booked(who, vehicle_id=None, customer_id=None)           # VisitsBooked: may it leave?

`start` is an aware datetime, or a shop-local 'YYYY-MM-DD HH:MM' (ISO with an offset also works).
Service ids may also be service names. `service_ids` order is the order of the appointment lines.

No double booking, on both engines: the booking re-checks availability inside one transaction
that the database serialises (SQLite: BEGIN IMMEDIATE; PostgreSQL: the active bay rows are
locked FOR UPDATE before anything is read), and a trigger on `appointment` refuses any active
appointment overlapping another on the same bay or of the same mechanic, whoever writes it.
A lost race or a taken slot raises `Conflict` whose `alternatives` are the three nearest free
`Slot`s. Events (`shop.event_types`) are published inside the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from peewee import JOIN, IntegrityError

from shop import audit, clock, events, settings
from shop.auth import SYSTEM, Actor, Role, require
from shop.db import is_postgres, lock_rows, transaction
from shop.errors import Conflict, FieldErrors, Forbidden, NotFound, ValidationError, VisitsBooked
from shop.event_types import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentRescheduled,
    AppointmentStatusChanged,
)
from shop.models import Appointment as AppointmentRow
from shop.models import (
    AppointmentHistory,
    AppointmentService,
    Bay,
    Customer,
    MechanicHours,
    Service,
    Staff,
    TimeOff,
    Vehicle,
)
from shop.models.jobs import Job
from shop.scheduling import calendar, sql
from shop.scheduling.availability import (
    INACTIVE_STATUSES,
    SETTING_KEYS,
    Busy,
    Problem,
    ServiceRef,
    Slot,
    available_slots,
    check,
    load,
    resolve_services,
    sweep,
)

__all__ = [
    "OPEN_STATUSES",
    "STATUSES",
    "TRANSITIONS",
    "Appointment",
    "AppointmentLine",
    "BayColumn",
    "DayBoard",
    "Slot",
    "TimelineEntry",
    "allowed_transitions",
    "assign_mechanic",
    "available_slots",
    "book",
    "cancel",
    "check_nothing_booked",
    "day_board",
    "free_times_to_move",
    "get_appointment",
    "list_appointments",
    "open_visits",
    "reschedule",
    "set_status",
]

STATUSES = ("scheduled", "checked_in", "in_progress", "waiting_parts", "completed", "cancelled", "no_show")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "scheduled": ("checked_in", "cancelled", "no_show"),
    "checked_in": ("in_progress", "cancelled", "no_show"),
    "in_progress": ("waiting_parts", "completed"),
    "waiting_parts": ("in_progress", "completed"),
    "completed": (),
    "cancelled": (),
    "no_show": (),
}
# A visit the shop still expects (booked) or is working on: a car or customer with one does not leave.
OPEN_STATUSES = ("scheduled", "checked_in", "in_progress", "waiting_parts")
_OPEN_WORDS = {
    "scheduled": "scheduled",
    "checked_in": "checked in",
    "in_progress": "in progress",
    "waiting_parts": "waiting for parts",
}
SOURCES = ("desk", "phone", "portal", "cli", "walk_in", "demo")
ALTERNATIVES = 3


@dataclass(frozen=True)
class AppointmentLine:
    service_id: int
    name: str
    duration_minutes: int
    price: Decimal


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime  # shop local
    actor: str
    kind: str  # booked, status, rescheduled
    from_status: str | None
    to_status: str
    note: str


@dataclass(frozen=True)
class Appointment:
    id: int
    customer_id: int
    customer_name: str
    vehicle_id: int
    vehicle: str
    bay_id: int
    bay: str
    mechanic_id: int | None
    mechanic: str | None
    start: datetime  # shop local, with offset
    end: datetime
    status: str
    services: tuple[AppointmentLine, ...]
    total_price: Decimal
    duration_minutes: int
    source: str
    notes: str
    reschedule_count: int
    created_at: datetime
    timeline: tuple[TimelineEntry, ...] = ()
    plate: str | None = None  # the car's plate alone (`vehicle` is "make model (plate)"), for narrow screens

    @property
    def active(self) -> bool:
        return self.status not in INACTIVE_STATUSES


@dataclass(frozen=True)
class BayColumn:
    bay_id: int
    name: str
    capabilities: tuple[str, ...]
    active: bool
    appointments: tuple[Appointment, ...]


@dataclass(frozen=True)
class DayBoard:
    day: date
    open: tuple[tuple[datetime, datetime], ...]  # opening intervals, shop local (empty when closed)
    closed_reason: str | None
    bays: tuple[BayColumn, ...]


def allowed_transitions(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


# ---------------------------------------------------------------- reading


def _vehicle_label(v: Vehicle) -> str:
    label = f"{v.make} {v.model}".strip()
    return f"{label} ({v.plate})" if v.plate else label


def _query():  # type: ignore[no-untyped-def]
    mechanic = Staff.alias()
    return (
        AppointmentRow.select(AppointmentRow, Customer, Vehicle, Bay, mechanic)
        .join(Customer, on=AppointmentRow.customer == Customer.id)
        .switch(AppointmentRow)
        .join(Vehicle, on=AppointmentRow.vehicle == Vehicle.id)
        .switch(AppointmentRow)
        .join(Bay, on=AppointmentRow.bay == Bay.id)
        .switch(AppointmentRow)
        .join(mechanic, JOIN.LEFT_OUTER, on=AppointmentRow.mechanic == mechanic.id, attr="mechanic_row")
    )


def _build(rows: list[AppointmentRow], with_timeline: bool = False) -> list[Appointment]:
    if not rows:
        return []
    tz = settings.timezone()
    ids = [r.id for r in rows]
    lines: dict[int, list[AppointmentLine]] = {i: [] for i in ids}
    for line in (
        AppointmentService.select()
        .where(AppointmentService.appointment.in_(ids))
        .order_by(AppointmentService.appointment, AppointmentService.position)
    ):
        lines[line.appointment_id].append(
            AppointmentLine(line.service_id, line.name, line.duration_minutes, line.price)
        )
    timelines: dict[int, list[TimelineEntry]] = {i: [] for i in ids}
    if with_timeline:
        for h in (
            AppointmentHistory.select().where(AppointmentHistory.appointment.in_(ids)).order_by(AppointmentHistory.id)
        ):
            timelines[h.appointment_id].append(
                TimelineEntry(h.at.astimezone(tz), h.actor, h.kind, h.from_status, h.to_status, h.note)
            )
    out = []
    for r in rows:
        mech = getattr(r, "mechanic_row", None)
        mech_name = mech.full_name if mech is not None and mech.id is not None else None
        out.append(
            Appointment(
                id=r.id,
                customer_id=r.customer.id,
                customer_name=r.customer.name,
                vehicle_id=r.vehicle.id,
                vehicle=_vehicle_label(r.vehicle),
                bay_id=r.bay.id,
                bay=r.bay.name,
                mechanic_id=r.mechanic_id,
                mechanic=mech_name,
                start=r.start_at.astimezone(tz),
                end=r.end_at.astimezone(tz),
                status=r.status,
                services=tuple(lines[r.id]),
                total_price=r.total_price,
                duration_minutes=int((r.end_at - r.start_at).total_seconds() // 60),
                source=r.source,
                notes=r.notes,
                reschedule_count=r.reschedule_count,
                created_at=r.created_at.astimezone(tz),
                timeline=tuple(timelines[r.id]),
                plate=r.vehicle.plate or None,
            )
        )
    return out


def _row(appointment_id: int) -> AppointmentRow:
    row = AppointmentRow.get_or_none(AppointmentRow.id == appointment_id)
    if row is None:
        raise NotFound(f"no appointment {appointment_id}")
    return row


def _check_owner(actor: Actor, customer_id: int) -> None:
    if actor.role == Role.CUSTOMER and actor.customer_id != customer_id:
        raise (
            NotFound("no such appointment")
            if False
            else Forbidden("customers may only see and change their own appointments")
        )


def get_appointment(appointment_id: int, actor: Actor = SYSTEM) -> Appointment:
    """One appointment with its services and status timeline."""
    if actor.role == Role.CUSTOMER:
        require(actor, "booking.own")
    else:
        require(actor, "booking.read")
    rows = list(_query().where(AppointmentRow.id == appointment_id))
    if not rows or (actor.role == Role.CUSTOMER and rows[0].customer_id != actor.customer_id):
        raise NotFound(f"no appointment {appointment_id}")
    return _build(rows, with_timeline=True)[0]


def list_appointments(
    day: str | date | None = None,
    from_date: str | date | None = None,
    to_date: str | date | None = None,
    customer_id: int | None = None,
    status: str | Sequence[str] | None = None,
    bay: int | str | None = None,
    actor: Actor = SYSTEM,
) -> list[Appointment]:
    """Appointments by start time. DAY, or FROM_DATE..TO_DATE (local, inclusive; either may be open).

    Without dates every appointment matches. Customers only ever see their own.
    """
    if actor.role == Role.CUSTOMER:
        require(actor, "booking.own")
        customer_id = actor.customer_id
    else:
        require(actor, "booking.read")
    tz = settings.timezone()
    query = _query().order_by(AppointmentRow.start_at, AppointmentRow.id)
    errors = FieldErrors()
    if day is not None:
        from_date = to_date = errors.check("date", calendar.parse_day, day, "date")
    first = errors.check("from", calendar.parse_day, from_date, "from") if from_date is not None else None
    last = errors.check("to", calendar.parse_day, to_date, "to") if to_date is not None else None
    statuses: list[str] = []
    if status:
        statuses = [status] if isinstance(status, str) else list(status)
        for s in statuses:
            if s not in STATUSES:
                errors.add("status", f"unknown status {s!r}; use one of {', '.join(STATUSES)}")
    errors.raise_if_any()
    if first is not None:
        query = query.where(AppointmentRow.start_at >= calendar.local_instant(first, 0, tz))
    if last is not None:
        query = query.where(AppointmentRow.start_at < calendar.local_instant(last + timedelta(days=1), 0, tz))
    if customer_id is not None:
        query = query.where(AppointmentRow.customer == customer_id)
    if statuses:
        query = query.where(AppointmentRow.status.in_(statuses))
    if bay is not None:
        query = query.where(AppointmentRow.bay == calendar._get_bay(bay).id)
    return _build(list(query))


def open_visits(vehicle_id: int | None = None, customer_id: int | None = None) -> list[Appointment]:
    """The visits of a car (VEHICLE_ID) or of a customer (CUSTOMER_ID) still booked or under way, soonest first.

    Whatever its date: a scheduled visit nobody marked as a no-show still holds its bay time.
    """
    query = _query().where(AppointmentRow.status.in_(OPEN_STATUSES))
    if vehicle_id is not None:
        query = query.where(AppointmentRow.vehicle == vehicle_id)
    if customer_id is not None:
        query = query.where(AppointmentRow.customer == customer_id)
    return _build(list(query.order_by(AppointmentRow.start_at, AppointmentRow.id)))


SHOWN_VISITS = 5  # a refusal names this many visits, then says how many more


def check_nothing_booked(who: str, vehicle_id: int | None = None, customer_id: int | None = None) -> None:
    """Refuse a car or customer leaving (being archived) while it has open visits: `VisitsBooked`.

    The one rule for every way out (staff archiving a car or a customer, a customer removing a car
    on the portal): left alone, such a visit stays in the calendar for a car that has gone. WHO
    names the car or customer in the message; each visit is named by its shop-local date and time,
    status and appointment id, with what to do about it. The error is overridable: staff may
    archive anyway (the visits then stay booked), the portal never does.
    """
    visits = open_visits(vehicle_id=vehicle_id, customer_id=customer_id)
    if not visits:
        return
    named = []
    for a in visits[:SHOWN_VISITS]:
        car = f", {a.plate or a.vehicle}" if vehicle_id is None else ""
        named.append(f"appointment {a.id} on {a.start:%a %d %b %Y %H:%M} ({_OPEN_WORDS[a.status]}{car})")
    if len(visits) > SHOWN_VISITS:
        named.append(f"{len(visits) - SHOWN_VISITS} more")
    one = len(visits) == 1
    booked = sum(a.status == "scheduled" for a in visits)
    if booked == len(visits):
        todo = f"cancel or move {'it' if one else 'them'} first"
    elif booked == 0:
        todo = f"complete {'it' if one else 'them'} first (or cancel a checked-in one)"
    else:
        todo = "cancel or move the scheduled ones and complete the ones under way first"
    count = "a booked visit" if one else f"{len(visits)} booked visits"
    raise VisitsBooked(f"{who} has {count}: {', '.join(named)}; {todo}", visits)


def day_board(day: str | date | None = None, actor: Actor = SYSTEM) -> DayBoard:
    """The Today board: each bay (active ones, plus inactive ones with work that day) and its appointments."""
    require(actor, "booking.read")
    the_day = calendar.parse_day(day)
    tz = settings.timezone()
    conf = settings.get_many("schedule.holidays_country", "schedule.holidays_subdivision")
    closed = calendar.closed_days(
        the_day, the_day, conf["schedule.holidays_country"], conf["schedule.holidays_subdivision"]
    )
    from shop.models import OpeningHours

    week: dict[int, list[tuple[int, int]]] = {}
    for h in OpeningHours.select().where(OpeningHours.weekday == the_day.weekday()):
        week.setdefault(h.weekday, []).append((h.start_minute, h.end_minute))
    windows = calendar.weekly_windows(the_day, the_day, week, tz, set(closed))
    appointments = list_appointments(day=the_day, actor=actor)
    by_bay: dict[int, list[Appointment]] = {}
    for a in appointments:
        by_bay.setdefault(a.bay_id, []).append(a)
    columns = []
    for b in Bay.select().order_by(Bay.position, Bay.id):
        if b.active or b.id in by_bay:
            columns.append(
                BayColumn(
                    b.id, b.name, calendar.split_capabilities(b.capabilities), b.active, tuple(by_bay.get(b.id, ()))
                )
            )
    return DayBoard(
        the_day,
        tuple((s.astimezone(tz), e.astimezone(tz)) for _, s, e in windows),
        closed.get(the_day),
        tuple(columns),
    )


# ---------------------------------------------------------------- writing helpers


def _history(
    appointment_id: int,
    actor: Actor,
    kind: str,
    old: str | None,
    new: str,
    note: str = "",
    at: datetime | None = None,
) -> None:
    stamp = AppointmentHistory.at.db_value(at or clock.now())
    sql.execute(
        "INSERT INTO appointment_history (appointment_id, at, actor, kind, from_status, to_status, note)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (appointment_id, stamp, f"{actor.role.value}:{actor.name}", kind, old, new, note),
    )


def _lock_bays() -> list[tuple[int, str, str, int]]:
    """Serialise bookings on PostgreSQL: every writer locks the active bays, in id order, first.

    (On SQLite the IMMEDIATE transaction has already serialised all writers.) Locking all of them
    keeps the day cap and the car's own overlaps exact too, at the price of one booking at a time,
    which is what a shop with a handful of bays needs. Returns the active bays as
    (id, name, capabilities, position), which the availability re-check then uses.
    """
    lock = " FOR UPDATE" if is_postgres() else ""
    return sql.rows(f"SELECT id, name, capabilities, position FROM bay WHERE active ORDER BY id{lock}")


def _why_not(problem: Problem, start: datetime, actor: Actor) -> str | None:
    """A validation reason when START could never be booked (hours, grid, notice), else None."""
    tz = problem.tz or settings.timezone()
    local = start.astimezone(tz)
    if problem.earliest is not None and start < problem.earliest:
        if actor.role == Role.CUSTOMER and start >= clock.now():
            minutes = settings.get_int("schedule.min_notice_minutes")
            return f"{local:%Y-%m-%d %H:%M} is too soon: book at least {minutes} minutes ahead"
        return f"{local:%Y-%m-%d %H:%M} is in the past"
    if problem.last_day is not None and local.date() > problem.last_day:
        return f"{local:%Y-%m-%d} is too far ahead: book at most {settings.get('schedule.advance_days')} days ahead"
    empty = replace(problem, bays={b: type(v)() for b, v in problem.bays.items()}, full_days=set(), mechanics=None)
    empty.vehicle_busy = type(problem.vehicle_busy)()
    if not problem.bays:
        return "no active bay can do these services"
    if check(empty, start) is not None:
        return None
    if not any(w[0] == local.date() for w in problem.windows):
        closed = calendar.closed_days(local.date(), local.date(), *_holiday_conf())
        reason = closed.get(local.date())
        return f"the shop is closed on {local:%Y-%m-%d}" + (f" ({reason})" if reason else "")
    grid = settings.get_int("schedule.slot_minutes")
    return (
        f"{local:%Y-%m-%d %H:%M} is not a bookable start: the work must fit inside opening hours"
        f" and start on the {grid}-minute grid"
    )


def _holiday_conf() -> tuple[str, str]:
    conf = settings.get_many("schedule.holidays_country", "schedule.holidays_subdivision")
    return conf["schedule.holidays_country"], conf["schedule.holidays_subdivision"]


def _alternatives(
    services: Sequence[ServiceRef],
    start: datetime,
    actor: Actor,
    vehicle_id: int | None,
    mechanic_id: int | None,
    need_mechanic: bool,
    exclude_id: int | None = None,
) -> list[Slot]:
    """The nearest free slots to START (before or after it), searching a week around it."""
    tz = settings.timezone()
    day = start.astimezone(tz).date()
    first = max(day - timedelta(days=3), calendar.to_local(clock.now()).date())
    problem = load(services, first, day + timedelta(days=10), actor, vehicle_id, mechanic_id, need_mechanic, exclude_id)
    found = sorted(sweep(problem), key=lambda c: (abs(c.start - start), c.start))[:ALTERNATIVES]
    return [Slot(c.start.astimezone(tz), c.end.astimezone(tz)) for c in sorted(found, key=lambda c: c.start)]


def _taken(services, start, actor, vehicle_id, mechanic_id, need_mechanic, exclude_id=None, problem=None) -> Conflict:  # type: ignore[no-untyped-def]
    """The conflict for a start that is not free, saying why when the reason is not a busy bay."""
    local = start.astimezone(settings.timezone())
    alternatives = _alternatives(services, start, actor, vehicle_id, mechanic_id, need_mechanic, exclude_id)
    message = f"{local:%Y-%m-%d %H:%M} is already taken"
    if problem is not None and local.date() in problem.full_days:
        cap = settings.get_int("schedule.day_cap")
        message = f"{local:%Y-%m-%d} is fully booked (the shop takes at most {cap} appointments a day)"
    elif problem is not None and not problem.vehicle_busy.free(start, start + problem.duration):
        message = f"{local:%Y-%m-%d %H:%M}: this car already has an appointment at that time"
    return Conflict(message, alternatives)


def _refs_of(row: AppointmentRow) -> list[ServiceRef]:
    """The appointment's services as booked (snapshot durations), with today's capability needs."""
    lines = list(row.lines.order_by(AppointmentService.position))
    caps = {s.id: s.requires_capability for s in Service.select().where(Service.id.in_([x.service_id for x in lines]))}
    return [ServiceRef(x.service_id, x.name, x.duration_minutes, x.price, caps.get(x.service_id)) for x in lines]


def _load_one(appointment_id: int) -> Appointment:
    return _build(list(_query().where(AppointmentRow.id == appointment_id)))[0]


# ---------------------------------------------------------------- booking


_VEHICLE = "SELECT customer_id, archived, make, model, plate FROM vehicle WHERE id = ?"


@transaction
def book(
    customer_id: int,
    vehicle_id: int,
    service_ids: Sequence[int | str],
    start: str | datetime,
    source: str = "desk",
    actor: Actor = SYSTEM,
    mechanic_id: int | str | None = None,
    need_mechanic: bool = False,
    idempotency_key: str | None = None,
    notes: str = "",
) -> Appointment:
    """Book the services for the car at START in a free bay; the same IDEMPOTENCY_KEY books once.

    Inside the transaction only START is re-checked, against the appointments overlapping it on
    the capable bays (and the car's, the mechanic's, the day's count when there is a cap), with
    the same rules as `available_slots` (`availability.check` is proven equal to its sweep).
    The reads and writes are plain statements (`shop.scheduling.sql`): about a dozen per booking.
    """
    require(actor, "booking.own")
    _check_owner(actor, customer_id)
    errors = FieldErrors()
    conf = settings.get_many(*SETTING_KEYS)
    tz = ZoneInfo(conf["shop.timezone"])
    start_at = errors.check("start", calendar.parse_local, start, "start", tz)
    services = errors.check("services", resolve_services, list(service_ids))
    if source not in SOURCES:
        errors.add("source", f"unknown source {source!r}; use one of {', '.join(SOURCES)}")
    key = (idempotency_key or "").strip() or None
    if key is not None and len(key) > 200:
        errors.add("idempotency_key", "must be at most 200 characters")
    # The customer and the car in one round trip (the car alone when there is no such customer).
    found = sql.rows(
        "SELECT c.name, c.archived, v.customer_id, v.archived, v.make, v.model, v.plate"
        " FROM customer c LEFT JOIN vehicle v ON v.id = ? WHERE c.id = ?",
        (vehicle_id, customer_id),
    )
    if not found:
        errors.add("customer", f"no customer {customer_id}")
        found = [(None, None, *row) for row in sql.rows(_VEHICLE, (vehicle_id,))] or [(None,) * 7]
    elif found[0][1]:
        errors.add("customer", f"customer {customer_id} is archived")
    customer_name, _, owner, car_archived, make, model, plate = found[0]
    if owner is None:
        errors.add("car", f"no car {vehicle_id}")
    elif owner != customer_id:
        errors.add("car", f"car {vehicle_id} does not belong to customer {customer_id}")
    elif car_archived:
        errors.add("car", f"car {vehicle_id} is archived")
    mechanic = None
    if mechanic_id is not None:
        mechanic = errors.check("mechanic", calendar.get_mechanic, mechanic_id)
        if actor.role == Role.CUSTOMER:
            errors.add("mechanic", "customers cannot choose a mechanic")
    errors.raise_if_any()

    bays = _lock_bays()
    if key is not None:
        existing = AppointmentRow.get_or_none(AppointmentRow.idempotency_key == key)
        if existing is not None:
            return _replay(existing, customer_id, key)

    day = start_at.astimezone(tz).date()
    mech_id = mechanic.id if mechanic is not None else None
    work = timedelta(minutes=sum(s.duration_minutes for s in services))
    block = work + timedelta(minutes=int(conf["schedule.buffer_minutes"]))
    problem = load(
        services,
        day,
        day,
        actor,
        vehicle_id,
        mech_id,
        need_mechanic,
        only=(start_at, start_at + block),
        bay_rows=[(b[0], b[2], b[3]) for b in bays],
        conf=conf,
    )
    match = check(problem, start_at)
    if match is None:  # a free start is always a valid one: only now ask which it is not
        why = _why_not(problem, start_at, actor)
        if why:
            raise ValidationError({"start": why})
        raise _taken(services, start_at, actor, vehicle_id, mech_id, need_mechanic, problem=problem)
    if need_mechanic and mech_id is None:
        mech_id = match.mechanics[0]

    bay_id = match.bays[0]
    now = clock.now()
    total = sum((s.price for s in services), Decimal("0.00"))
    history = (actor, "booked", None, "scheduled", f"booked via {source}")
    details = {
        "customer_id": customer_id,
        "vehicle_id": vehicle_id,
        "start": start_at,
        "bay_id": bay_id,
        "services": [s.id for s in services],
    }
    try:
        with AppointmentRow._meta.database.atomic():
            appointment_id = _write_booking(
                customer_id, vehicle_id, services, start_at, bay_id, mech_id, problem.buffer, source, notes, key, now,
                history, details,
            )  # fmt: skip
    except IntegrityError:
        # Only a writer that bypassed the bay lock can get here: the trigger or the key index held.
        if key is not None:
            existing = AppointmentRow.get_or_none(AppointmentRow.idempotency_key == key)
            if existing is not None:
                return _replay(existing, customer_id, key)
        raise _taken(services, start_at, actor, vehicle_id, mech_id, need_mechanic) from None
    # Built from what is at hand rather than read back: the same values, three queries fewer. The
    # event carries it, so the confirmation rule renders from it instead of reading it back too.
    mechanic_name = None
    if mech_id is not None:
        mechanic_name = mechanic.full_name if mechanic is not None else Staff.get_by_id(mech_id).full_name
    label = f"{make} {model}".strip()
    booked = Appointment(
        id=appointment_id,
        customer_id=customer_id,
        customer_name=customer_name,
        vehicle_id=vehicle_id,
        vehicle=f"{label} ({plate})" if plate else label,
        bay_id=bay_id,
        bay=next(b[1] for b in bays if b[0] == bay_id),
        mechanic_id=mech_id,
        mechanic=mechanic_name,
        start=start_at.astimezone(tz),
        end=(start_at + work).astimezone(tz),
        status="scheduled",
        services=tuple(AppointmentLine(x.id, x.name, x.duration_minutes, x.price) for x in services),
        total_price=total,
        duration_minutes=int(work.total_seconds() // 60),
        source=source,
        notes=notes.strip(),
        reschedule_count=0,
        created_at=now.astimezone(tz),
        plate=plate or None,
    )
    events.publish(AppointmentBooked(appointment_id, booked))
    return booked


def _write_booking(
    customer_id: int,
    vehicle_id: int,
    services: Sequence[ServiceRef],
    start_at: datetime,
    bay_id: int,
    mechanic_id: int | None,
    buffer: timedelta,
    source: str,
    notes: str,
    key: str | None,
    now: datetime,
    history: tuple[Actor, str, str | None, str, str],
    details: dict[str, object],
) -> int:
    """Every row a booking writes: the appointment, its lines, its first timeline entry, the audit line.

    SQLite runs statements in-process, so they go one by one. On PostgreSQL each statement is a
    round trip to the server, so the four inserts are one statement (data-modifying CTEs chained
    on the new id); the no-overlap trigger still fires on the appointment row and, if it refuses,
    the whole statement fails and writes nothing.
    """
    actor, kind, old, new, note = history
    if not is_postgres():
        appointment_id = _insert(
            customer_id, vehicle_id, services, start_at, bay_id, mechanic_id, buffer, source, notes, key, at=now
        )
        _history(appointment_id, actor, kind, old, new, note, at=now)
        audit.record(actor, "booking.book", "appointment", appointment_id, **details)
        return appointment_id
    appointment = _appointment_values(
        customer_id, vehicle_id, services, start_at, bay_id, mechanic_id, buffer, source, notes, key, "scheduled", now
    )
    stamp = AppointmentRow.start_at.db_value(now)
    money = AppointmentRow.total_price.db_value
    lines = ", ".join(["(?, ?, ?, ?, ?)"] * len(services))
    audit_values = audit.row_values(actor, "booking.book", "appointment", None, **details)
    statement = (
        f"WITH a AS (INSERT INTO appointment ({', '.join(appointment)}) VALUES ({', '.join('?' * len(appointment))})"
        " RETURNING id),"
        " s AS (INSERT INTO appointment_service (appointment_id, service_id, position, name, duration_minutes, price)"
        f" SELECT a.id, v.service_id, v.position, v.name, v.minutes, v.price FROM a, (VALUES {lines})"
        " AS v (service_id, position, name, minutes, price)),"
        " h AS (INSERT INTO appointment_history (appointment_id, at, actor, kind, from_status, to_status, note)"
        " SELECT a.id, ?, ?, ?, CAST(? AS TEXT), ?, ? FROM a),"
        f" g AS (INSERT INTO audit_log ({', '.join(audit.COLUMNS)}) SELECT ?, ?, ?, ?, a.id, ? FROM a)"
        " SELECT id FROM a"
    )
    params: list[object] = list(appointment.values())
    for i, s in enumerate(services):
        params += [s.id, i, s.name, s.duration_minutes, money(s.price)]
    params += [stamp, f"{actor.role.value}:{actor.name}", kind, old, new, note]
    params += [audit_values[0], audit_values[1], audit_values[2], audit_values[3], audit_values[5]]
    return sql.rows(statement, params)[0][0]


def _appointment_values(
    customer_id: int,
    vehicle_id: int,
    services: Sequence[ServiceRef],
    start_at: datetime,
    bay_id: int,
    mechanic_id: int | None,
    buffer: timedelta,
    source: str,
    notes: str,
    key: str | None,
    status: str,
    at: datetime,
) -> dict[str, object]:
    """The appointment row's columns, as stored."""
    stamp = AppointmentRow.start_at.db_value
    now = stamp(at)
    work = timedelta(minutes=sum(s.duration_minutes for s in services))
    return {
        "customer_id": customer_id,
        "vehicle_id": vehicle_id,
        "bay_id": bay_id,
        "mechanic_id": mechanic_id,
        "start_at": stamp(start_at),
        "end_at": stamp(start_at + work),
        "block_end_at": stamp(start_at + work + buffer),
        "status": status,
        "source": source,
        "notes": notes.strip(),
        "idempotency_key": key,
        "reschedule_count": 0,
        "total_price": AppointmentRow.total_price.db_value(sum((s.price for s in services), Decimal("0.00"))),
        "created_at": now,
        "updated_at": now,
    }


def _insert(
    customer_id: int,
    vehicle_id: int,
    services: Sequence[ServiceRef],
    start_at: datetime,
    bay_id: int,
    mechanic_id: int | None,
    buffer: timedelta,
    source: str,
    notes: str = "",
    key: str | None = None,
    status: str = "scheduled",
    at: datetime | None = None,
) -> int:
    """Write an appointment and its service lines (the trigger still refuses overlaps); no checks.

    Two statements: the appointment, then all its lines at once. Returns the new id.
    """
    money = AppointmentRow.total_price.db_value
    appointment_id = sql.insert(
        "appointment",
        _appointment_values(
            customer_id, vehicle_id, services, start_at, bay_id, mechanic_id, buffer, source, notes, key, status,
            at or clock.now(),
        ),
    )  # fmt: skip
    sql.insert_many(
        "appointment_service",
        ("appointment_id", "service_id", "position", "name", "duration_minutes", "price"),
        [(appointment_id, s.id, i, s.name, s.duration_minutes, money(s.price)) for i, s in enumerate(services)],
    )
    return appointment_id


def _replay(existing: AppointmentRow, customer_id: int, key: str) -> Appointment:
    if existing.customer_id != customer_id:
        raise Conflict(f"idempotency key {key!r} was already used for another customer's booking")
    return _load_one(existing.id)


def _customer_policy(actor: Actor, row: AppointmentRow, what: str) -> None:
    if actor.role != Role.CUSTOMER:
        return
    cutoff = settings.get_int("booking.cancel_cutoff_hours")
    if clock.now() > row.start_at - timedelta(hours=cutoff):
        raise Forbidden(f"appointments can be {what} online until {cutoff} hours before; please call the shop")


def free_times_to_move(
    appointment_id: int, from_date: str | date | None = None, days: int = 3, actor: Actor = SYSTEM
) -> list[Slot]:
    """The starts a scheduled appointment can move to, from FROM_DATE (default today) for DAYS days.

    Its own services, car and mechanic decide, and its own time counts as free (moving it by half an
    hour is offered); its present start is left out. Each slot ends when the work as booked would,
    so the list shows what `reschedule` will store; `reschedule` re-checks the one picked.
    """
    require(actor, "booking.own")
    row = _row(appointment_id)
    _check_owner(actor, row.customer_id)
    if row.status != "scheduled":
        raise ValidationError(
            {"status": f"only scheduled appointments can be moved (this one is {row.status.replace('_', ' ')})"}
        )
    first = calendar.parse_day(from_date, "from")
    if not 1 <= days <= 31:
        raise ValidationError({"days": "must be between 1 and 31"})
    services = _refs_of(row)
    problem = load(
        services, first, first + timedelta(days=days - 1), actor, row.vehicle_id, row.mechanic_id, False, row.id
    )
    tz = problem.tz or settings.timezone()
    work = row.end_at - row.start_at
    return [
        Slot(c.start.astimezone(tz), (c.start + work).astimezone(tz)) for c in sweep(problem) if c.start != row.start_at
    ]


@transaction
def reschedule(appointment_id: int, start: str | datetime, actor: Actor = SYSTEM, note: str = "") -> Appointment:
    """Move a scheduled appointment; the old time is released only if the new one is won."""
    require(actor, "booking.own")
    start_at = calendar.parse_local(start, "start")
    _lock_bays()
    row = _row(appointment_id)
    _check_owner(actor, row.customer_id)
    if row.status != "scheduled":
        raise ValidationError(
            {"status": f"only scheduled appointments can be moved (this one is {row.status.replace('_', ' ')})"}
        )
    _customer_policy(actor, row, "moved")
    if actor.role == Role.CUSTOMER:
        limit = settings.get_int("booking.max_reschedules")
        if row.reschedule_count >= limit:
            raise Forbidden(f"an appointment can be moved online at most {limit} times; please call the shop")
    if start_at == row.start_at:
        return _load_one(row.id)
    services = _refs_of(row)
    conf = settings.get_many(*SETTING_KEYS)
    tz = ZoneInfo(conf["shop.timezone"])
    day = start_at.astimezone(tz).date()
    # The re-check reads the appointments overlapping the new time: as long as the work (as booked
    # or as the lines add up, whichever is longer) plus the buffer.
    longest = max(row.end_at - row.start_at, timedelta(minutes=sum(s.duration_minutes for s in services)))
    block = longest + timedelta(minutes=int(conf["schedule.buffer_minutes"]))
    problem = load(
        services, day, day, actor, row.vehicle_id, row.mechanic_id, False, row.id, only=(start_at, start_at + block)
    )
    match = check(problem, start_at)
    if match is None:
        why = _why_not(problem, start_at, actor)
        if why:
            raise ValidationError({"start": why})
        raise _taken(services, start_at, actor, row.vehicle_id, row.mechanic_id, False, row.id, problem=problem)
    old_start = row.start_at
    work = row.end_at - row.start_at
    bay_id = row.bay_id if row.bay_id in match.bays else match.bays[0]
    try:
        with AppointmentRow._meta.database.atomic():
            AppointmentRow.update(
                bay=bay_id,
                start_at=start_at,
                end_at=start_at + work,
                block_end_at=start_at + work + problem.buffer,
                reschedule_count=AppointmentRow.reschedule_count + 1,
                updated_at=clock.now(),
            ).where(AppointmentRow.id == row.id).execute()
    except IntegrityError:
        raise _taken(services, start_at, actor, row.vehicle_id, row.mechanic_id, False, row.id) from None
    moved = f"moved from {old_start.astimezone(tz):%Y-%m-%d %H:%M} to {start_at.astimezone(tz):%Y-%m-%d %H:%M}"
    _history(
        row.id, actor, "rescheduled", "scheduled", "scheduled", (moved + (f": {note.strip()}" if note.strip() else ""))
    )
    audit.record(actor, "booking.reschedule", "appointment", row.id, old_start=old_start, start=start_at, bay_id=bay_id)
    moved_to = _load_one(row.id)
    events.publish(AppointmentRescheduled(row.id, old_start, moved_to))
    return moved_to


@transaction
def cancel(appointment_id: int, reason: str = "", actor: Actor = SYSTEM) -> Appointment:
    """Cancel (staff any time before work starts; customers until the cutoff before the start)."""
    require(actor, "booking.own")
    row = _row(appointment_id)
    _check_owner(actor, row.customer_id)
    if "cancelled" not in TRANSITIONS[row.status]:
        raise ValidationError({"status": f"a {row.status} appointment cannot be cancelled"})
    _customer_policy(actor, row, "cancelled")
    old = row.status
    AppointmentRow.update(status="cancelled", updated_at=clock.now()).where(AppointmentRow.id == row.id).execute()
    _history(row.id, actor, "status", old, "cancelled", reason.strip())
    audit.record(actor, "booking.cancel", "appointment", row.id, reason=reason.strip())
    cancelled = _load_one(row.id)
    events.publish(AppointmentCancelled(row.id, by_customer=actor.role == Role.CUSTOMER, appointment=cancelled))
    return cancelled


@transaction
def set_status(appointment_id: int, status: str, note: str = "", actor: Actor = SYSTEM) -> Appointment:
    """Move an appointment along its lifecycle (see TRANSITIONS); 'cancelled' is `cancel`."""
    status = status.strip().lower().replace("-", "_")
    if status not in STATUSES:
        raise ValidationError({"status": f"unknown status {status!r}; use one of {', '.join(STATUSES)}"})
    if status == "cancelled":
        return cancel(appointment_id, note, actor)
    require(actor, "booking.status")
    row = _row(appointment_id)
    old = row.status
    if status not in TRANSITIONS[old]:
        allowed = ", ".join(TRANSITIONS[old]) or "none (it is final)"
        raise ValidationError({"status": f"cannot go from {old} to {status}; allowed: {allowed}"})
    if status == "no_show" and clock.now() < row.start_at:
        raise ValidationError({"status": "a no-show can only be recorded once the appointment time has come"})
    AppointmentRow.update(status=status, updated_at=clock.now()).where(AppointmentRow.id == row.id).execute()
    _history(row.id, actor, "status", old, status, note.strip())
    audit.record(actor, "booking.status", "appointment", row.id, old=old, new=status)
    events.publish(AppointmentStatusChanged(row.id, old, status))
    return _load_one(row.id)


# ---------------------------------------------------------------- mechanic assignment

FINAL_STATUSES = ("completed", "cancelled", "no_show")


def _assignee(ref: int | str) -> Staff:
    """The active mechanic REF names (username or id); every refusal is a reason for the mechanic field."""
    try:
        row = calendar.get_mechanic(ref)
    except NotFound as exc:
        raise ValidationError({"mechanic": str(exc)}) from None
    if not row.active:
        raise ValidationError({"mechanic": f"{row.username} is deactivated"})
    return row


def _not_working(row: AppointmentRow, mechanic: Staff) -> str | None:
    """Why MECHANIC cannot take what is still ahead of ROW (own hours, time off), or None.

    Only the part of the appointment from now on counts: a job that overran its booked time can
    still be handed to whoever is here now. A mechanic with no hours of their own works whenever
    the shop is open, and the appointment was booked inside opening hours.
    """
    tz = settings.timezone()
    start = max(row.start_at, clock.now())
    if start >= row.end_at:
        return None
    when = f"{start.astimezone(tz):%a %d %b %H:%M}-{row.end_at.astimezone(tz):%H:%M}"
    hours = list(MechanicHours.select().where(MechanicHours.staff == mechanic.id))
    if hours:
        week: dict[int, list[tuple[int, int]]] = {}
        for h in hours:
            week.setdefault(h.weekday, []).append((h.start_minute, h.end_minute))
        day = start.astimezone(tz).date()
        windows = calendar.weekly_windows(day, row.end_at.astimezone(tz).date(), week, tz)
        if not Busy((s, e) for _, s, e in windows).covers(start, row.end_at):
            that_day = ", ".join(
                f"{calendar.format_minute(a)}-{calendar.format_minute(b)}"
                for a, b in sorted(week.get(day.weekday(), []))
            )
            works = f"works {that_day} that day" if that_day else f"does not work on {day:%A}s"
            return f"{mechanic.full_name} does not work {when} ({works})"
    off = (
        TimeOff.select()
        .where(TimeOff.staff == mechanic.id, TimeOff.start_at < row.block_end_at, TimeOff.end_at > start)
        .order_by(TimeOff.start_at)
        .first()
    )
    if off is not None:
        span = f"{off.start_at.astimezone(tz):%Y-%m-%d %H:%M} to {off.end_at.astimezone(tz):%Y-%m-%d %H:%M}"
        return f"{mechanic.full_name} is off from {span}" + (f" ({off.reason})" if off.reason else "")
    return None


def _clash(row: AppointmentRow, mechanic: Staff) -> Conflict | None:
    """The conflict when MECHANIC already has another active appointment overlapping ROW (buffers included)."""
    other = (
        AppointmentRow.select(AppointmentRow, Customer)
        .join(Customer)
        .where(
            AppointmentRow.mechanic == mechanic.id,
            AppointmentRow.id != row.id,
            AppointmentRow.status.not_in(INACTIVE_STATUSES),
            AppointmentRow.start_at < row.block_end_at,
            AppointmentRow.block_end_at > row.start_at,
        )
        .order_by(AppointmentRow.start_at)
        .first()
    )
    if other is None:
        return None
    tz = settings.timezone()
    span = f"{other.start_at.astimezone(tz):%a %d %b %H:%M}-{other.end_at.astimezone(tz):%H:%M}"
    return Conflict(f"{mechanic.full_name} already has appointment #{other.id} ({other.customer.name}) {span}")


@transaction
def assign_mechanic(appointment_id: int, mechanic: int | str | None, actor: Actor = SYSTEM) -> Appointment:
    """Give an appointment (and its job, once checked in) to a mechanic, or take it off them (None or '').

    The mechanic must work at that time (their own hours, or the shop's when they have none), not be
    off, and not have another appointment overlapping this one; the database trigger refuses the
    overlap too, so two desks assigning at once cannot double-book a mechanic.
    """
    require(actor, "booking.assign")
    row = _row(appointment_id)
    if row.status in FINAL_STATUSES:
        raise ValidationError({"status": f"a {row.status.replace('_', '-')} appointment cannot be reassigned"})
    wanted = None if mechanic is None or str(mechanic).strip() == "" else _assignee(mechanic)
    if (wanted.id if wanted else None) == row.mechanic_id:
        return _build(list(_query().where(AppointmentRow.id == row.id)), with_timeline=True)[0]
    if wanted is not None:
        _lock_bays()  # PostgreSQL: bays before the mechanic, the order bookings and the trigger lock them in
        lock_rows(Staff.select(Staff.id).where(Staff.id == wanted.id))
        why = _not_working(row, wanted)
        if why:
            raise ValidationError({"mechanic": why})
        clash = _clash(row, wanted)
        if clash is not None:
            raise clash
    before = Staff.get_by_id(row.mechanic_id).full_name if row.mechanic_id else None
    try:
        with AppointmentRow._meta.database.atomic():
            AppointmentRow.update(mechanic=wanted.id if wanted else None, updated_at=clock.now()).where(
                AppointmentRow.id == row.id
            ).execute()
    except IntegrityError:  # a writer that skipped the check above; the trigger held
        raise Conflict(f"{wanted.full_name if wanted else 'the mechanic'} is busy at that time") from None
    Job.update(mechanic=wanted.id if wanted else None).where(Job.appointment == row.id).execute()
    if wanted is not None:
        note = f"assigned to {wanted.full_name}" + (f" (was {before})" if before else "")
    else:
        note = f"{before} taken off"
    _history(row.id, actor, "assigned", row.status, row.status, note)
    audit.record(
        actor, "booking.assign", "appointment", row.id, mechanic_id=wanted.id if wanted else None, was=row.mechanic_id
    )
    return _build(list(_query().where(AppointmentRow.id == row.id)), with_timeline=True)[0]
