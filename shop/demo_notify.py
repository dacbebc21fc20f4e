"""Demo step: the demo's history happened in the past, so its messages were delivered then.

The other demo steps book, complete and invoice with the clock set back; the notification rules
queue the e-mails those events cause. Left pending, a new demo shop would start with a backlog of
weeks-old messages (and `garage db check` would rightly flag it). Messages for what happens from
now on stay pending, as in a live shop.
"""

from __future__ import annotations

from datetime import timedelta

from faker import Faker

from shop import clock, demo
from shop.models.notifications import OutboxMessage

SETTLED_BEFORE = timedelta(hours=1)


@demo.step
def settle_history(fake: Faker) -> list[demo.Login]:
    (
        OutboxMessage.update(status="sent", sent_at=OutboxMessage.created_at, attempts=1)
        .where(OutboxMessage.status == "pending", OutboxMessage.created_at < clock.now() - SETTLED_BEFORE)
        .execute()
    )
    return []
