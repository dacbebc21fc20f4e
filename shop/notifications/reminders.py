"""Appointment reminders, queued by cron (`garage reminders queue`) some hours before the appointment.

For each scheduled appointment whose start falls within one of the configured offsets
(`reminders.offsets`, default 24h and 2h) the tightest such offset gets one reminder. Its dedupe
key names the appointment, how often it was moved and the offset, so running the command twice,
or twice at once, queues it once; a moved appointment gets a fresh reminder for its new time
(the old one is dropped when it moves) and a cancelled one gets none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shop import clock, settings
from shop.auth import SYSTEM, Actor, require
from shop.db import transaction
from shop.errors import ValidationError
from shop.models import OutboxMessage
from shop.notifications import rules
from shop.notifications.preferences import get_contact


@dataclass(frozen=True)
class ReminderDue:
    appointment_id: int
    customer_id: int
    customer_name: str
    start: datetime  # shop local
    offset: str
    dedupe_key: str
    state: str  # queued | sent | to_queue | opted_out | no_channel | booked_late
    message_id: int | None


@dataclass(frozen=True)
class QueueResult:
    considered: int
    queued: int
    already: int
    skipped: int


def parse_offsets(text: str | None = None) -> list[tuple[str, int]]:
    """'24h,2h' -> [('2h', 120), ('24h', 1440)], tightest first."""
    raw = settings.get("reminders.offsets") if text is None else text
    out = []
    for part in [p.strip().lower() for p in raw.split(",") if p.strip()]:
        try:
            out.append((part, settings.parse_duration(part)))
        except ValueError as exc:
            raise ValidationError({"ahead": str(exc)}) from None
    if not out:
        raise ValidationError({"ahead": "give at least one duration such as 24h"})
    return sorted(out, key=lambda item: item[1])


def dedupe_key(appointment_id: int, reschedule_count: int, offset: str) -> str:
    return f"reminder:appointment:{appointment_id}:r{reschedule_count}:{offset}"


def _candidates(now: datetime, offsets: list[tuple[str, int]]) -> list[tuple[object, str, str]]:
    """(appointment, offset label, why not) for every scheduled appointment inside the widest window."""
    from shop import booking

    tz = settings.timezone()
    horizon = now + timedelta(minutes=offsets[-1][1])
    found = []
    appointments = booking.list_appointments(
        from_date=now.astimezone(tz).date(), to_date=horizon.astimezone(tz).date(), status="scheduled"
    )
    for appointment in appointments:
        start = appointment.start
        if not now < start <= horizon:
            continue
        label, minutes = next(o for o in offsets if start - now <= timedelta(minutes=o[1]))
        why = ""
        if appointment.created_at > start - timedelta(minutes=minutes):
            why = "booked_late"  # booked inside the window: the confirmation is the reminder
        found.append((appointment, label, why))
    return found


def _state(appointment, label: str, why: str) -> tuple[str, int | None, str]:  # type: ignore[no-untyped-def]
    key = dedupe_key(appointment.id, appointment.reschedule_count, label)
    row = OutboxMessage.get_or_none(OutboxMessage.dedupe_key == key)
    if row is not None:
        return ("sent" if row.status == "sent" else "queued"), row.id, key
    if why:
        return why, None, key
    contact = get_contact(appointment.customer_id)
    if not contact.reminders or contact.channel == "none":
        return "opted_out", None, key
    if rules.route(contact, rules.REMINDER) is None:
        return "no_channel", None, key
    return "to_queue", None, key


def due(ahead: str | None = None, actor: Actor = SYSTEM) -> list[ReminderDue]:
    """Appointments inside the reminder window and what their reminder is doing."""
    require(actor, "notify.read")
    offsets = parse_offsets(ahead)
    out = []
    for appointment, label, why in _candidates(clock.now(), offsets):
        state, message_id, key = _state(appointment, label, why)
        out.append(
            ReminderDue(
                appointment.id,
                appointment.customer_id,
                appointment.customer_name,
                appointment.start,
                label,
                key,
                state,
                message_id,
            )
        )
    return out


def _lead(start: datetime, now: datetime) -> str:
    tz = settings.timezone()
    day = start.astimezone(tz).date()
    today = now.astimezone(tz).date()
    at = f"{start.astimezone(tz):%H:%M}"
    if day == today:
        return f"today at {at}"
    if day == today + timedelta(days=1):
        return f"tomorrow at {at}"
    return f"on {rules.when(start)['start']}"


@transaction
def queue_reminders(ahead: str | None = None, actor: Actor = SYSTEM) -> QueueResult:
    """Queue every reminder that is due now and not queued yet (idempotent; safe to run concurrently)."""
    require(actor, "notify.write")
    offsets = parse_offsets(ahead)
    now = clock.now()
    considered = queued = already = skipped = 0
    for appointment, label, why in _candidates(now, offsets):
        considered += 1
        state, _message_id, key = _state(appointment, label, why)
        if state in ("queued", "sent"):
            already += 1
            continue
        if state != "to_queue":
            skipped += 1
            continue
        new_id = rules.notify(
            rules.REMINDER,
            appointment.customer_id,
            {**rules.appointment_values(appointment), "lead": _lead(appointment.start, now)},
            entity=rules.APPOINTMENT,
            entity_id=appointment.id,
            dedupe_key=key,
        )
        if new_id is None:
            already += 1  # a concurrent run queued it first
        else:
            queued += 1
    return QueueResult(considered, queued, already, skipped)
