"""One database handle for the whole process, chosen by URL.

Every front end talks to the same `database` proxy; `open_database` binds it to SQLite (the
default ``shop.db``) or PostgreSQL. Writes that guard an invariant go through `transaction`,
which on SQLite opens ``BEGIN IMMEDIATE`` (so racing writers queue instead of failing) and on
PostgreSQL retries serialization failures and deadlocks.
"""

from __future__ import annotations

import functools
import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ParamSpec, TypeVar
from urllib.parse import parse_qs, unquote, urlparse

from peewee import Database, DatabaseError, DatabaseProxy, OperationalError, PostgresqlDatabase, SqliteDatabase

from shop.errors import ConfigError

DEFAULT_URL = "sqlite:///shop.db"
ENV_URL = "GARAGE_DATABASE_URL"

# The SQLite trade-off: WAL with synchronous=NORMAL can lose the last transactions on power
# loss but never corrupts the file, and it is several times faster for a shop's write load.
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "synchronous": "normal",
    "cache_size": -32_000,
}

database = DatabaseProxy()

# Peewee wraps the driver's errors, but rows fetched after a query ran raise the driver's own.
DATABASE_ERRORS = (DatabaseError, sqlite3.DatabaseError)
DAMAGED_HINT = "the database file is damaged: stop garage and restore the latest backup (`garage restore FILE`)"

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Target:
    """What a database URL names, parsed once so errors point at the URL, not at a driver."""

    engine: str  # "sqlite" or "postgresql"
    path: str = ""  # sqlite file, or ":memory:"
    name: str = ""
    user: str | None = None
    password: str | None = None
    host: str | None = None
    port: int | None = None
    schema: str | None = None

    @property
    def display(self) -> str:
        if self.engine == "sqlite":
            return f"sqlite:///{self.path}"
        host = self.host or "localhost"
        return f"postgresql://{self.user or ''}@{host}:{self.port or 5432}/{self.name}"


def configured_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get(ENV_URL) or DEFAULT_URL


def parse_url(url: str) -> Target:
    """Parse a database URL, refusing anything garage cannot open with a message that says why."""
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme == "sqlite":
        if not url.startswith("sqlite:///"):
            raise ConfigError(f"database URL {url!r}: a SQLite URL needs three slashes, e.g. sqlite:///shop.db")
        path = unquote(url[len("sqlite:///") :].split("?", 1)[0])
        if not path:
            raise ConfigError(f"database URL {url!r}: no file name after sqlite:///")
        return Target(engine="sqlite", path=path)
    if scheme in ("postgres", "postgresql"):
        name = parsed.path.lstrip("/")
        if not name:
            raise ConfigError(f"database URL {url!r}: no database name, e.g. postgresql://user@host:5432/garage")
        try:
            port = parsed.port
        except ValueError:
            raise ConfigError(f"database URL {url!r}: the port is not a number") from None
        query = parse_qs(parsed.query)
        schema = query.get("schema", [None])[0]
        if schema is not None and not schema.replace("_", "").isalnum():
            raise ConfigError(f"database URL {url!r}: schema must be letters, digits and underscores")
        return Target(
            engine="postgresql",
            name=name,
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname,
            port=port,
            schema=schema,
        )
    raise ConfigError(f"database URL {url!r}: use sqlite:///FILE or postgresql://USER@HOST:PORT/NAME")


def make_database(target: Target) -> Database:
    if target.engine == "sqlite":
        if target.path != ":memory:":
            parent = Path(target.path).expanduser().resolve().parent
            if not parent.is_dir():
                raise ConfigError(f"database {target.display}: folder {parent} does not exist")
        return SqliteDatabase(target.path, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE", timeout=10)
    kwargs: dict[str, object] = {"user": target.user, "host": target.host, "port": target.port}
    if target.password:
        kwargs["password"] = target.password
    if target.schema:
        kwargs["options"] = f"-c search_path={target.schema}"
    kwargs["connect_timeout"] = 5
    return PostgresqlDatabase(target.name, **{k: v for k, v in kwargs.items() if v is not None})


def open_database(url: str | None = None, *, create: bool = False, upgrade: bool = True) -> Target:
    """Bind the process-wide `database` to URL, checking it can be reached and is current.

    `create` builds a fresh schema when the database is empty; otherwise an empty database is an
    error, so a typo in a path never silently creates an empty shop.
    """
    from shop import migrations

    target = parse_url(configured_url(url))
    if target.engine == "sqlite" and target.path != ":memory:" and not create and not Path(target.path).exists():
        raise ConfigError(f"database {target.display} does not exist; run `garage init` first")
    db = make_database(target)
    try:
        db.connect(reuse_if_open=True)
    except OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"cannot reach database {target.display}: {first}") from None
    except DATABASE_ERRORS as exc:
        raise _unreadable(target, exc) from None
    database.initialize(db)
    if target.engine == "postgresql" and target.schema:
        db.execute_sql(f'CREATE SCHEMA IF NOT EXISTS "{target.schema}"')
    if upgrade:
        try:
            state = migrations.status()
        except DATABASE_ERRORS as exc:
            raise _unreadable(target, exc) from None
        if not state.applied and not create:
            raise ConfigError(f"database {target.display} has no garage schema; run `garage init` first")
        if state.pending:
            migrations.upgrade()
    return target


def is_damaged_file(exc: BaseException) -> bool:
    """Whether EXC is SQLite saying its file is damaged (SQLITE_CORRUPT) or is not a database (SQLITE_NOTADB).

    Those need a restore, not a retry or a fix of the input, so callers turn them into a plain message.
    """
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    return isinstance(orig, sqlite3.DatabaseError) and code is not None and code & 0xFF in _DAMAGE_CODES


_DAMAGE_CODES = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def _unreadable(target: Target, exc: BaseException) -> BaseException:
    """A damaged SQLite file as a ConfigError (exit 1, one line); any other database error as it was."""
    if not is_damaged_file(exc):
        return exc
    return ConfigError(f"cannot read database {target.display} ({getattr(exc, 'orig', None) or exc}); {DAMAGED_HINT}")


def sqlite_integrity_problems(execute: Callable[[str], Iterable[Sequence[object]]]) -> list[str]:
    """SQLite's `PRAGMA integrity_check` through EXECUTE, as problems ([] when every page is sound).

    SQLite reports most page damage as rows (several lines in one row, after a "*** in database"
    marker), but a page it cannot parse at all only as an error; both come back here, led by what
    to do about it.
    """
    try:
        found = [line for row in execute("PRAGMA integrity_check") for line in str(row[0]).splitlines()]
    except DATABASE_ERRORS as exc:
        if not is_damaged_file(exc):
            raise
        found = [str(getattr(exc, "orig", None) or exc)]
    if found == ["ok"]:
        return []
    details = [f"SQLite: {line}" for line in found if line.strip() and not line.startswith("*** in database")]
    return [DAMAGED_HINT, *details]


def close_database() -> None:
    obj = database.obj
    if obj is not None and not obj.is_closed():
        obj.close()


def is_postgres() -> bool:
    return isinstance(database.obj, PostgresqlDatabase)


def _retryable(exc: Exception) -> bool:
    code = getattr(getattr(exc, "orig", None) or exc, "pgcode", None)
    if code in ("40001", "40P01"):
        return True
    return "database is locked" in str(exc) or "could not serialize" in str(exc) or "deadlock detected" in str(exc)


def transaction(fn: Callable[P, R]) -> Callable[P, R]:
    """Run FN in one transaction; retry the whole of it when the database asks us to.

    Nested calls join the outer transaction (no retry inside), so a service can call another.
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        db = database.obj
        if db.in_transaction():
            with db.atomic():
                return fn(*args, **kwargs)
        attempts = 8
        for attempt in range(attempts):
            try:
                with db.atomic():
                    return fn(*args, **kwargs)
            except Exception as exc:
                if attempt == attempts - 1 or not _retryable(exc):
                    raise
                time.sleep(0.01 * (2**attempt) * (0.5 + random.random()))
        raise AssertionError("unreachable")

    return wrapper


def lock_rows(query) -> object:  # type: ignore[no-untyped-def]
    """`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite the IMMEDIATE transaction already serialises."""
    return query.for_update() if is_postgres() else query
