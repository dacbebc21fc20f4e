"""Service-due reminders: "your car is due for an oil change", from each car's invoiced history.

An admin gives a service an interval (months and/or km). For every car whose last invoice with
that service is older than the interval, or whose mileage has grown by the interval's km since,
`garage reminders service-due` queues one message. The dedupe key names the car, the service and
the invoice that last did it, so each due event is told once; doing the service again (a new
invoice) starts the next interval.
"""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass
from datetime import date

from peewee import JOIN, fn

from shop import audit, catalog, clock, settings
from shop.auth import SYSTEM, Actor, require
from shop.db import transaction
from shop.errors import NotFound, ValidationError
from shop.models import Customer, Invoice, InvoiceLine, OutboxMessage, Service, ServiceInterval, Vehicle
from shop.notifications import rules
from shop.notifications.preferences import get_contact

KIND = "service_due"


@dataclass(frozen=True)
class Interval:
    service_id: int
    service: str
    months: int | None
    km: int | None


@dataclass(frozen=True)
class ServiceDue:
    vehicle_id: int
    car: str
    customer_id: int
    customer_name: str
    service_id: int
    service: str
    last_done: date
    last_mileage: int | None
    mileage: int | None
    reason: str
    dedupe_key: str
    state: str  # to_queue | queued | sent | opted_out | no_channel


@dataclass(frozen=True)
class ServiceDueResult:
    due: int
    queued: int
    already: int
    skipped: int


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, pycalendar.monthrange(year, month)[1]))


@transaction
def set_interval(service: int | str, months: int | None, km: int | None, actor: Actor = SYSTEM) -> Interval:
    """Give SERVICE a reminder interval; both empty removes it."""
    require(actor, "catalog.write")
    item = catalog.get_service(service)
    problems: dict[str, str] = {}
    if months is not None and not 1 <= months <= 120:
        problems["months"] = "must be between 1 and 120"
    if km is not None and not 100 <= km <= 1_000_000:
        problems["km"] = "must be between 100 and 1000000"
    if problems:
        raise ValidationError(problems)
    if months is None and km is None:
        ServiceInterval.delete().where(ServiceInterval.service == item.id).execute()
        audit.record(actor, "service_interval.clear", "service", item.id)
        return Interval(item.id, item.name, None, None)
    now = clock.now()
    (
        ServiceInterval.insert(service=item.id, months=months, km=km, updated_at=now)
        .on_conflict(
            conflict_target=[ServiceInterval.service],
            update={ServiceInterval.months: months, ServiceInterval.km: km, ServiceInterval.updated_at: now},
        )
        .execute()
    )
    audit.record(actor, "service_interval.set", "service", item.id, months=months, km=km)
    return Interval(item.id, item.name, months, km)


def list_intervals(actor: Actor = SYSTEM) -> list[Interval]:
    require(actor, "catalog.read")
    query = ServiceInterval.select(ServiceInterval, Service).join(Service).order_by(Service.name)
    return [Interval(r.service.id, r.service.name, r.months, r.km) for r in query]


def dedupe_key(vehicle_id: int, service_id: int, invoice_id: int) -> str:
    return f"service_due:vehicle:{vehicle_id}:service:{service_id}:invoice:{invoice_id}"


def _last_done():  # type: ignore[no-untyped-def]
    """(vehicle id, service id, id of the latest issued invoice) per car and service with an interval."""
    latest = (
        InvoiceLine.select(
            Invoice.vehicle.alias("vehicle_id"),
            InvoiceLine.service.alias("service_id"),
            fn.MAX(Invoice.id).alias("invoice_id"),
        )
        .join(Invoice)
        .join(ServiceInterval, on=(ServiceInterval.service == InvoiceLine.service))
        .where(Invoice.kind == "invoice", Invoice.status != "draft", Invoice.vehicle.is_null(False))
        .group_by(Invoice.vehicle, InvoiceLine.service)
    )
    return latest.tuples()


def _scan(today: date) -> list[tuple[ServiceDue, int]]:
    intervals = {r.service_id: r for r in ServiceInterval.select()}
    out = []
    rows = list(_last_done())
    if not rows:
        return out
    invoices = {
        r.id: r
        for r in Invoice.select(Invoice.id, Invoice.issue_date, Invoice.mileage).where(
            Invoice.id.in_([r[2] for r in rows])
        )
    }
    vehicles = {
        v.id: v
        for v in Vehicle.select(Vehicle, Customer)
        .join(Customer, JOIN.INNER)
        .where(Vehicle.id.in_([r[0] for r in rows]), Vehicle.archived == False, Customer.archived == False)
    }
    services = {s.id: s.name for s in Service.select(Service.id, Service.name)}
    for vehicle_id, service_id, invoice_id in rows:
        vehicle = vehicles.get(vehicle_id)
        invoice = invoices[invoice_id]
        interval = intervals[service_id]
        if vehicle is None or invoice.issue_date is None:
            continue
        reasons = []
        if interval.months and add_months(invoice.issue_date, interval.months) <= today:
            reasons.append(f"{interval.months} months since {invoice.issue_date.isoformat()}")
        driven = None if invoice.mileage is None or vehicle.mileage is None else vehicle.mileage - invoice.mileage
        if interval.km and driven is not None and driven >= interval.km:
            reasons.append(f"{vehicle.mileage - invoice.mileage:,} km since the last one")
        if not reasons:
            continue
        car = " ".join(p for p in (vehicle.make, vehicle.model) if p) + (f" ({vehicle.plate})" if vehicle.plate else "")
        due = ServiceDue(
            vehicle.id,
            car,
            vehicle.customer.id,
            vehicle.customer.name,
            service_id,
            services[service_id],
            invoice.issue_date,
            invoice.mileage,
            vehicle.mileage,
            "; ".join(reasons),
            dedupe_key(vehicle.id, service_id, invoice_id),
            "to_queue",
        )
        out.append((due, invoice_id))
    return out


def _with_state(due: ServiceDue) -> ServiceDue:
    from dataclasses import replace

    row = OutboxMessage.get_or_none(OutboxMessage.dedupe_key == due.dedupe_key)
    if row is not None:
        return replace(due, state="sent" if row.status == "sent" else "queued")
    contact = get_contact(due.customer_id)
    if not contact.reminders or contact.channel == "none":
        return replace(due, state="opted_out")
    if rules.route(contact, KIND) is None:
        return replace(due, state="no_channel")
    return due


def list_service_due(actor: Actor = SYSTEM) -> list[ServiceDue]:
    require(actor, "notify.read")
    today = clock.now().astimezone(settings.timezone()).date()
    return [_with_state(due) for due, _ in _scan(today)]


@transaction
def queue_service_due(actor: Actor = SYSTEM) -> ServiceDueResult:
    """Queue a "your car is due" message per due event not told yet (idempotent)."""
    require(actor, "notify.write")
    today = clock.now().astimezone(settings.timezone()).date()
    found = _scan(today)
    queued = already = skipped = 0
    base = rules.shop_values()["portal_url"]
    for due, _invoice_id in found:
        due = _with_state(due)
        if due.state in ("queued", "sent"):
            already += 1
            continue
        if due.state != "to_queue":
            skipped += 1
            continue
        new_id = rules.notify(
            KIND,
            due.customer_id,
            {
                "car": due.car,
                "service": due.service,
                "last_done": due.last_done.isoformat(),
                "last_mileage": f"{due.last_mileage:,} km" if due.last_mileage is not None else "",
                "reason": due.reason,
                "booking_url": f"{base}/book",
            },
            entity="vehicle",
            entity_id=due.vehicle_id,
            dedupe_key=due.dedupe_key,
        )
        if new_id is None:
            already += 1
        else:
            queued += 1
    return ServiceDueResult(len(found), queued, already, skipped)


def get_interval(service: int | str, actor: Actor = SYSTEM) -> Interval:
    require(actor, "catalog.read")
    item = catalog.get_service(service)
    row = ServiceInterval.get_or_none(ServiceInterval.service == item.id)
    if row is None:
        raise NotFound(f"service {item.name!r} has no reminder interval")
    return Interval(item.id, item.name, row.months, row.km)
