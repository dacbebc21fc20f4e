"""Customers: contact details, duplicate detection, search, archiving.

Phones are parsed with `phonenumbers` in the shop's default region (setting ``phone.region``),
stored as E.164 and shown in national format. E-mails are checked for syntax only (no DNS) and
stored normalised (lower-cased); an e-mail belongs to at most one customer. A phone number
shared by two customers is refused unless forced (families share a landline).

`customer.search_text` holds everything a receptionist may type to find a customer (name,
phone digits, e-mail, plates, VINs) lower-cased, so a search is one LIKE scan.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from peewee import OP, Expression, IntegrityError, fn

from shop import audit, booking, clock, settings
from shop.auth import SYSTEM, Actor, require
from shop.db import database, is_postgres, transaction
from shop.editing import check_editable, check_version
from shop.errors import Conflict, FieldErrors, NotFound, ValidationError
from shop.models import Customer as CustomerRow
from shop.models import Vehicle as VehicleRow

MAX_NAME = 200
MAX_TEXT = 2000
EDITABLE = ("name", "phone", "email", "address", "notes")


@dataclass(frozen=True)
class Customer:
    id: int
    name: str
    phone: str | None
    phone_display: str | None
    email: str | None
    address: str
    notes: str
    archived: bool
    version: int
    created_at: datetime
    updated_at: datetime


# ---------------------------------------------------------------------------------------------
# Parsing (pure functions, reused by the CSV import)


def parse_name(value: Any) -> str:
    name = " ".join(str(value or "").split())
    if not name:
        raise ValidationError({"name": "must not be empty"})
    if len(name) > MAX_NAME:
        raise ValidationError({"name": f"is longer than {MAX_NAME} characters"})
    return name


_PLAIN_NUMBER = re.compile(r"^\+?[0-9]{4,17}$")


@functools.lru_cache(maxsize=64)
def _region_info(region: str) -> tuple[int, str | None, bool]:
    """(country code, national prefix, whether that prefix is stripped by plain prefix matching)."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if meta is None:
        return 0, None, False
    prefix = meta.national_prefix
    simple = (
        bool(prefix) and meta.national_prefix_for_parsing in (None, prefix) and not meta.national_prefix_transform_rule
    )
    return phonenumbers.country_code_for_region(region), prefix, simple


def _fast_phone(text: str, region: str) -> str | None:
    """E.164 for a plain digit string, without the full parser; None means "ask the full parser".

    Only takes "+<country><number>" and "<national prefix><number>" where the region's prefix
    rules are plain; anything unusual (letters, extensions, leading zeros kept in the number,
    carrier codes) goes to `phonenumbers.parse`. Valid answers equal the full parser's.
    """
    compact_text = text.replace(" ", "").replace("-", "").replace("/", "")
    if not _PLAIN_NUMBER.match(compact_text):
        return None
    if compact_text.startswith("+"):
        digits = compact_text[1:]
        for length in (1, 2, 3):
            code = int(digits[:length])
            if phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code):
                break
        else:
            return None
        national = digits[length:]
    else:
        code, prefix, simple = _region_info(region)
        if not simple or not prefix or not compact_text.startswith(prefix):
            return None
        national = compact_text[len(prefix) :]
    if not national or national[0] == "0":
        return None
    check = _validator(code)
    if check is not None:
        valid = check(national)
    else:
        valid = phonenumbers.is_valid_number(phonenumbers.PhoneNumber(country_code=code, national_number=int(national)))
    return f"+{code}{national}" if valid else None


_TYPE_DESCS = (  # the common types first: validity is "any type matches", so order only changes speed
    "mobile",
    "fixed_line",
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)


@functools.lru_cache(maxsize=64)
def _validator(code: int) -> Callable[[str], bool] | None:
    """`phonenumbers.is_valid_number` for one single-region country code, with the patterns compiled once.

    A number is valid when it matches the country's general pattern and the pattern (and length) of
    any number type; that is what phonenumbers checks, one cached regex lookup at a time.
    """
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code)
    if not regions or len(regions) != 1 or regions[0] == "001":
        return None
    meta = phonenumbers.PhoneMetadata.metadata_for_region(regions[0])
    if meta is None or meta.general_desc is None or not meta.general_desc.national_number_pattern:
        return None

    def compiled(desc: Any) -> tuple[frozenset[int], re.Pattern[str]] | None:
        if desc is None or not desc.national_number_pattern:
            return None
        return frozenset(desc.possible_length or ()), re.compile(desc.national_number_pattern)

    general = compiled(meta.general_desc)
    types = [t for t in (compiled(getattr(meta, name)) for name in _TYPE_DESCS) if t is not None]

    def matches(desc: tuple[frozenset[int], re.Pattern[str]], nsn: str) -> bool:
        lengths, pattern = desc
        return (not lengths or len(nsn) in lengths) and pattern.fullmatch(nsn) is not None

    def valid(nsn: str) -> bool:
        return matches(general, nsn) and any(matches(t, nsn) for t in types)  # type: ignore[arg-type]

    return valid


def parse_phone(value: Any, region: str | None = None) -> str | None:
    """E.164 for a phone number written nationally (in REGION) or with +country; None when blank."""
    text = str(value or "").strip()
    if not text:
        return None
    region = region or settings.get("phone.region")
    fast = _fast_phone(text, region)
    if fast is not None:
        return fast
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValidationError({"phone": f"{text!r} is not a phone number{_phone_example(region)}"}) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError({"phone": f"{text!r} is not a valid phone number{_phone_example(region)}"})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@functools.lru_cache(maxsize=16)
def _phone_example(region: str) -> str:
    """How to write a number, from the region's example number: "; write it with the area code, like
    030 123456, or with the country code, like +49 30 123456". A region code ("for region DE") told
    a customer nothing they could act on."""
    example = phonenumbers.example_number(region) if region else None
    if example is None:
        return "; write it with the country code, like +44 20 7946 0958"
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    international = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return f"; write it with the area code, like {national}, or with the country code, like {international}"


def national_digits(e164: str, region: str) -> str | None:
    """The digits as dialled inside REGION (e.g. "0301234567"), or None for a foreign number."""
    code, prefix, _simple = _region_info(region)
    head = f"+{code}"
    if not code or not e164.startswith(head):
        return None
    return (prefix or "") + e164[len(head) :]


def format_phone(e164: str | None, region: str | None = None) -> str | None:
    """National format for numbers of the shop's region, international for the others."""
    if not e164:
        return None
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    region = region or settings.get("phone.region")
    same = phonenumbers.region_code_for_number(number) == region
    fmt = phonenumbers.PhoneNumberFormat.NATIONAL if same else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, fmt)


# Plain ASCII addresses (nearly all of them) are checked by this pattern; anything else, and the
# special-use and IDNA domains, by email-validator. Both accept and normalise plain addresses alike.
_PLAIN_EMAIL = re.compile(r"^[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_SPECIAL_TLDS = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})


def _fast_email(text: str) -> str | None:
    lowered = text.lower()
    if len(lowered) > 254 or not _PLAIN_EMAIL.match(lowered):
        return None
    local, _, domain = lowered.partition("@")
    if len(local) > 64 or "--" in domain or domain.rsplit(".", 1)[1] in _SPECIAL_TLDS:
        return None
    return lowered


def parse_email(value: Any) -> str | None:
    text = str(value or "").strip()
    if not text:
        return None
    fast = _fast_email(text)
    if fast is not None:
        return fast
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError({"email": f"{text!r} is not a valid e-mail address: {_email_reason(exc)}"}) from None
    return result.normalized.lower()


def _email_reason(exc: EmailNotValidError) -> str:
    """email-validator's reason as the second half of our sentence: "An email address must have an
    @-sign." becomes "it must have an @-sign" (one sentence, no capital in the middle)."""
    reason = str(exc).strip().rstrip(".")
    if reason.lower().startswith("an email address "):
        return "it " + reason[len("an email address ") :]
    return reason[:1].lower() + reason[1:]


def parse_text(field: str, value: Any) -> str:
    text = str(value or "").strip()
    if len(text) > MAX_TEXT:
        raise ValidationError({field: f"is longer than {MAX_TEXT} characters"})
    return text


_COMPACT = re.compile(r"[\s\-+/().]+")


def compact(text: str) -> str:
    """Lower-case without separators: how phones, plates and VINs are matched."""
    return _COMPACT.sub("", text.lower())


def build_search_text(
    name: str,
    phone: str | None,
    email: str | None,
    plates: Iterable[str] = (),
    vins: Iterable[str] = (),
    region: str | None = None,
) -> str:
    parts = [name.lower()]
    if phone:
        parts.append(phone.lstrip("+"))
        national = national_digits(phone, region or settings.get("phone.region"))
        if national:
            parts.append(national)
    if email:
        parts.append(email)
    parts.extend(compact(p) for p in plates if p)
    parts.extend(v.lower() for v in vins if v)
    return " | ".join(parts)


def refresh_search_text(customer_id: int) -> None:
    """Recompute one customer's search text (after a car was added, edited or moved)."""
    row = CustomerRow.get_or_none(CustomerRow.id == customer_id)
    if row is None:
        return
    cars = list(VehicleRow.select(VehicleRow.plate, VehicleRow.vin).where(VehicleRow.customer == customer_id))
    row.search_text = build_search_text(
        row.name, row.phone, row.email, [c.plate for c in cars if c.plate], [c.vin for c in cars if c.vin]
    )
    CustomerRow.update(search_text=row.search_text).where(CustomerRow.id == customer_id).execute()


# ---------------------------------------------------------------------------------------------


def _out(row: CustomerRow, region: str | None = None) -> Customer:
    return Customer(
        id=row.id,
        name=row.name,
        phone=row.phone,
        phone_display=format_phone(row.phone, region),
        email=row.email,
        address=row.address,
        notes=row.notes,
        archived=row.archived,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _label(row: CustomerRow) -> str:
    return f"customer {row.id} ({row.name}{', archived' if row.archived else ''})"


def _check_duplicates(phone: str | None, email: str | None, force: bool, exclude: int | None = None) -> None:
    if email:
        query = CustomerRow.select().where(CustomerRow.email == email)
        if exclude is not None:
            query = query.where(CustomerRow.id != exclude)
        other = query.first()
        if other is not None:
            raise Conflict(f"email: {email} already belongs to {_label(other)}")
    if phone and not force:
        query = CustomerRow.select().where(CustomerRow.phone == phone)
        if exclude is not None:
            query = query.where(CustomerRow.id != exclude)
        other = query.first()
        if other is not None:
            raise Conflict(f"phone: {format_phone(phone)} already belongs to {_label(other)}", overridable=True)


def validate_fields(
    name: Any, phone: Any = None, email: Any = None, address: Any = "", notes: Any = "", region: str | None = None
) -> dict[str, Any]:
    """Every field parsed, or one ValidationError naming each bad field."""
    errors = FieldErrors()
    values = {
        "name": errors.check("name", parse_name, name),
        "phone": errors.check("phone", parse_phone, phone, region),
        "email": errors.check("email", parse_email, email),
        "address": errors.check("address", parse_text, "address", address),
        "notes": errors.check("notes", parse_text, "notes", notes),
    }
    errors.raise_if_any()
    return values


@transaction
def add_customer(
    name: str,
    phone: str | None = None,
    email: str | None = None,
    address: str = "",
    notes: str = "",
    force: bool = False,
    actor: Actor = SYSTEM,
) -> Customer:
    require(actor, "customer.write")
    values = validate_fields(name, phone, email, address, notes)
    _check_duplicates(values["phone"], values["email"], force)
    now = clock.now()
    try:
        with database.atomic():
            row = CustomerRow.create(
                **values,
                search_text=build_search_text(values["name"], values["phone"], values["email"]),
                archived=False,
                version=1,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        raise Conflict(f"email: {values['email']} already belongs to another customer") from None
    audit.record(actor, "customer.add", "customer", row.id, name=row.name)
    return _out(row)


def _get(customer_id: int) -> CustomerRow:
    row = CustomerRow.get_or_none(CustomerRow.id == customer_id)
    if row is None:
        raise NotFound(f"no customer {customer_id}")
    return row


def get_customer(customer_id: int, actor: Actor = SYSTEM) -> Customer:
    if actor.customer_id != customer_id:
        require(actor, "customer.read")
    return _out(_get(customer_id))


def _like(term: str, column: Any = None) -> Expression:
    # search_text is lower-case already: plain LIKE on PostgreSQL; peewee spells SQLite's LIKE as ILIKE.
    column = CustomerRow.search_text if column is None else column
    op = OP.LIKE if is_postgres() else OP.ILIKE
    return Expression(column, op, column._escape_like_expr(term, "%%%s%%"))


# German names are written both ways: Schön and Schoen, Weiß and Weiss, Jäger and Jaeger.
_SPELLED_OUT = (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"))


def spelled_out(text: str) -> str:
    """TEXT (lower-case) with umlauts and ß written out: 'schön' -> 'schoen'."""
    for letter, spelled in _SPELLED_OUT:
        text = text.replace(letter, spelled)
    return text


def search_condition(search: str) -> Expression | None:
    """The WHERE clause for a search term: its lower-cased text or its separator-free form.

    A term with an umlaut or ß, or with a spelled-out one (ae, oe, ue, ss), also matches the other
    spelling ("schoen" finds Schön, "weiß" finds Weiss): both sides are compared written out. Only such
    terms pay for rewriting the column; a plate, a phone or most names keep the plain scan.
    """
    term = " ".join(search.lower().split())
    if not term:
        return None
    condition = _like(term)
    short = compact(term)
    if short and short != term:
        condition = condition | _like(short)
    written = spelled_out(term)
    if written != term or any(spelled in term for _, spelled in _SPELLED_OUT):
        column = CustomerRow.search_text
        for letter, spelled in _SPELLED_OUT:
            column = fn.REPLACE(column, letter, spelled)
        condition = condition | _like(written, column)
    return condition


def list_customers(
    search: str | None = None,
    include_archived: bool = False,
    limit: int = 100,
    offset: int = 0,
    actor: Actor = SYSTEM,
) -> list[Customer]:
    require(actor, "customer.read")
    query = CustomerRow.select().order_by(CustomerRow.name, CustomerRow.id)
    if not include_archived:
        query = query.where(CustomerRow.archived == False)
    condition = search_condition(search) if search else None
    if condition is not None:
        # Find the page of ids by scanning the narrow customer_search index, then read those rows.
        # Ordering by an expression keeps the planner from walking the name index row by row.
        ids = CustomerRow.select(CustomerRow.id).where(condition)
        if not include_archived:
            ids = ids.where(CustomerRow.archived == False)
        ids = ids.order_by(CustomerRow.name.concat(""), CustomerRow.id)
        if limit:
            ids = ids.limit(limit)
        if offset:
            ids = ids.offset(offset)
        query = CustomerRow.select().where(CustomerRow.id.in_(ids)).order_by(CustomerRow.name, CustomerRow.id)
    elif limit:
        query = query.limit(limit).offset(offset)
    elif offset:
        query = query.offset(offset)
    region = settings.get("phone.region")
    return [_out(r, region) for r in query]


def count_customers(include_archived: bool = False) -> int:
    query = CustomerRow.select()
    if not include_archived:
        query = query.where(CustomerRow.archived == False)
    return query.count()


@transaction
def edit_customer(
    customer_id: int, *, version: int | None = None, force: bool = False, actor: Actor = SYSTEM, **fields: Any
) -> Customer:
    """Change some fields. With VERSION, refuse (Conflict) if the customer changed since it was read."""
    require(actor, "customer.write")
    check_editable(fields, EDITABLE)
    row = _get(customer_id)
    check_version(f"customer {row.id}", row.version, version)
    merged = {f: getattr(row, f) for f in EDITABLE}
    merged.update(fields)
    errors = FieldErrors()
    values = {
        "name": errors.check("name", parse_name, merged["name"]) if "name" in fields else row.name,
        "phone": errors.check("phone", parse_phone, merged["phone"]) if "phone" in fields else row.phone,
        "email": errors.check("email", parse_email, merged["email"]) if "email" in fields else row.email,
        "address": errors.check("address", parse_text, "address", merged["address"]),
        "notes": errors.check("notes", parse_text, "notes", merged["notes"]),
    }
    errors.raise_if_any()
    if values["email"] and values["email"] != row.email:
        _check_duplicates(None, values["email"], True, exclude=row.id)
    if values["phone"] and values["phone"] != row.phone:
        _check_duplicates(values["phone"], None, force, exclude=row.id)
    changed = {f: v for f, v in values.items() if v != getattr(row, f)}
    if not changed:
        return _out(row)
    now = clock.now()
    try:
        with database.atomic():
            updated = (
                CustomerRow.update(**changed, version=row.version + 1, updated_at=now)
                .where(CustomerRow.id == row.id, CustomerRow.version == row.version)
                .execute()
            )
    except IntegrityError:
        raise Conflict(f"email: {values['email']} already belongs to another customer") from None
    if updated != 1:
        raise Conflict(f"customer {row.id} was changed by someone else; reload and try again")
    if {"name", "phone", "email"} & changed.keys():
        refresh_search_text(row.id)
    audit.record(actor, "customer.edit", "customer", row.id, **{k: str(v) for k, v in changed.items()})
    return _out(_get(row.id))


@transaction
def archive_customer(customer_id: int, actor: Actor = SYSTEM, force: bool = False) -> Customer:
    """Hide a customer from lists and new bookings; history (cars, jobs, invoices) stays.

    Refused (`VisitsBooked`, overridable) while any of their cars has a visit booked or under way,
    by the same rule as archiving a car (`booking.check_nothing_booked`). FORCE archives anyway
    and leaves those visits as they are.
    """
    require(actor, "customer.write")
    row = _get(customer_id)
    if not row.archived:
        if not force:
            booking.check_nothing_booked(_label(row), customer_id=row.id)
        CustomerRow.update(archived=True, version=row.version + 1, updated_at=clock.now()).where(
            CustomerRow.id == row.id
        ).execute()
        audit.record(actor, "customer.archive", "customer", row.id)
    return _out(_get(row.id))


@transaction
def restore_customer(customer_id: int, actor: Actor = SYSTEM) -> Customer:
    require(actor, "customer.write")
    row = _get(customer_id)
    if row.archived:
        CustomerRow.update(archived=False, version=row.version + 1, updated_at=clock.now()).where(
            CustomerRow.id == row.id
        ).execute()
        audit.record(actor, "customer.restore", "customer", row.id)
    return _out(_get(row.id))
