"""A customer can change the e-mail address of their portal account.

Tokens get a third purpose, ``email``, and the new address waits in the token's row
(``new_email``) until the link sent to it is used; only then does the account change. SQLite
cannot change a CHECK constraint in place, so there the table is rebuilt (it holds only short-lived
tokens, and nothing references it).
"""

from __future__ import annotations

PURPOSES = "('verify', 'reset', 'email')"


def upgrade(ctx) -> None:  # type: ignore[no-untyped-def]
    if ctx.postgres:
        ctx.sql("ALTER TABLE account_token ADD COLUMN new_email TEXT")
        ctx.sql("ALTER TABLE account_token DROP CONSTRAINT IF EXISTS account_token_purpose_check")
        ctx.sql(f"ALTER TABLE account_token ADD CONSTRAINT account_token_purpose_check CHECK (purpose IN {PURPOSES})")
        return
    ctx.script(
        f"""
        CREATE TABLE account_token_new (
            id {{pk}},
            token_hash TEXT NOT NULL UNIQUE,
            account_id INTEGER NOT NULL REFERENCES customer_account (id),
            purpose TEXT NOT NULL CHECK (purpose IN {PURPOSES}),
            created_at {{ts}} NOT NULL,
            expires_at {{ts}} NOT NULL,
            used_at {{ts}},
            new_email TEXT
        );
        INSERT INTO account_token_new (id, token_hash, account_id, purpose, created_at, expires_at, used_at)
            SELECT id, token_hash, account_id, purpose, created_at, expires_at, used_at FROM account_token;
        DROP TABLE account_token;
        ALTER TABLE account_token_new RENAME TO account_token;
        CREATE INDEX account_token_account ON account_token (account_id, purpose)
        """
    )
