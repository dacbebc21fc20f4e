"""Message templates: defaults shipped as files next to this module, overrides stored by the admin.

A template has up to four parts: ``subject``, ``text``, ``html`` and ``sms``. Placeholders are
``${name}`` (``$$`` for a dollar sign); every kind lists the names it knows, and a template that
uses an unknown name is refused when it is saved, not when a customer should have got the message.
In the HTML part every value is escaped.
"""

from __future__ import annotations

import functools
import html
import string
from dataclasses import dataclass
from importlib import resources

from shop import audit, clock
from shop.auth import SYSTEM, Actor, require
from shop.db import database, is_postgres, transaction
from shop.errors import NotFound, ValidationError
from shop.models import NotificationTemplate

PARTS = ("subject", "text", "html", "sms")
_FILES = {"subject": "subject.txt", "text": "text.txt", "html": "html", "sms": "sms.txt"}

COMMON = ("shop_name", "shop_phone", "shop_address", "shop_email", "customer_name", "portal_url")
APPOINTMENT = (
    "appointment_id",
    "appointment_url",
    "start",
    "start_short",
    "start_date",
    "start_time",
    "end_time",
    "timezone",
    "car",
    "services",
)


@dataclass(frozen=True)
class Kind:
    name: str
    description: str
    variables: tuple[str, ...]


KINDS: dict[str, Kind] = {
    k.name: k
    for k in [
        Kind("appointment_booked", "Confirmation of a new booking, with calendar invite", COMMON + APPOINTMENT),
        Kind(
            "appointment_rescheduled",
            "The appointment moved; updated calendar invite",
            (*COMMON, *APPOINTMENT, "old_start"),
        ),
        Kind("appointment_cancelled", "The appointment is cancelled; calendar cancellation", COMMON + APPOINTMENT),
        Kind("appointment_reminder", "Reminder before the appointment", (*COMMON, *APPOINTMENT, "lead")),
        Kind("appointment_ready", "The work is done: ready for pick-up", COMMON + APPOINTMENT),
        Kind("appointment_waiting_parts", "The work waits for parts", COMMON + APPOINTMENT),
        Kind(
            "quote_sent",
            "A quote for the customer to accept",
            (*COMMON, "quote_id", "quote_number", "quote_url", "car", "summary", "total", "valid_until"),
        ),
        Kind(
            "invoice_issued",
            "An invoice, PDF attached",
            (*COMMON, "invoice_id", "invoice_number", "invoice_url", "car", "total", "due_date"),
        ),
        Kind("account_created", "Welcome to the customer portal", (*COMMON, "email", "verify_url")),
        Kind("password_reset", "Portal password reset link", (*COMMON, "email", "reset_url")),
        Kind(
            "email_change_confirm",
            "Link to confirm a new portal e-mail address (sent to the new address)",
            (*COMMON, "email", "confirm_url"),
        ),
        Kind(
            "email_change_notice",
            "Notice to the old address that a change of e-mail was asked for",
            (*COMMON, "email", "new_email_hint"),
        ),
        Kind(
            "service_due",
            "Your car is due for a service (from its history and mileage)",
            (*COMMON, "car", "service", "last_done", "last_mileage", "reason", "booking_url"),
        ),
    ]
}


@dataclass(frozen=True)
class TemplateInfo:
    kind: str
    description: str
    overridden: list[str]
    variables: list[str]


@dataclass(frozen=True)
class Template:
    kind: str
    subject: str
    text: str
    html: str
    sms: str
    overridden: list[str]
    variables: list[str]


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str


def _kind(kind: str) -> Kind:
    try:
        return KINDS[kind]
    except KeyError:
        raise NotFound(f"no message template {kind!r}; known: {', '.join(KINDS)}") from None


def default(kind: str, part: str) -> str:
    _kind(kind)
    return _shipped(kind, part)


@functools.lru_cache(maxsize=256)
def _shipped(kind: str, part: str) -> str:
    """The shipped file for one part, read once per process: the package's files do not change while
    it runs, and every message rendered (inside the transaction that caused it) needs all four parts."""
    path = resources.files("shop.notifications") / "templates" / f"{kind}.{_FILES[part]}"
    if not path.is_file():
        return ""
    body = path.read_text(encoding="utf-8")
    return body.strip() if part in ("subject", "sms") else body


def _stored(kind: str) -> dict[str, str]:
    """The admin's parts of KIND, in one plain query (the ORM's SQL compilation cost more than the
    query). Read for every message and never cached: an edit applies to the very next message."""
    mark = "%s" if is_postgres() else "?"
    table = NotificationTemplate._meta.table_name
    return dict(database.execute_sql(f"SELECT part, body FROM {table} WHERE kind = {mark}", (kind,)).fetchall())


def current(kind: str) -> dict[str, str]:
    """Every part of KIND as a message would use it now: the admin's version where one is stored, else
    the shipped default. One query; a caller that both routes and renders a message (the SMS part
    decides whether SMS can carry it) reads it once and hands it to `render`."""
    _kind(kind)
    stored = _stored(kind)
    return {part: stored.get(part, _shipped(kind, part)) for part in PARTS}


def list_templates(actor: Actor = SYSTEM) -> list[TemplateInfo]:
    require(actor, "notify.read")
    stored: dict[str, list[str]] = {}
    for row in NotificationTemplate.select().order_by(NotificationTemplate.kind, NotificationTemplate.part):
        stored.setdefault(row.kind, []).append(row.part)
    return [TemplateInfo(k.name, k.description, stored.get(k.name, []), list(k.variables)) for k in KINDS.values()]


def get_template(kind: str, actor: Actor = SYSTEM) -> Template:
    require(actor, "notify.read")
    info = _kind(kind)
    stored = _stored(kind)
    parts = {part: stored.get(part, default(kind, part)) for part in PARTS}
    return Template(kind, **parts, overridden=sorted(stored), variables=list(info.variables))


def check(kind: str, part: str, body: str) -> None:
    """Refuse a template that would fail or say nonsense when rendered."""
    info = _kind(kind)
    if part not in PARTS:
        raise ValidationError({"part": f"{part!r} is not one of {', '.join(PARTS)}"})
    if part in ("subject", "text") and not body.strip():
        raise ValidationError({part: "must not be empty"})
    if part == "subject" and ("\n" in body.strip() or len(body.strip()) > 200):
        raise ValidationError({"subject": "must be one line of at most 200 characters"})
    template = string.Template(body)
    if not template.is_valid():
        raise ValidationError({part: "has a '$' that is not a placeholder; write $$ for a dollar sign"})
    unknown = [name for name in template.get_identifiers() if name not in info.variables]
    if unknown:
        raise ValidationError(
            {part: f"unknown placeholder ${{{unknown[0]}}}; {kind} knows: {', '.join(info.variables)}"}
        )


@transaction
def set_template(kind: str, part: str, body: str, actor: Actor = SYSTEM) -> Template:
    """Store the admin's version of one part (checked first)."""
    require(actor, "notify.write")
    check(kind, part, body)
    now = clock.now()
    (
        NotificationTemplate.insert(kind=kind, part=part, body=body, updated_at=now)
        .on_conflict(
            conflict_target=[NotificationTemplate.kind, NotificationTemplate.part],
            update={NotificationTemplate.body: body, NotificationTemplate.updated_at: now},
        )
        .execute()
    )
    audit.record(actor, "notify.template.set", "notification_template", None, kind=kind, part=part)
    return get_template(kind, actor)


@transaction
def reset_template(kind: str, part: str | None = None, actor: Actor = SYSTEM) -> Template:
    """Go back to the shipped default for one part, or for all parts of KIND."""
    require(actor, "notify.write")
    _kind(kind)
    if part is not None and part not in PARTS:
        raise ValidationError({"part": f"{part!r} is not one of {', '.join(PARTS)}"})
    query = NotificationTemplate.delete().where(NotificationTemplate.kind == kind)
    if part is not None:
        query = query.where(NotificationTemplate.part == part)
    query.execute()
    audit.record(actor, "notify.template.reset", "notification_template", None, kind=kind, part=part)
    return get_template(kind, actor)


def render(kind: str, values: dict[str, object], parts: dict[str, str] | None = None) -> Rendered:
    """Fill every part of KIND with VALUES (HTML-escaped in the HTML part). Missing names render empty.

    PARTS is `current(kind)` when the caller has just read it; otherwise it is read here."""
    info = _kind(kind)
    bodies = current(kind) if parts is None else parts
    plain = {name: "" if values.get(name) is None else str(values[name]) for name in info.variables}
    escaped = {name: html.escape(value) for name, value in plain.items()}
    out = {}
    for part in PARTS:
        out[part] = string.Template(bodies[part]).safe_substitute(escaped if part == "html" else plain)
    return Rendered(
        subject=" ".join(out["subject"].split()),
        text=out["text"],
        html=out["html"],
        sms=" ".join(out["sms"].split()),
    )
