"""The outbox: messages written in the caller's transaction, claimed and delivered later.

A message is first a row (`enqueue`), committed or rolled back with the change that caused it.
Senders (`shop.notifications.sender`) claim due rows under a lease: on PostgreSQL with
``SELECT ... FOR UPDATE SKIP LOCKED``, on SQLite inside the ``BEGIN IMMEDIATE`` transaction that
`shop.db.transaction` opens, so two senders never hold the same row. A sender that dies keeps
its rows only until the lease runs out; then another sender takes them again.
"""

from __future__ import annotations

import base64
import json
import random
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shop import audit, clock, settings
from shop.auth import SYSTEM, Actor, require
from shop.db import database, is_postgres, transaction
from shop.errors import Conflict, NotFound, ValidationError
from shop.models import OutboxMessage

CHANNELS = ("email", "sms")
STATUSES = ("pending", "sending", "sent", "failed", "dead", "dropped")
# A message in one of these states is still going to be sent.
WAITING = ("pending", "sending", "failed")


@dataclass(frozen=True)
class Attachment:
    """A file to attach: stored bytes, or a generator name + id that rebuilds the file at send time."""

    filename: str
    content_type: str = "application/octet-stream"
    data: bytes | None = None
    generate: str | None = None
    ref_id: int | None = None

    def to_json(self) -> dict[str, object]:
        if self.generate:
            return {
                "filename": self.filename,
                "content_type": self.content_type,
                "generate": self.generate,
                "id": self.ref_id,
            }
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "data": base64.b64encode(self.data or b"").decode("ascii"),
        }

    @staticmethod
    def from_json(raw: dict[str, object]) -> Attachment:
        if raw.get("generate"):
            return Attachment(
                str(raw["filename"]),
                str(raw["content_type"]),
                None,
                str(raw["generate"]),
                int(raw["id"]) if raw.get("id") is not None else None,
            )  # type: ignore[arg-type]
        return Attachment(str(raw["filename"]), str(raw["content_type"]), base64.b64decode(str(raw["data"])))


@dataclass(frozen=True)
class Message:
    id: int
    kind: str
    channel: str
    recipient: str
    subject: str
    status: str
    attempts: int
    next_attempt_at: datetime
    give_up_at: datetime
    last_error: str
    message_id: str
    dedupe_key: str | None
    entity: str | None
    entity_id: int | None
    created_at: datetime
    sent_at: datetime | None
    attachments: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MessageBody:
    """Everything a sender needs for one claimed message."""

    id: int
    kind: str
    channel: str
    recipient: str
    subject: str
    body_text: str
    body_html: str
    attachments: list[Attachment]
    message_id: str
    attempts: int
    created_at: datetime


def _message(row: OutboxMessage) -> Message:
    return Message(
        id=row.id,
        kind=row.kind,
        channel=row.channel,
        recipient=row.recipient,
        subject=row.subject,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        give_up_at=row.give_up_at,
        last_error=row.last_error,
        message_id=row.message_id,
        dedupe_key=row.dedupe_key,
        entity=row.entity,
        entity_id=row.entity_id,
        created_at=row.created_at,
        sent_at=row.sent_at,
        attachments=[str(a["filename"]) for a in json.loads(row.attachments)],
    )


def _body(row: OutboxMessage) -> MessageBody:
    return MessageBody(
        id=row.id,
        kind=row.kind,
        channel=row.channel,
        recipient=row.recipient,
        subject=row.subject,
        body_text=row.body_text,
        body_html=row.body_html,
        attachments=[Attachment.from_json(a) for a in json.loads(row.attachments)],
        message_id=row.message_id,
        attempts=row.attempts,
        created_at=row.created_at,
    )


def _domain(sender: str) -> str:
    return sender.rpartition("@")[2].strip() or "garage.invalid"


@transaction
def enqueue(
    kind: str,
    recipient: str,
    subject: str,
    text: str,
    html: str = "",
    *,
    channel: str = "email",
    attachments: Sequence[Attachment] = (),
    dedupe_key: str | None = None,
    entity: str | None = None,
    entity_id: int | None = None,
    customer_id: int | None = None,
    not_before: datetime | None = None,
    conf: Mapping[str, str] | None = None,
) -> int | None:
    """Write one message to the outbox inside the caller's transaction.

    Returns the new id, or None when a message with the same DEDUPE_KEY already exists (whatever
    its state), so repeating the cause (two cron runs, a retried request) queues it once.
    CONF, settings the caller has just read for this message (``smtp.from``, ``shop.email``,
    ``notify.give_up_hours`` among them), saves reading them again.
    """
    problems: dict[str, str] = {}
    if channel not in CHANNELS:
        problems["channel"] = f"{channel!r} is not one of {', '.join(CHANNELS)}"
    if not recipient or not recipient.strip():
        problems["recipient"] = "must not be empty"
    if not kind.strip():
        problems["kind"] = "must not be empty"
    if channel == "email" and "\n" in subject:
        problems["subject"] = "must be one line"
    if problems:
        raise ValidationError(problems)
    now = clock.now()
    if conf is None:
        conf = settings.get_many("smtp.from", "shop.email", "notify.give_up_hours")
    values = {
        "kind": kind,
        "channel": channel,
        "recipient": recipient.strip(),
        "subject": subject.strip(),
        "body_text": text,
        "body_html": html,
        "attachments": json.dumps([a.to_json() for a in attachments]),
        "dedupe_key": dedupe_key,
        "entity": entity,
        "entity_id": entity_id,
        "customer_id": customer_id,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": max(now, not_before) if not_before else now,
        "give_up_at": now + timedelta(hours=int(conf["notify.give_up_hours"])),
        "claimed_until": None,
        "claim_token": None,
        "last_error": "",
        "message_id": f"<{uuid.uuid4().hex}@{_domain(conf['smtp.from'] or conf['shop.email'])}>",
        "created_at": now,
        "sent_at": None,
    }
    columns = list(values)
    fields = OutboxMessage._meta.fields
    params = [fields[c].db_value(values[c]) for c in columns]
    mark = "%s" if is_postgres() else "?"
    sql = (
        f"INSERT INTO outbox_message ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
        " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"
    )
    row = database.execute_sql(sql, params).fetchone()
    return None if row is None else int(row[0])


@transaction
def drop_waiting(entity: str, entity_id: int, kinds: Iterable[str], reason: str) -> int:
    """Withdraw messages not yet sent (e.g. reminders of a cancelled appointment); returns how many."""
    return (
        OutboxMessage.update(status="dropped", last_error=reason, claim_token=None, claimed_until=None)
        .where(
            (OutboxMessage.entity == entity)
            & (OutboxMessage.entity_id == entity_id)
            & (OutboxMessage.kind.in_(list(kinds)))
            & (OutboxMessage.status.in_(["pending", "failed"]))
        )
        .execute()
    )


def _due_condition(now: datetime):  # type: ignore[no-untyped-def]
    return (OutboxMessage.status.in_(["pending", "failed"]) & (OutboxMessage.next_attempt_at <= now)) | (
        (OutboxMessage.status == "sending") & (OutboxMessage.claimed_until < now)
    )


@transaction
def claim(limit: int, token: str, lease_seconds: int | None = None) -> list[MessageBody]:
    """Take up to LIMIT due messages for this sender (TOKEN) until the lease runs out."""
    now = clock.now()
    lease = timedelta(seconds=lease_seconds if lease_seconds is not None else settings.get_int("notify.lease"))
    query = (
        OutboxMessage.select(OutboxMessage.id)
        .where(_due_condition(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if is_postgres():
        query = query.for_update(skip_locked=True)
    ids = [row.id for row in query]
    if not ids:
        return []
    (
        OutboxMessage.update(
            status="sending",
            claimed_until=now + lease,
            claim_token=token,
            attempts=OutboxMessage.attempts + 1,
        )
        .where(OutboxMessage.id.in_(ids))
        .execute()
    )
    rows = OutboxMessage.select().where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.next_attempt_at)
    return [_body(row) for row in rows]


@transaction
def mark_sent(message_id: int, token: str) -> bool:
    """Record delivery; False when this sender had lost the claim meanwhile."""
    now = clock.now()
    changed = (
        OutboxMessage.update(status="sent", sent_at=now, last_error="", claim_token=None, claimed_until=None)
        .where((OutboxMessage.id == message_id) & (OutboxMessage.claim_token == token))
        .execute()
    )
    return changed == 1


def backoff(attempts: int, base: int, cap: int, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with "equal jitter": half the step fixed, half random."""
    step = min(cap, base * 2 ** max(0, attempts - 1))
    rng = rng or random
    return timedelta(seconds=step / 2 + rng.uniform(0, step / 2))


@transaction
def mark_failed(message_id: int, token: str, error: str, permanent: bool = False) -> str:
    """Record a failed attempt: retry later with backoff, or `dead` when it is hopeless or too old."""
    row = OutboxMessage.get_or_none((OutboxMessage.id == message_id) & (OutboxMessage.claim_token == token))
    if row is None:
        return "lost"
    now = clock.now()
    deadline = row.give_up_at
    error = error.strip().splitlines()[0][:500] if error.strip() else "unknown error"
    if permanent or now >= deadline:
        status, next_at = "dead", now
    else:
        delay = backoff(row.attempts, settings.get_int("notify.retry_base"), settings.get_int("notify.retry_max"))
        status, next_at = "failed", min(now + delay, deadline)
    (
        OutboxMessage.update(
            status=status, next_attempt_at=next_at, last_error=error, claim_token=None, claimed_until=None
        )
        .where((OutboxMessage.id == message_id) & (OutboxMessage.claim_token == token))
        .execute()
    )
    return status


def list_messages(
    status: str | None = None,
    kind: str | None = None,
    entity: str | None = None,
    entity_id: int | None = None,
    limit: int = 100,
    actor: Actor = SYSTEM,
) -> list[Message]:
    require(actor, "notify.read")
    if status is not None and status not in STATUSES:
        raise ValidationError({"status": f"{status!r} is not one of {', '.join(STATUSES)}"})
    query = OutboxMessage.select().order_by(OutboxMessage.id.desc()).limit(limit)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    if entity is not None:
        query = query.where(OutboxMessage.entity == entity)
    if entity_id is not None:
        query = query.where(OutboxMessage.entity_id == entity_id)
    return [_message(row) for row in query]


def get_message(message_id: int, actor: Actor = SYSTEM) -> Message:
    require(actor, "notify.read")
    row = OutboxMessage.get_or_none(OutboxMessage.id == message_id)
    if row is None:
        raise NotFound(f"message {message_id} not found")
    return _message(row)


def get_body(message_id: int, actor: Actor = SYSTEM) -> MessageBody:
    require(actor, "notify.read")
    row = OutboxMessage.get_or_none(OutboxMessage.id == message_id)
    if row is None:
        raise NotFound(f"message {message_id} not found")
    return _body(row)


@transaction
def retry(message_id: int, actor: Actor = SYSTEM) -> Message:
    """Put a dead, failed or dropped message back in the queue, due now, with a fresh retry budget."""
    require(actor, "notify.write")
    row = OutboxMessage.select().where(OutboxMessage.id == message_id)
    row = row.for_update().get_or_none() if is_postgres() else row.get_or_none()
    if row is None:
        raise NotFound(f"message {message_id} not found")
    if row.status in ("sent", "sending", "pending"):
        raise Conflict(f"message {message_id} is {row.status}; only dead, failed or dropped messages can be retried")
    now = clock.now()
    give_up_at = now + timedelta(hours=settings.get_int("notify.give_up_hours"))
    OutboxMessage.update(
        status="pending", next_attempt_at=now, give_up_at=give_up_at, attempts=0, claim_token=None, claimed_until=None
    ).where(OutboxMessage.id == message_id).execute()
    audit.record(actor, "notify.retry", "outbox_message", message_id, previous=row.status)
    return _message(OutboxMessage.get_by_id(message_id))


@dataclass(frozen=True)
class Backlog:
    pending: int
    failed: int
    sending: int
    dead: int
    sent: int
    oldest_waiting: datetime | None


def backlog() -> Backlog:
    """Counts per state and the age of the oldest message still waiting (for health checks)."""
    from peewee import fn

    counts = dict(
        OutboxMessage.select(OutboxMessage.status, fn.COUNT(OutboxMessage.id)).group_by(OutboxMessage.status).tuples()
    )
    oldest = OutboxMessage.select(fn.MIN(OutboxMessage.created_at)).where(OutboxMessage.status.in_(WAITING)).scalar()
    if isinstance(oldest, str | datetime):
        oldest = OutboxMessage.created_at.python_value(oldest)
    return Backlog(
        pending=counts.get("pending", 0),
        failed=counts.get("failed", 0),
        sending=counts.get("sending", 0),
        dead=counts.get("dead", 0),
        sent=counts.get("sent", 0),
        oldest_waiting=oldest,
    )
