"""Customer reviews of completed appointments: one per appointment, published, private or hidden."""

from __future__ import annotations


def upgrade(ctx) -> None:  # type: ignore[no-untyped-def]
    ctx.script(
        """
        CREATE TABLE review (
            id {pk},
            appointment_id INTEGER NOT NULL UNIQUE REFERENCES appointment (id),
            customer_id INTEGER NOT NULL REFERENCES customer (id),
            rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
            comment TEXT NOT NULL,
            publish_requested {bool} NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('published', 'private', 'hidden')),
            reply TEXT NOT NULL,
            replied_at {ts},
            replied_by TEXT,
            created_at {ts} NOT NULL,
            updated_at {ts} NOT NULL
        );
        CREATE INDEX review_status ON review (status, created_at);
        CREATE INDEX review_customer ON review (customer_id)
        """
    )
