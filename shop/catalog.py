"""The service catalogue: categories and the services the shop sells.

Durations are whole multiples of the booking slot (setting ``schedule.slot_minutes``) so every
service fits the schedule grid. Prices are `Decimal` with at most two decimals, never float.
Only admins change the catalogue (``catalog.write``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from peewee import IntegrityError, fn

from shop import audit, clock, settings
from shop.auth import SYSTEM, Actor, require
from shop.db import database, transaction
from shop.editing import check_editable
from shop.errors import Conflict, FieldErrors, NotFound, ValidationError
from shop.models import Service, ServiceCategory

MAX_PRICE = Decimal("1000000")
MAX_DURATION = 24 * 60 * 5
EDITABLE = ("name", "description", "category", "duration_minutes", "price", "requires_capability", "active")


@dataclass(frozen=True)
class Category:
    id: int
    name: str
    position: int


@dataclass(frozen=True)
class ServiceItem:
    id: int
    name: str
    description: str
    category_id: int
    category: str
    duration_minutes: int
    price: Decimal
    requires_capability: str | None
    active: bool


# ---------------------------------------------------------------------------------------------
# Parsing


def parse_price(value: Any, field: str = "price") -> Decimal:
    """A non-negative amount with at most two decimals ("89", "89.90", "1,234.50" refused)."""
    if isinstance(value, float):
        raise ValidationError({field: "must be given as text or Decimal, never float"})
    text = str(value).strip() if value is not None else ""
    if not text:
        raise ValidationError({field: "must not be empty"})
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError({field: f"{text!r} is not an amount such as 89.90"}) from None
    if not amount.is_finite():
        raise ValidationError({field: f"{text!r} is not an amount such as 89.90"})
    if amount < 0:
        raise ValidationError({field: "must not be negative"})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: f"{text!r} has more than two decimals"})
    if amount >= MAX_PRICE:
        raise ValidationError({field: f"must be less than {MAX_PRICE}"})
    return amount.quantize(Decimal("0.01"))


def slot_minutes() -> int:
    return settings.get_int("schedule.slot_minutes")


def parse_duration(value: Any) -> int:
    text = str(value).strip() if value is not None else ""
    try:
        minutes = int(text)
    except ValueError:
        raise ValidationError({"duration_minutes": f"{text!r} is not a whole number of minutes"}) from None
    slot = slot_minutes()
    if minutes <= 0:
        raise ValidationError({"duration_minutes": "must be more than 0 minutes"})
    if minutes % slot:
        raise ValidationError(
            {"duration_minutes": f"{minutes} minutes is not a multiple of the {slot}-minute booking slot"}
        )
    if minutes > MAX_DURATION:
        raise ValidationError({"duration_minutes": f"must be at most {MAX_DURATION} minutes"})
    return minutes


def _name(field: str, value: Any) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        raise ValidationError({field: "must not be empty"})
    if len(text) > 120:
        raise ValidationError({field: "is longer than 120 characters"})
    return text


def _capability(value: Any) -> str | None:
    text = str(value or "").strip().lower()
    return text or None


# ---------------------------------------------------------------------------------------------
# Categories


def _category_out(row: ServiceCategory) -> Category:
    return Category(row.id, row.name, row.position)


def _find_category(ref: int | str) -> ServiceCategory:
    if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdigit()):
        row = ServiceCategory.get_or_none(ServiceCategory.id == int(ref))
        if row is not None:
            return row
    if isinstance(ref, str):
        row = ServiceCategory.get_or_none(fn.LOWER(ServiceCategory.name) == ref.strip().lower())
        if row is not None:
            return row
    known = ", ".join(c.name for c in ServiceCategory.select().order_by(ServiceCategory.position)) or "none yet"
    raise ValidationError({"category": f"no category {ref!r}; known: {known}"})


@transaction
def add_category(name: str, actor: Actor = SYSTEM) -> Category:
    require(actor, "catalog.write")
    text = _name("name", name)
    if ServiceCategory.select().where(fn.LOWER(ServiceCategory.name) == text.lower()).exists():
        raise Conflict(f"name: category {text!r} already exists")
    position = (ServiceCategory.select(fn.MAX(ServiceCategory.position)).scalar() or 0) + 1
    try:
        with database.atomic():
            row = ServiceCategory.create(name=text, position=position)
    except IntegrityError:
        raise Conflict(f"name: category {text!r} already exists") from None
    audit.record(actor, "catalog.category.add", "service_category", row.id, name=text)
    return _category_out(row)


def list_categories(actor: Actor = SYSTEM) -> list[Category]:
    require(actor, "catalog.read")
    return [_category_out(r) for r in ServiceCategory.select().order_by(ServiceCategory.position, ServiceCategory.id)]


def get_category(ref: int | str, actor: Actor = SYSTEM) -> Category:
    require(actor, "catalog.read")
    try:
        return _category_out(_find_category(ref))
    except ValidationError:
        raise NotFound(f"no category {ref!r}") from None


# ---------------------------------------------------------------------------------------------
# Services


def _out(row: Service, category: ServiceCategory | None = None) -> ServiceItem:
    category = category or row.category
    return ServiceItem(
        id=row.id,
        name=row.name,
        description=row.description,
        category_id=category.id,
        category=category.name,
        duration_minutes=row.duration_minutes,
        price=row.price,
        requires_capability=row.requires_capability,
        active=row.active,
    )


def _find(ref: int | str) -> Service:
    query = Service.select(Service, ServiceCategory).join(ServiceCategory)
    row = None
    if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdigit()):
        row = query.where(Service.id == int(ref)).first()
    if row is None and isinstance(ref, str):
        row = query.where(fn.LOWER(Service.name) == ref.strip().lower()).first()
    if row is None:
        raise NotFound(f"no service {ref!r}")
    return row


def _check_name_free(name: str, exclude: int | None = None) -> None:
    query = Service.select().where(fn.LOWER(Service.name) == name.lower())
    if exclude is not None:
        query = query.where(Service.id != exclude)
    other = query.first()
    if other is not None:
        raise Conflict(f"name: service {other.id} is already called {other.name!r}")


@transaction
def add_service(
    name: str,
    category: int | str,
    duration_minutes: int | str,
    price: Decimal | int | str,
    description: str = "",
    requires_capability: str | None = None,
    actor: Actor = SYSTEM,
) -> ServiceItem:
    require(actor, "catalog.write")
    errors = FieldErrors()
    text = errors.check("name", _name, "name", name)
    cat = errors.check("category", _find_category, category)
    minutes = errors.check("duration_minutes", parse_duration, duration_minutes)
    amount = errors.check("price", parse_price, price)
    desc = str(description or "").strip()
    if len(desc) > 2000:
        errors.add("description", "is longer than 2000 characters")
    errors.raise_if_any()
    _check_name_free(text)
    try:
        with database.atomic():
            row = Service.create(
                category=cat.id,
                name=text,
                description=desc,
                duration_minutes=minutes,
                price=amount,
                requires_capability=_capability(requires_capability),
                active=True,
                created_at=clock.now(),
            )
    except IntegrityError:
        raise Conflict(f"name: a service called {text!r} already exists") from None
    audit.record(actor, "catalog.service.add", "service", row.id, name=text, price=amount, minutes=minutes)
    return _out(row, cat)


def get_service(ref: int | str, actor: Actor = SYSTEM) -> ServiceItem:
    require(actor, "catalog.read")
    return _out(_find(ref))


def list_services(
    active_only: bool = True, category: int | str | None = None, search: str | None = None, actor: Actor = SYSTEM
) -> list[ServiceItem]:
    require(actor, "catalog.read")
    query = (
        Service.select(Service, ServiceCategory)
        .join(ServiceCategory)
        .order_by(ServiceCategory.position, ServiceCategory.id, Service.name)
    )
    if active_only:
        query = query.where(Service.active == True)
    if category is not None:
        query = query.where(Service.category == _find_category(category).id)
    if search and search.strip():
        query = query.where(Service.name.contains(search.strip()) | Service.description.contains(search.strip()))
    return [_out(r) for r in query]


@transaction
def edit_service(service_id: int | str, actor: Actor = SYSTEM, **fields: Any) -> ServiceItem:
    """Change some fields of a service (admin only); all are checked before any is stored."""
    require(actor, "catalog.write")
    check_editable(fields, EDITABLE)
    row = _find(service_id)
    errors = FieldErrors()
    values: dict[str, Any] = {}
    if "name" in fields:
        values["name"] = errors.check("name", _name, "name", fields["name"])
    if "category" in fields:
        cat = errors.check("category", _find_category, fields["category"])
        values["category"] = cat.id if cat is not None else None
    if "duration_minutes" in fields:
        values["duration_minutes"] = errors.check("duration_minutes", parse_duration, fields["duration_minutes"])
    if "price" in fields:
        values["price"] = errors.check("price", parse_price, fields["price"])
    if "description" in fields:
        values["description"] = str(fields["description"] or "").strip()
    if "requires_capability" in fields:
        values["requires_capability"] = _capability(fields["requires_capability"])
    if "active" in fields:
        values["active"] = bool(fields["active"])
    errors.raise_if_any()
    current = {**{f: getattr(row, f) for f in EDITABLE if f != "category"}, "category": row.category_id}
    changed = {k: v for k, v in values.items() if v != current[k]}
    if "name" in changed:
        _check_name_free(changed["name"], exclude=row.id)
    if changed:
        try:
            with database.atomic():
                Service.update(**changed).where(Service.id == row.id).execute()
        except IntegrityError:
            raise Conflict(f"name: a service called {changed.get('name')!r} already exists") from None
        audit.record(actor, "catalog.service.edit", "service", row.id, **{k: str(v) for k, v in changed.items()})
    return _out(_find(row.id))


@transaction
def deactivate_service(ref: int | str, actor: Actor = SYSTEM) -> ServiceItem:
    """Stop offering a service; bookings and invoices that used it keep it."""
    return edit_service(ref, actor=actor, active=False)
