"""Notifications: the outbox, admin-edited message templates, customers' contact preferences."""

from __future__ import annotations


def upgrade(ctx) -> None:  # type: ignore[no-untyped-def]
    ctx.script(
        """
        CREATE TABLE outbox_message (
            id {pk},
            kind TEXT NOT NULL,
            channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
            recipient TEXT NOT NULL,
            subject TEXT NOT NULL,
            body_text TEXT NOT NULL,
            body_html TEXT NOT NULL,
            attachments {json} NOT NULL,
            dedupe_key TEXT,
            entity TEXT,
            entity_id INTEGER,
            customer_id INTEGER,
            status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dead', 'dropped')),
            attempts INTEGER NOT NULL CHECK (attempts >= 0),
            next_attempt_at {ts} NOT NULL,
            give_up_at {ts} NOT NULL,
            claimed_until {ts},
            claim_token TEXT,
            last_error TEXT NOT NULL,
            message_id TEXT NOT NULL,
            created_at {ts} NOT NULL,
            sent_at {ts},
            CHECK (status <> 'sent' OR sent_at IS NOT NULL)
        );
        CREATE UNIQUE INDEX outbox_message_dedupe ON outbox_message (dedupe_key);
        CREATE UNIQUE INDEX outbox_message_message_id ON outbox_message (message_id);
        CREATE INDEX outbox_message_due ON outbox_message (status, next_attempt_at);
        CREATE INDEX outbox_message_entity ON outbox_message (entity, entity_id);
        CREATE TABLE notification_template (
            kind TEXT NOT NULL,
            part TEXT NOT NULL CHECK (part IN ('subject', 'text', 'html', 'sms')),
            body TEXT NOT NULL,
            updated_at {ts} NOT NULL,
            PRIMARY KEY (kind, part)
        );
        ALTER TABLE customer ADD COLUMN contact_channel TEXT NOT NULL DEFAULT 'email'
            CHECK (contact_channel IN ('email', 'sms', 'none'));
        ALTER TABLE customer ADD COLUMN reminders_wanted {bool} NOT NULL DEFAULT TRUE
        """
    )
