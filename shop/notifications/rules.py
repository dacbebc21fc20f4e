"""Which message each domain event causes, for whom, by which channel: the notification subscribers.

Each subscriber runs inside the transaction of the change it reacts to (see `shop.events`), reads
what it needs through the other areas' ``get_*`` functions, renders the template and writes the
outbox row. Dedupe keys make a repeated event queue nothing new.

A booking, a move or a cancellation holds the write lock (SQLite) or the bay locks (PostgreSQL)
while its message is built, so each message reads as little as it can: the appointment comes with
the event when the publisher has it, the settings it needs are read once (`message_settings`) and
handed down, and the template and the contact once each. Nothing is cached between messages:
settings, templates and contact choices are what is stored at that moment.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from shop import audit, events, settings
from shop.auth import SYSTEM
from shop.db import database
from shop.event_types import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentRescheduled,
    AppointmentStatusChanged,
    CustomerAccountCreated,
    EmailChangeRequested,
    InvoiceIssued,
    PasswordResetRequested,
    QuoteSent,
)
from shop.notifications import invites, outbox, templates
from shop.notifications.outbox import Attachment
from shop.notifications.preferences import Contact, get_contact
from shop.notifications.transport import generator

E = TypeVar("E")

APPOINTMENT = "appointment"
REMINDER = "appointment_reminder"
# Status moves a customer hears about, and the template that tells them.
STATUS_KINDS = {"completed": "appointment_ready", "waiting_parts": "appointment_waiting_parts"}


log = logging.getLogger("garage.notifications")


def guarded(fn: Callable[[E], None]) -> Callable[[E], None]:
    """Run a subscriber in a savepoint: a broken template or a missing address must not undo the
    booking or invoice that caused the message. The failure is logged and written to the audit trail."""

    @functools.wraps(fn)
    def wrapper(event: E) -> None:
        try:
            with database.atomic():
                fn(event)
        except Exception as exc:
            log.exception("notification for %r failed", event)
            audit.record(SYSTEM, "notify.error", type(event).__name__, None, event=repr(event), error=repr(exc))

    return wrapper


@dataclass(frozen=True)
class Route:
    channel: str
    recipient: str


SHOP_SETTINGS = ("shop.name", "shop.phone", "shop.address", "shop.email", "portal.base_url")
# Every setting an appointment message reads (its values, its invite, its route, its outbox row).
MESSAGE_SETTINGS = (
    *SHOP_SETTINGS,
    "shop.timezone",
    "shop.currency",
    "smtp.from",
    "sms.gateway",
    "notify.give_up_hours",
)


def message_settings() -> dict[str, str]:
    """The settings a message needs, in one query, read when the message is built (never cached)."""
    return settings.get_many(*MESSAGE_SETTINGS)


def shop_values(conf: Mapping[str, str] | None = None) -> dict[str, str]:
    """The shop's own placeholders; CONF is the caller's `message_settings()` when it has read them."""
    values = conf if conf is not None else settings.get_many(*SHOP_SETTINGS)
    return {
        "shop_name": values["shop.name"],
        "shop_phone": values["shop.phone"],
        "shop_address": values["shop.address"],
        "shop_email": values["shop.email"],
        "portal_url": values["portal.base_url"].rstrip("/"),
    }


def route(
    contact: Contact,
    kind: str,
    email_only: bool = False,
    *,
    sms_text: str | None = None,
    conf: Mapping[str, str] | None = None,
) -> Route | None:
    """The channel for CONTACT: their choice when it can work, else the other one, else none.
    SMS_TEXT (KIND's SMS part) and CONF (`message_settings()`) save reading them when the caller has."""
    email = Route("email", contact.email) if contact.email else None
    if email_only:
        return email
    if contact.channel == "none":
        return None
    has_sms_text = bool((templates.get_template(kind).sms if sms_text is None else sms_text).strip())
    sms = (
        Route("sms", contact.phone)
        if contact.phone
        and has_sms_text
        and (settings.get("sms.gateway") if conf is None else conf["sms.gateway"]) != "none"
        else None
    )
    return (sms or email) if contact.channel == "sms" else (email or sms)


def notify(
    kind: str,
    customer_id: int,
    values: dict[str, object],
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    dedupe_key: str | None = None,
    attachments: Sequence[Attachment] = (),
    email_only: bool = False,
    recipient: str | None = None,
    contact: Contact | None = None,
    conf: Mapping[str, str] | None = None,
) -> int | None:
    """Render KIND for the customer and queue it on their channel; None when nothing was queued.
    CONTACT, when the caller has already read it (e.g. for an invite), saves reading it again; so
    does CONF, the caller's `message_settings()`. The template is read once, for route and render."""
    if contact is None or contact.customer_id != customer_id:
        contact = get_contact(customer_id)
    if recipient is not None:
        contact = Contact(contact.customer_id, contact.name, recipient, contact.phone, "email", contact.reminders)
    if conf is None:
        conf = message_settings()
    parts = templates.current(kind)
    chosen = route(contact, kind, email_only, sms_text=parts["sms"], conf=conf)
    if chosen is None:
        return None
    rendered = templates.render(kind, {**shop_values(conf), "customer_name": contact.name, **values}, parts)
    if chosen.channel == "sms":
        return outbox.enqueue(
            kind,
            chosen.recipient,
            rendered.subject,
            rendered.sms,
            channel="sms",
            dedupe_key=dedupe_key,
            entity=entity,
            entity_id=entity_id,
            customer_id=customer_id,
            conf=conf,
        )
    return outbox.enqueue(
        kind,
        chosen.recipient,
        rendered.subject,
        rendered.text,
        rendered.html,
        attachments=attachments,
        dedupe_key=dedupe_key,
        entity=entity,
        entity_id=entity_id,
        customer_id=customer_id,
        conf=conf,
    )


def money(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    return f"{amount:,.2f} {settings.get('shop.currency')}"


def local(at: datetime, conf: Mapping[str, str] | None = None) -> datetime:
    return at.astimezone(settings.timezone() if conf is None else ZoneInfo(conf["shop.timezone"]))


def when(at: datetime, conf: Mapping[str, str] | None = None) -> dict[str, str]:
    zone = settings.get("shop.timezone") if conf is None else conf["shop.timezone"]
    start = at.astimezone(ZoneInfo(zone))
    return {
        "start": f"{start:%A} {start.day} {start:%B %Y, %H:%M}",
        "start_short": f"{start:%a} {start.day} {start:%b %H:%M}",
        "start_date": start.date().isoformat(),
        "start_time": f"{start:%H:%M}",
        "timezone": zone,
    }


# ---------------------------------------------------------------------------------------------
# Appointments


def appointment_values(appointment, conf: Mapping[str, str] | None = None) -> dict[str, object]:  # type: ignore[no-untyped-def]
    if conf is None:
        conf = message_settings()
    base = shop_values(conf)["portal_url"]
    return {
        "appointment_id": appointment.id,
        "appointment_url": f"{base}/appointments/{appointment.id}",
        **when(appointment.start, conf),
        "end_time": f"{local(appointment.end, conf):%H:%M}",
        "car": appointment.vehicle,
        "services": ", ".join(line.name for line in appointment.services),
    }


def appointment_invite(  # type: ignore[no-untyped-def]
    appointment, method: str, sequence: int, contact: Contact, conf: Mapping[str, str] | None = None
) -> Attachment:
    """The ICS for APPOINTMENT; CONTACT is the customer's and CONF the `message_settings()` (both read
    once by the caller, for the message too)."""
    if conf is None:
        conf = message_settings()
    shop = shop_values(conf)
    sender = conf["smtp.from"] or shop["shop_email"]
    services = ", ".join(line.name for line in appointment.services)
    invite = invites.Invite(
        uid=invites.appointment_uid(appointment.id, sender.rpartition("@")[2] or "garage.invalid"),
        sequence=sequence,
        method=method,
        start=appointment.start,
        end=appointment.end,
        summary=f"{shop['shop_name']}: {appointment.vehicle} ({services})",
        description=f"{services}\nCar: {appointment.vehicle}\nPhone: {shop['shop_phone']}\n"
        f"{shop['portal_url']}/appointments/{appointment.id}",
        location=shop["shop_address"],
        timezone=conf["shop.timezone"],
        organizer_email=sender,
        organizer_name=shop["shop_name"],
        attendee_email=contact.email,
        attendee_name=contact.name,
        url=f"{shop['portal_url']}/appointments/{appointment.id}",
    )
    return Attachment(
        "invite.ics" if method != "CANCEL" else "cancel.ics",
        f"text/calendar; method={method}",
        invites.build(invite),
    )


def _appointment(event: object):  # type: ignore[no-untyped-def]
    """The event's appointment: as its publisher built it inside this transaction when the event
    carries it (a booking, a move, a cancellation), else read (`booking.get_appointment`)."""
    appointment_id = event.appointment_id  # type: ignore[attr-defined]
    carried = getattr(event, "appointment", None)
    if carried is not None and carried.id == appointment_id:
        return carried
    from shop import booking

    return booking.get_appointment(appointment_id)


def _with_invite(  # type: ignore[no-untyped-def]
    kind: str, appointment, method: str, sequence: int, dedupe_key: str, old_start: datetime | None = None
) -> None:
    """Queue KIND for APPOINTMENT with its calendar invite (METHOD, SEQUENCE); OLD_START for a move.
    The settings and the customer's contact are read once, for the message and the invite alike."""
    conf = message_settings()
    contact = get_contact(appointment.customer_id)
    values = appointment_values(appointment, conf)
    if old_start is not None:
        values["old_start"] = when(old_start, conf)["start"]
    notify(
        kind,
        appointment.customer_id,
        values,
        entity=APPOINTMENT,
        entity_id=appointment.id,
        dedupe_key=dedupe_key,
        attachments=[appointment_invite(appointment, method, sequence, contact, conf)],
        contact=contact,
        conf=conf,
    )


@events.subscribe(AppointmentBooked)
@guarded
def on_booked(event: AppointmentBooked) -> None:
    appointment = _appointment(event)
    _with_invite(
        "appointment_booked",
        appointment,
        "REQUEST",
        appointment.reschedule_count,
        f"appointment:{appointment.id}:booked",
    )


@events.subscribe(AppointmentRescheduled)
@guarded
def on_rescheduled(event: AppointmentRescheduled) -> None:
    appointment = _appointment(event)
    # Reminders for the old time must not go out; the next `reminders queue` queues the new ones.
    outbox.drop_waiting(APPOINTMENT, appointment.id, [REMINDER], "appointment rescheduled")
    _with_invite(
        "appointment_rescheduled",
        appointment,
        "REQUEST",
        appointment.reschedule_count,
        f"appointment:{appointment.id}:rescheduled:{appointment.reschedule_count}",
        old_start=event.old_start,
    )


@events.subscribe(AppointmentCancelled)
@guarded
def on_cancelled(event: AppointmentCancelled) -> None:
    appointment = _appointment(event)
    outbox.drop_waiting(APPOINTMENT, appointment.id, [REMINDER], "appointment cancelled")
    _with_invite(
        "appointment_cancelled",
        appointment,
        "CANCEL",
        appointment.reschedule_count + 1,
        f"appointment:{appointment.id}:cancelled",
    )


@events.subscribe(AppointmentStatusChanged)
@guarded
def on_status(event: AppointmentStatusChanged) -> None:
    kind = STATUS_KINDS.get(event.new_status)
    if kind is None:
        return
    # Read, not carried: the dedupe key counts the timeline, which `set_status` does not load.
    appointment = _appointment(event)
    if event.new_status == "completed":
        outbox.drop_waiting(APPOINTMENT, appointment.id, [REMINDER], "appointment completed")
    conf = message_settings()
    notify(
        kind,
        appointment.customer_id,
        appointment_values(appointment, conf),
        entity=APPOINTMENT,
        entity_id=appointment.id,
        dedupe_key=f"appointment:{appointment.id}:status:{event.new_status}:{len(appointment.timeline)}",
        conf=conf,
    )


# ---------------------------------------------------------------------------------------------
# Quotes and invoices


def _lines_summary(lines) -> str:  # type: ignore[no-untyped-def]
    rows = []
    for line in lines:
        quantity = line.quantity.normalize() if line.quantity == line.quantity.to_integral() else line.quantity
        rows.append(f"- {line.description} × {quantity:f}: {money(line.amount)}")
    return "\n".join(rows)


@events.subscribe(QuoteSent)
@guarded
def on_quote_sent(event: QuoteSent) -> None:
    from shop import quotes

    quote = quotes.get_quote(event.quote_id)
    base = shop_values()["portal_url"]
    notify(
        "quote_sent",
        quote.customer_id,
        {
            "quote_id": quote.id,
            "quote_number": f"Q-{quote.id}",
            "quote_url": f"{base}/quotes/{quote.id}",
            "car": quote.vehicle or "",
            "summary": _lines_summary(quote.lines),
            "total": money(quote.totals.total),
            "valid_until": quote.valid_until.isoformat() if quote.valid_until else "",
        },
        entity="quote",
        entity_id=quote.id,
        dedupe_key=f"quote:{quote.id}:sent:{quote.sent_at.isoformat() if quote.sent_at else ''}",
    )


@generator("invoice_pdf")
def invoice_pdf(invoice_id: int) -> tuple[str, str, bytes]:
    """The invoice PDF, rebuilt from the stored invoice when the message is sent."""
    from shop import invoices

    info = invoices.get_invoice(invoice_id)
    name = "credit-note" if info.kind == "credit_note" else "invoice"
    return f"{name}-{info.number}.pdf", "application/pdf", invoices.pdf(invoice_id)


@events.subscribe(InvoiceIssued)
@guarded
def on_invoice_issued(event: InvoiceIssued) -> None:
    from shop import invoices

    invoice = invoices.get_invoice(event.invoice_id)
    base = shop_values()["portal_url"]
    name = "credit-note" if invoice.kind == "credit_note" else "invoice"
    notify(
        "invoice_issued",
        invoice.customer_id,
        {
            "invoice_id": invoice.id,
            "invoice_number": invoice.number,
            "invoice_url": f"{base}/invoices/{invoice.id}",
            "car": invoice.vehicle or "",
            "total": money(invoice.totals.total),
            "due_date": invoice.due_date.isoformat() if invoice.due_date else "",
        },
        entity="invoice",
        entity_id=invoice.id,
        dedupe_key=f"invoice:{invoice.id}:issued",
        attachments=[
            Attachment(f"{name}-{invoice.number}.pdf", "application/pdf", generate="invoice_pdf", ref_id=invoice.id)
        ],
    )


# ---------------------------------------------------------------------------------------------
# Portal accounts


@events.subscribe(CustomerAccountCreated)
@guarded
def on_account_created(event: CustomerAccountCreated) -> None:
    base = shop_values()["portal_url"]
    token = getattr(event, "token", None)
    notify(
        "account_created",
        event.customer_id,
        {"email": event.email, "verify_url": f"{base}/verify?token={token}" if token else f"{base}/login"},
        entity="customer",
        entity_id=event.customer_id,
        email_only=True,
        recipient=event.email,
    )


@events.subscribe(EmailChangeRequested)
@guarded
def on_email_change_requested(event: EmailChangeRequested) -> None:
    """The link goes to the new address only; the old one gets a notice without it (and a masked new address)."""
    from shop.accounts import mask_email

    base = shop_values()["portal_url"]
    common = {"entity": "customer", "entity_id": event.customer_id, "email_only": True}
    notify(
        "email_change_confirm",
        event.customer_id,
        {"email": event.new_email, "confirm_url": f"{base}/account/email/confirm?token={event.token}"},
        recipient=event.new_email,
        **common,  # type: ignore[arg-type]
    )
    notify(
        "email_change_notice",
        event.customer_id,
        {"email": event.old_email, "new_email_hint": mask_email(event.new_email)},
        recipient=event.old_email,
        **common,  # type: ignore[arg-type]
    )


@events.subscribe(PasswordResetRequested)
@guarded
def on_password_reset(event: PasswordResetRequested) -> None:
    base = shop_values()["portal_url"]
    notify(
        "password_reset",
        event.customer_id,
        {"email": event.email, "reset_url": f"{base}/reset?token={event.token}"},
        entity="customer",
        entity_id=event.customer_id,
        email_only=True,
        recipient=event.email,
    )
