"""Numbered schema migrations, applied in order, each exactly once.

A migration is a module ``mNNNN_name.py`` with ``upgrade(ctx)``. Its SQL is written once for
both engines with placeholders that `Context.sql` fills in: ``{pk}`` an auto-increment primary
key, ``{ts}`` a UTC timestamp, ``{bool}``, ``{money}`` (integer cents), ``{json}``, ``{text}``.
Applied migrations are recorded by name in ``schema_migration``; the version is the highest one.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from types import ModuleType

from shop import clock
from shop.db import database, is_postgres
from shop.errors import ConfigError

_NAME = re.compile(r"^m(\d{4})_\w+$")

SQLITE_TYPES = {
    "pk": "INTEGER PRIMARY KEY AUTOINCREMENT",
    "ts": "TEXT",
    "bool": "INTEGER",
    "money": "INTEGER",
    "json": "TEXT",
    "text": "TEXT",
    "date": "TEXT",
    "time": "TEXT",
    "float": "REAL",
    "p": "?",
}
POSTGRES_TYPES = {
    "pk": "SERIAL PRIMARY KEY",
    "ts": "TIMESTAMP",
    "bool": "BOOLEAN",
    "money": "BIGINT",
    "json": "TEXT",
    "text": "TEXT",
    "date": "DATE",
    "time": "TIME",
    "float": "DOUBLE PRECISION",
    "p": "%s",
}


@dataclass(frozen=True)
class Status:
    applied: list[str]
    pending: list[str]
    unknown: list[str]

    @property
    def version(self) -> int:
        return max((int(_NAME.match(n).group(1)) for n in self.applied if _NAME.match(n)), default=0)  # type: ignore[union-attr]


class Context:
    """What a migration may use: engine-neutral SQL with type placeholders."""

    @property
    def postgres(self) -> bool:
        return is_postgres()

    def types(self) -> dict[str, str]:
        return POSTGRES_TYPES if self.postgres else SQLITE_TYPES

    def sql(self, statement: str, params: tuple = ()) -> None:  # type: ignore[type-arg]
        database.execute_sql(statement.format(**self.types()), params)

    def script(self, statements: str) -> None:
        """Run several ';'-separated statements (no ';' inside string literals or triggers)."""
        for statement in statements.split(";"):
            if statement.strip():
                self.sql(statement)


def available() -> list[tuple[str, ModuleType]]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        if _NAME.match(info.name):
            found.append((info.name, importlib.import_module(f"{__name__}.{info.name}")))
    return sorted(found)


def _ensure_table() -> None:
    ts = POSTGRES_TYPES["ts"] if is_postgres() else SQLITE_TYPES["ts"]
    database.execute_sql(
        f"CREATE TABLE IF NOT EXISTS schema_migration (name TEXT PRIMARY KEY, applied_at {ts} NOT NULL)"
    )


def _applied() -> list[str]:
    tables = database.get_tables()
    if "schema_migration" not in tables:
        return []
    return [row[0] for row in database.execute_sql("SELECT name FROM schema_migration ORDER BY name")]


def status() -> Status:
    names = [name for name, _ in available()]
    applied = _applied()
    return Status(
        applied=applied,
        pending=[n for n in names if n not in applied],
        unknown=[n for n in applied if n not in names],
    )


def upgrade(until: str | None = None) -> list[str]:
    """Apply every pending migration (up to and including UNTIL) in its own transaction."""
    state = status()
    if state.unknown:
        raise ConfigError(
            f"database has migrations this garage does not know ({', '.join(state.unknown)}); upgrade garage first"
        )
    done: list[str] = []
    ctx = Context()
    for name, module in available():
        if name in state.applied:
            continue
        if until is not None and name > until:
            break
        with database.atomic():
            _ensure_table()
            if name in _applied():  # another process got here first
                continue
            module.upgrade(ctx)
            stamp = clock.now().replace(tzinfo=None)
            value = stamp if is_postgres() else stamp.strftime("%Y-%m-%d %H:%M:%S.%f")
            ctx.sql("INSERT INTO schema_migration (name, applied_at) VALUES ({p}, {p})", (name, value))
        done.append(name)
    return done


def check_current() -> None:
    state = status()
    if state.pending:
        raise ConfigError(f"database schema is behind ({len(state.pending)} pending); run `garage db upgrade`")
