"""Cars: owner, identity (VIN, plate), and the mileage history.

VINs are 17 characters without I, O or Q; the check digit (position 9) is verified for North
American VINs (WMI starting 1-5), where it is mandatory. `vininfo` decodes the maker and model
year to suggest them. Plates are normalised (upper case, runs of spaces/dashes collapsed into
one space) and unique. Mileage never goes down unless forced; every reading is kept.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from peewee import IntegrityError
from vininfo import Vin

from shop import audit, booking, clock, customers
from shop.auth import SYSTEM, Actor, require
from shop.db import database, is_postgres, lock_rows, transaction
from shop.editing import check_editable, check_version
from shop.errors import Conflict, FieldErrors, NotFound, ValidationError
from shop.models import Customer as CustomerRow
from shop.models import MileageReading
from shop.models import Vehicle as VehicleRow

EDITABLE = ("customer_id", "make", "model", "year", "vin", "plate", "colour", "mileage")
MAX_MILEAGE = 5_000_000
_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_PLATE_SEPARATORS = re.compile(r"[\s\-_]+")
_PLATE = re.compile(r"^[A-Z0-9ÄÖÜ]+( [A-Z0-9ÄÖÜ]+)*$")
# A reading as people write it off the dashboard: 42000, or grouped by thousands with one kind of
# separator (42,000 / 42.000 / 42 000 / 42'000), optionally followed by "km".
_GROUPED_NUMBER = re.compile(r"^(\d{1,3})([,.' _\u00a0\u202f])\d{3}(?:\2\d{3})*$")
_KM_SUFFIX = re.compile(r"\s*km\.?$", re.IGNORECASE)


@dataclass(frozen=True)
class Vehicle:
    id: int
    customer_id: int
    make: str
    model: str
    year: int | None
    vin: str | None
    plate: str | None
    colour: str
    mileage: int | None
    archived: bool
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class MileageEntry:
    mileage: int
    at: datetime
    source: str


@dataclass(frozen=True)
class VinInfo:
    vin: str
    make: str | None
    years: list[int]
    suggested_year: int | None
    country: str | None
    check_digit: str  # "ok", "not used" (outside North America) -- a wrong one is refused by parse_vin


# ---------------------------------------------------------------------------------------------
# Parsing


def _text(field: str, value: Any, required: bool, limit: int = 80) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise ValidationError({field: "must not be empty"})
    if len(text) > limit:
        raise ValidationError({field: f"is longer than {limit} characters"})
    return text


def max_year() -> int:
    return clock.now().year + 1


def parse_year(value: Any) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        year = int(str(value).strip())
    except ValueError:
        raise ValidationError({"year": f"{value!r} is not a year"}) from None
    if not 1900 <= year <= max_year():
        raise ValidationError({"year": f"{year} is not between 1900 and {max_year()}"})
    return year


def _north_american(vin: str) -> bool:
    return vin[0] in "12345"


def parse_vin(value: Any) -> str | None:
    text = str(value or "").strip().upper().replace(" ", "").replace("-", "")
    if not text:
        return None
    if len(text) != 17:
        raise ValidationError({"vin": f"{text!r} has {len(text)} characters; a VIN has 17"})
    if not _VIN.match(text):
        bad = sorted({c for c in text if not c.isalnum()} | ({"I", "O", "Q"} & set(text)))
        raise ValidationError({"vin": f"{text!r} contains {', '.join(bad) or 'invalid characters'} (never in a VIN)"})
    if _north_american(text) and not Vin(text).verify_checksum():
        raise ValidationError({"vin": f"{text!r} fails the check digit (position 9); check for a typo"})
    return text


def parse_plate(value: Any) -> str | None:
    text = _PLATE_SEPARATORS.sub(" ", str(value or "").strip().upper()).strip()
    if not text:
        return None
    if len(text) > 15 or not _PLATE.match(text):
        raise ValidationError({"plate": f"{value!r} is not a licence plate (letters, digits, spaces or dashes)"})
    return text


def parse_mileage(value: Any) -> int | None:
    """Kilometres as a whole number. Thousands separators are read as such whichever the customer's
    habit (42.000 in Germany, 42,000 in Britain), but only in groups of three digits: "12,5" or
    "12.5" is refused rather than guessed (it used to become 125)."""
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, int):
        mileage = value
    else:
        text = _KM_SUFFIX.sub("", str(value).strip())
        negative = text.startswith("-")
        digits = text[1:].strip() if negative else text
        if _GROUPED_NUMBER.match(digits):
            digits = re.sub(r"\D", "", digits)
        if not digits.isascii() or not digits.isdigit():
            raise ValidationError(
                {"mileage": f"{value!r} is not a whole number of kilometres (write it like 42000 or 42.000)"}
            )
        mileage = -int(digits) if negative else int(digits)
    if mileage < 0:
        raise ValidationError({"mileage": "must not be negative"})
    if mileage > MAX_MILEAGE:
        raise ValidationError({"mileage": f"{mileage} is more than {MAX_MILEAGE}"})
    return mileage


def decode_vin(vin: str) -> VinInfo:
    """What a VIN says about the car: maker, possible model years (the latest plausible suggested)."""
    text = parse_vin(vin)
    if text is None:
        raise ValidationError({"vin": "must not be empty"})
    info = Vin(text)
    make = info.manufacturer or None
    if make in ("UnsupportedBrand", ""):
        make = None
    try:
        years = [y for y in (info.years or []) if isinstance(y, int)]
    except Exception:
        years = []
    plausible = [y for y in years if y <= max_year()]
    try:
        country = info.country
    except Exception:
        country = None
    return VinInfo(
        vin=text,
        make=make,
        years=years,
        suggested_year=max(plausible) if plausible else None,
        country=country,
        check_digit="ok" if _north_american(text) else "not used",
    )


def validate_fields(
    make: Any,
    model: Any,
    year: Any = None,
    vin: Any = None,
    plate: Any = None,
    colour: Any = "",
    mileage: Any = None,
) -> dict[str, Any]:
    """Every field parsed (make/year suggested from the VIN when missing), or one ValidationError."""
    errors = FieldErrors()
    values = {
        "vin": errors.check("vin", parse_vin, vin),
        "year": errors.check("year", parse_year, year),
        "plate": errors.check("plate", parse_plate, plate),
        "colour": errors.check("colour", _text, "colour", colour, False, 40),
        "mileage": errors.check("mileage", parse_mileage, mileage),
        "model": errors.check("model", _text, "model", model, True),
    }
    make_text = " ".join(str(make or "").split())
    if not make_text and values["vin"]:
        make_text = decode_vin(values["vin"]).make or ""
    values["make"] = errors.check("make", _text, "make", make_text, True)
    errors.raise_if_any()
    return values


# ---------------------------------------------------------------------------------------------


def _out(row: VehicleRow) -> Vehicle:
    return Vehicle(
        id=row.id,
        customer_id=row.customer_id,
        make=row.make,
        model=row.model,
        year=row.year,
        vin=row.vin,
        plate=row.plate,
        colour=row.colour,
        mileage=row.mileage,
        archived=row.archived,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _owner(customer_id: Any) -> CustomerRow:
    try:
        cid = int(customer_id)
    except (TypeError, ValueError):
        raise ValidationError({"customer_id": f"{customer_id!r} is not a customer id"}) from None
    row = CustomerRow.get_or_none(CustomerRow.id == cid)
    if row is None:
        raise NotFound(f"customer_id: no customer {cid}")
    if row.archived:
        raise ValidationError({"customer_id": f"customer {cid} ({row.name}) is archived"})
    return row


def _check_unique(vin: str | None, plate: str | None, exclude: int | None = None) -> None:
    for field, value in (("vin", vin), ("plate", plate)):
        if not value:
            continue
        query = VehicleRow.select().where(getattr(VehicleRow, field) == value)
        if exclude is not None:
            query = query.where(VehicleRow.id != exclude)
        other = query.first()
        if other is not None:
            owner = CustomerRow.get_by_id(other.customer_id)
            # An archived car keeps its VIN and plate (its history stays with them): say so, since
            # bringing it back is then the answer rather than adding it again.
            gone = "; it is archived: restore it rather than adding it again" if other.archived else ""
            raise Conflict(
                f"{field}: {value} is already car {other.id} ({other.make} {other.model}) "
                f"of customer {owner.id} ({owner.name}){gone}"
            )


def _unique_violation(vin: str | None, plate: str | None) -> Conflict:
    return Conflict(f"vin {vin} or plate {plate} is already registered to another car")


@transaction
def add_vehicle(
    customer_id: int,
    make: str | None,
    model: str,
    year: int | str | None = None,
    vin: str | None = None,
    plate: str | None = None,
    colour: str = "",
    mileage: int | str | None = None,
    actor: Actor = SYSTEM,
) -> Vehicle:
    require(actor, "vehicle.write")
    errors = FieldErrors()
    owner = errors.check("customer_id", _owner, customer_id)
    try:
        values = validate_fields(make, model, year, vin, plate, colour, mileage)
    except ValidationError as exc:
        errors.errors.update(exc.fields)
        values = {}
    errors.raise_if_any()
    if values["year"] is None and values["vin"]:
        values["year"] = decode_vin(values["vin"]).suggested_year
    _check_unique(values["vin"], values["plate"])
    now = clock.now()
    try:
        with database.atomic():
            row = VehicleRow.create(
                customer=owner.id, **values, archived=False, version=1, created_at=now, updated_at=now
            )
    except IntegrityError:
        raise _unique_violation(values["vin"], values["plate"]) from None
    if values["mileage"] is not None:
        MileageReading.create(vehicle=row.id, mileage=values["mileage"], at=now, source="added")
    customers.refresh_search_text(owner.id)
    audit.record(actor, "vehicle.add", "vehicle", row.id, customer_id=owner.id, plate=row.plate, vin=row.vin)
    return _out(row)


def _get(vehicle_id: int) -> VehicleRow:
    row = VehicleRow.get_or_none(VehicleRow.id == vehicle_id)
    if row is None:
        raise NotFound(f"no car {vehicle_id}")
    return row


def owned_vehicle(customer_id: int, vehicle_id: int) -> Vehicle | None:
    """Car VEHICLE_ID if it belongs to CUSTOMER_ID and is not archived, else None.

    One raw query: the portal asks on every booking page, and building the ORM query cost more
    than running it.
    """
    fields, sql = _owned_sql(is_postgres())
    found = database.execute_sql(sql, (int(vehicle_id), int(customer_id))).fetchone()
    if found is None:
        return None
    values = {f.column_name: f.python_value(v) for f, v in zip(fields, found, strict=True)}
    return None if values["archived"] else _out(SimpleNamespace(**values))  # type: ignore[arg-type]


@functools.cache
def _owned_sql(postgres: bool) -> tuple[list[Any], str]:
    fields = VehicleRow._meta.sorted_fields
    p = "%s" if postgres else "?"
    columns = ", ".join(f.column_name for f in fields)
    return fields, f"SELECT {columns} FROM vehicle WHERE id = {p} AND customer_id = {p}"


def archived_own_car(customer_id: int, vin: str | None, plate: str | None) -> Vehicle | None:
    """The customer's own archived car that a VIN, else a plate, (both parsed) names; None otherwise.

    For adding a car back: a customer who removed a car and adds it again gets that car, with its
    history, instead of a refusal. Another customer's car is never returned. A plate names the car
    only when the VINs do not disagree (a plate kept for a different car is not that car).
    """
    if vin:
        row = VehicleRow.get_or_none(VehicleRow.vin == vin)
        if row is not None:
            return _out(row) if row.archived and row.customer_id == customer_id else None
    if plate:
        row = VehicleRow.get_or_none(VehicleRow.plate == plate)
        if row is not None and row.archived and row.customer_id == customer_id and (not vin or not row.vin):
            return _out(row)
    return None


def get_vehicle(vehicle_id: int, actor: Actor = SYSTEM) -> Vehicle:
    row = _get(vehicle_id)
    if actor.customer_id != row.customer_id:
        require(actor, "vehicle.read")
    return _out(row)


def find_by_plate(plate: str, actor: Actor = SYSTEM) -> Vehicle:
    require(actor, "vehicle.read")
    normalised = parse_plate(plate)
    row = VehicleRow.get_or_none(VehicleRow.plate == normalised)
    if row is None:
        raise NotFound(f"no car with plate {normalised}")
    return _out(row)


def list_vehicles(
    customer_id: int | None = None,
    search: str | None = None,
    include_archived: bool = False,
    limit: int = 200,
    actor: Actor = SYSTEM,
) -> list[Vehicle]:
    if customer_id is None or actor.customer_id != customer_id:
        require(actor, "vehicle.read")
    query = VehicleRow.select().order_by(VehicleRow.customer, VehicleRow.id)
    if customer_id is not None:
        query = query.where(VehicleRow.customer == customer_id)
    if not include_archived:
        query = query.where(VehicleRow.archived == False)
    if search and search.strip():
        term = search.strip()
        short = customers.compact(term).upper()
        plate_like = parse_plate_fragment(term)
        condition = VehicleRow.make.contains(term) | VehicleRow.model.contains(term)
        if short:
            condition = condition | VehicleRow.vin.contains(short)
        if plate_like:
            condition = condition | VehicleRow.plate.contains(plate_like)
            condition = condition | VehicleRow.plate.contains(plate_like.replace(" ", ""))
        query = query.where(condition)
    if limit:
        query = query.limit(limit)
    return [_out(r) for r in query]


def parse_plate_fragment(text: str) -> str:
    return _PLATE_SEPARATORS.sub(" ", text.strip().upper()).strip()


@transaction
def edit_vehicle(
    vehicle_id: int, *, version: int | None = None, force: bool = False, actor: Actor = SYSTEM, **fields: Any
) -> Vehicle:
    """Change some fields; a new mileage goes through the same rules as `record_mileage`."""
    require(actor, "vehicle.write")
    check_editable(fields, EDITABLE)
    row = _get(vehicle_id)
    check_version(f"car {row.id}", row.version, version)
    errors = FieldErrors()
    values: dict[str, Any] = {}
    if "customer_id" in fields:
        owner = errors.check("customer_id", _owner, fields["customer_id"])
        if owner is not None:
            values["customer_id"] = owner.id
    if "make" in fields:
        values["make"] = errors.check("make", _text, "make", fields["make"], True)
    if "model" in fields:
        values["model"] = errors.check("model", _text, "model", fields["model"], True)
    if "year" in fields:
        values["year"] = errors.check("year", parse_year, fields["year"])
    if "vin" in fields:
        values["vin"] = errors.check("vin", parse_vin, fields["vin"])
    if "plate" in fields:
        values["plate"] = errors.check("plate", parse_plate, fields["plate"])
    if "colour" in fields:
        values["colour"] = errors.check("colour", _text, "colour", fields["colour"], False, 40)
    new_mileage = errors.check("mileage", parse_mileage, fields["mileage"]) if "mileage" in fields else None
    errors.raise_if_any()
    changed = {f: v for f, v in values.items() if v != getattr(row, f)}
    _check_unique(changed.get("vin"), changed.get("plate"), exclude=row.id)
    now = clock.now()
    if changed:
        db_values = {("customer" if k == "customer_id" else k): v for k, v in changed.items()}
        try:
            with database.atomic():
                updated = (
                    VehicleRow.update(**db_values, version=row.version + 1, updated_at=now)
                    .where(VehicleRow.id == row.id, VehicleRow.version == row.version)
                    .execute()
                )
        except IntegrityError:
            raise _unique_violation(changed.get("vin"), changed.get("plate")) from None
        if updated != 1:
            raise Conflict(f"car {row.id} was changed by someone else; reload and try again")
        audit.record(actor, "vehicle.edit", "vehicle", row.id, **{k: str(v) for k, v in changed.items()})
        if {"vin", "plate", "customer_id"} & changed.keys():
            customers.refresh_search_text(row.customer_id)
            if "customer_id" in changed:
                customers.refresh_search_text(changed["customer_id"])
    if new_mileage is not None and new_mileage != row.mileage:
        record_mileage(row.id, new_mileage, source="edit", force=force, actor=actor)
    return _out(_get(row.id))


@transaction
def record_mileage(
    vehicle_id: int, mileage: int | str, source: str = "manual", force: bool = False, actor: Actor = SYSTEM
) -> Vehicle:
    """Store a new odometer reading; a reading below the last one is refused unless FORCE."""
    require(actor, "vehicle.write")
    value = parse_mileage(mileage)
    if value is None:
        raise ValidationError({"mileage": "must not be empty"})
    row = lock_rows(VehicleRow.select().where(VehicleRow.id == vehicle_id)).first()
    if row is None:
        raise NotFound(f"no car {vehicle_id}")
    if row.mileage is not None and value < row.mileage and not force:
        raise ValidationError(
            {"mileage": f"{value} is lower than the last reading {row.mileage}; store it only as a correction"},
            overridable=True,
        )
    now = clock.now()
    MileageReading.create(vehicle=row.id, mileage=value, at=now, source=_text("source", source, True, 40))
    VehicleRow.update(mileage=value, version=row.version + 1, updated_at=now).where(VehicleRow.id == row.id).execute()
    audit.record(actor, "vehicle.mileage", "vehicle", row.id, mileage=value, previous=row.mileage, forced=force)
    return _out(_get(row.id))


def mileage_history(vehicle_id: int, actor: Actor = SYSTEM) -> list[MileageEntry]:
    row = _get(vehicle_id)
    if actor.customer_id != row.customer_id:
        require(actor, "vehicle.read")
    query = (
        MileageReading.select()
        .where(MileageReading.vehicle == vehicle_id)
        .order_by(MileageReading.at, MileageReading.id)
    )
    return [MileageEntry(r.mileage, r.at, r.source) for r in query]


@transaction
def archive_vehicle(vehicle_id: int, actor: Actor = SYSTEM, force: bool = False) -> Vehicle:
    """Hide a sold or scrapped car from lists; its history stays.

    Refused (`VisitsBooked`, overridable) while the car has a visit booked or under way
    (`booking.check_nothing_booked`): the visit would stay in the calendar for a car that has
    left. FORCE archives it anyway and leaves those visits as they are.
    """
    require(actor, "vehicle.write")
    row = _get(vehicle_id)
    if not row.archived:
        if not force:
            name = f"{row.make} {row.model}" + (f" {row.plate}" if row.plate else "")
            booking.check_nothing_booked(f"car {row.id} ({name})", vehicle_id=row.id)
        VehicleRow.update(archived=True, version=row.version + 1, updated_at=clock.now()).where(
            VehicleRow.id == row.id
        ).execute()
        audit.record(actor, "vehicle.archive", "vehicle", row.id)
    return _out(_get(row.id))


@transaction
def restore_vehicle(vehicle_id: int, actor: Actor = SYSTEM) -> Vehicle:
    """Bring an archived car back (archived by mistake, or the customer has it again).

    Refused while its owner is archived (the car would come back to a customer nobody can book
    for) and while another car holds its VIN or plate. An archived car keeps both, and the unique
    indexes cover archived cars too, so today that second case is kept out by `add_vehicle` and
    `edit_vehicle` already; the check stays so the refusal names the other car if that ever changes.
    Restoring an active car changes nothing.
    """
    require(actor, "vehicle.write")
    row = lock_rows(VehicleRow.select().where(VehicleRow.id == vehicle_id)).first()
    if row is None:
        raise NotFound(f"no car {vehicle_id}")
    if not row.archived:
        return _out(row)
    owner = CustomerRow.get_by_id(row.customer_id)
    if owner.archived:
        raise Conflict(
            f"car {row.id} ({row.make} {row.model}) belongs to customer {owner.id} ({owner.name}), "
            f"who is archived; restore the customer first, or give the car to another customer"
        )
    _check_unique(row.vin, row.plate, exclude=row.id)
    VehicleRow.update(archived=False, version=row.version + 1, updated_at=clock.now()).where(
        VehicleRow.id == row.id
    ).execute()
    audit.record(actor, "vehicle.restore", "vehicle", row.id, customer_id=row.customer_id)
    return _out(_get(row.id))
