"""Customer portal accounts: logins linked to a customer, server-side sessions, e-mail tokens, login throttling."""

from __future__ import annotations


def upgrade(ctx) -> None:  # type: ignore[no-untyped-def]
    ctx.script(
        """
        CREATE TABLE customer_account (
            id {pk},
            customer_id INTEGER NOT NULL UNIQUE REFERENCES customer (id),
            email TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            email_verified_at {ts},
            password_changed_at {ts} NOT NULL,
            created_at {ts} NOT NULL
        );
        CREATE TABLE portal_session (
            id {pk},
            token_hash TEXT NOT NULL UNIQUE,
            account_id INTEGER REFERENCES customer_account (id),
            csrf_token TEXT NOT NULL,
            created_at {ts} NOT NULL,
            last_seen_at {ts} NOT NULL
        );
        CREATE INDEX portal_session_account ON portal_session (account_id);
        CREATE INDEX portal_session_seen ON portal_session (last_seen_at);
        CREATE TABLE account_token (
            id {pk},
            token_hash TEXT NOT NULL UNIQUE,
            account_id INTEGER NOT NULL REFERENCES customer_account (id),
            purpose TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
            created_at {ts} NOT NULL,
            expires_at {ts} NOT NULL,
            used_at {ts}
        );
        CREATE INDEX account_token_account ON account_token (account_id, purpose);
        CREATE TABLE login_throttle (
            key TEXT PRIMARY KEY,
            failures INTEGER NOT NULL,
            last_failure_at {ts} NOT NULL,
            locked_until {ts}
        )
        """
    )
