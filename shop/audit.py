"""The audit trail: who changed what, when. Written by the services inside their transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shop import clock
from shop.auth import Actor
from shop.db import is_postgres
from shop.models import AuditLog


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: int | None
    details: dict[str, Any]


COLUMNS = ("at", "actor", "action", "entity", "entity_id", "details")


def row_values(actor: Actor, action: str, entity: str, entity_id: int | None, **details: Any) -> tuple[object, ...]:
    """The audit_log values (in `COLUMNS` order, as stored) of one line, for a caller that writes
    the line together with its own rows in one statement (see `shop.booking.book`)."""
    return (
        AuditLog.at.db_value(clock.now()),
        f"{actor.role.value}:{actor.name}",
        action,
        entity,
        entity_id,
        json.dumps(details, default=str, sort_keys=True),
    )


def record(actor: Actor, action: str, entity: str, entity_id: int | None, **details: Any) -> None:
    """Append one audit line. A plain INSERT: every write service calls this, and compiling the
    ORM's statement cost several times what SQLite takes to run it."""
    p = "%s" if is_postgres() else "?"
    AuditLog._meta.database.execute_sql(
        f"INSERT INTO audit_log ({', '.join(COLUMNS)}) VALUES ({', '.join([p] * len(COLUMNS))})",
        row_values(actor, action, entity, entity_id, **details),
    )


def history(entity: str | None = None, entity_id: int | None = None, limit: int = 100) -> list[AuditEntry]:
    query = AuditLog.select().order_by(AuditLog.id.desc()).limit(limit)
    if entity is not None:
        query = query.where(AuditLog.entity == entity)
    if entity_id is not None:
        query = query.where(AuditLog.entity_id == entity_id)
    return [AuditEntry(r.id, r.at, r.actor, r.action, r.entity, r.entity_id, json.loads(r.details)) for r in query]
