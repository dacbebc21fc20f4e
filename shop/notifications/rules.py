"""Which message each domain event causes, for whom, by which channel: the notification subscribers.

Each subscriber runs inside the transaction of the change it reacts to (see `shop.events`), reads
what it needs through the other areas' ``get_*`` functions, renders the template and writes the
outbox row. Dedupe keys make a repeated event queue nothing new.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

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


def shop_values() -> dict[str, str]:
    values = settings.get_many("shop.name", "shop.phone", "shop.address", "shop.email", "portal.base_url")
    return {
        "shop_name": values["shop.name"],
        "shop_phone": values["shop.phone"],
        "shop_address": values["shop.address"],
        "shop_email": values["shop.email"],
        "portal_url": values["portal.base_url"].rstrip("/"),
    }


def route(contact: Contact, kind: str, email_only: bool = False) -> Route | None:
    """The channel for CONTACT: their choice when it can work, else the other one, else none."""
    email = Route("email", contact.email) if contact.email else None
    if email_only:
        return email
    if contact.channel == "none":
        return None
    has_sms_text = bool(templates.get_template(kind).sms.strip())
    sms = (
        Route("sms", contact.phone)
        if contact.phone and has_sms_text and settings.get("sms.gateway") != "none"
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
) -> int | None:
    """Render KIND for the customer and queue it on their channel; None when nothing was queued.
    CONTACT, when the caller has already read it (e.g. for an invite), saves reading it again."""
    if contact is None or contact.customer_id != customer_id:
        contact = get_contact(customer_id)
    if recipient is not None:
        contact = Contact(contact.customer_id, contact.name, recipient, contact.phone, "email", contact.reminders)
    chosen = route(contact, kind, email_only)
    if chosen is None:
        return None
    rendered = templates.render(kind, {**shop_values(), "customer_name": contact.name, **values})
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
    )


def money(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    return f"{amount:,.2f} {settings.get('shop.currency')}"


def local(at: datetime) -> datetime:
    return at.astimezone(settings.timezone())


def when(at: datetime) -> dict[str, str]:
    start = local(at)
    return {
        "start": f"{start:%A} {start.day} {start:%B %Y, %H:%M}",
        "start_short": f"{start:%a} {start.day} {start:%b %H:%M}",
        "start_date": start.date().isoformat(),
        "start_time": f"{start:%H:%M}",
        "timezone": settings.get("shop.timezone"),
    }


# ---------------------------------------------------------------------------------------------
# Appointments


def appointment_values(appointment) -> dict[str, object]:  # type: ignore[no-untyped-def]
    base = shop_values()["portal_url"]
    return {
        "appointment_id": appointment.id,
        "appointment_url": f"{base}/appointments/{appointment.id}",
        **when(appointment.start),
        "end_time": f"{local(appointment.end):%H:%M}",
        "car": appointment.vehicle,
        "services": ", ".join(line.name for line in appointment.services),
    }


def appointment_invite(appointment, method: str, sequence: int, contact: Contact) -> Attachment:  # type: ignore[no-untyped-def]
    """The ICS for APPOINTMENT; CONTACT is the customer's (read once by the caller, for the message too)."""
    shop = shop_values()
    sender = settings.get("smtp.from") or shop["shop_email"]
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
        timezone=settings.get("shop.timezone"),
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


def _appointment(appointment_id: int):  # type: ignore[no-untyped-def]
    from shop import booking

    return booking.get_appointment(appointment_id)


@events.subscribe(AppointmentBooked)
@guarded
def on_booked(event: AppointmentBooked) -> None:
    appointment = _appointment(event.appointment_id)
    contact = get_contact(appointment.customer_id)
    notify(
        "appointment_booked",
        appointment.customer_id,
        appointment_values(appointment),
        entity=APPOINTMENT,
        entity_id=appointment.id,
        dedupe_key=f"appointment:{appointment.id}:booked",
        attachments=[appointment_invite(appointment, "REQUEST", appointment.reschedule_count, contact)],
        contact=contact,
    )


@events.subscribe(AppointmentRescheduled)
@guarded
def on_rescheduled(event: AppointmentRescheduled) -> None:
    appointment = _appointment(event.appointment_id)
    # Reminders for the old time must not go out; the next `reminders queue` queues the new ones.
    outbox.drop_waiting(APPOINTMENT, appointment.id, [REMINDER], "appointment rescheduled")
    contact = get_contact(appointment.customer_id)
    notify(
        "appointment_rescheduled",
        appointment.customer_id,
        {**appointment_values(appointment), "old_start": when(event.old_start)["start"]},
        entity=APPOINTMENT,
        entity_id=appointment.id,
        dedupe_key=f"appointment:{appointment.id}:rescheduled:{appointment.reschedule_count}",
        attachments=[appointment_invite(appointment, "REQUEST", appointment.reschedule_count, contact)],
        contact=contact,
    )


@events.subscribe(AppointmentCancelled)
@guarded
def on_cancelled(event: AppointmentCancelled) -> None:
    appointment = _appointment(event.appointment_id)
    outbox.drop_waiting(APPOINTMENT, appointment.id, [REMINDER], "appointment cancelled")
    contact = get_contact(appointment.customer_id)
    notify(
        "appointment_cancelled",
        appointment.customer_id,
        appointment_values(appointment),
        entity=APPOINTMENT,
        entity_id=appointment.id,
        dedupe_key=f"appointment:{appointment.id}:cancelled",
        attachments=[appointment_invite(appointment, "CANCEL", appointment.reschedule_count + 1, contact)],
        contact=contact,
    )


@events.subscribe(AppointmentStatusChanged)
@guarded
def on_status(event: AppointmentStatusChanged) -> None:
    kind = STATUS_KINDS.get(event.new_status)
    if kind is None:
        return
    appointment = _appointment(event.appointment_id)
    if event.new_status == "completed":
        outbox.drop_waiting(APPOINTMENT, appointment.id, [REMINDER], "appointment completed")
    notify(
        kind,
        appointment.customer_id,
        appointment_values(appointment),
        entity=APPOINTMENT,
        entity_id=appointment.id,
        dedupe_key=f"appointment:{appointment.id}:status:{event.new_status}:{len(appointment.timeline)}",
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
