"""What tables a database holds, in foreign-key order, and an engine-independent checksum of each.

Works on any peewee `Database` (not only the process-wide proxy), so a copy can read one database
while writing another. Tables come from the live schema, never from a hard-coded list.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from peewee import (
    BooleanField,
    Database,
    DateField,
    DateTimeField,
    DecimalField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    PostgresqlDatabase,
    TimeField,
)

from shop.db import database

MIGRATION_TABLE = "schema_migration"
SQLITE_TS_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
_TIMESTAMP_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?$")
_MOD = 2**256


def engine(db: Database) -> str:
    return "postgresql" if isinstance(db, PostgresqlDatabase) else "sqlite"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def rows(db: Database, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    return list(db.execute_sql(sql, tuple(params)).fetchall())


@contextlib.contextmanager
def bound(db: Database) -> Iterator[Database]:
    """Point the process-wide `database` proxy at DB for a while (migrations and models use it)."""
    previous = database.obj
    database.initialize(db)
    try:
        yield db
    finally:
        database.initialize(previous)


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # as the engine reports it, lower case
    primary_key: bool
    serial: bool  # filled from a sequence / AUTOINCREMENT


def _sqlite_special(db: Database) -> set[str]:
    """Virtual tables and their shadow tables: maintained by SQLite itself or by triggers."""
    special = set()
    for _schema, name, kind, *_ in rows(db, "PRAGMA table_list"):
        if kind in ("virtual", "shadow") or name.startswith("sqlite_"):
            special.add(name)
    return special


def all_tables(db: Database) -> list[str]:
    """Every ordinary table of the schema, by name (no SQLite internals, virtual or shadow tables)."""
    if engine(db) == "postgresql":
        return [r[0] for r in rows(db, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
    special = _sqlite_special(db)
    found = rows(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    return sorted(r[0] for r in found if r[0] not in special)


def foreign_keys(db: Database) -> dict[str, set[str]]:
    """table -> the tables it references."""
    refs: dict[str, set[str]] = {t: set() for t in all_tables(db)}
    if engine(db) == "postgresql":
        found = rows(
            db,
            "SELECT cl.relname, ref.relname FROM pg_constraint c "
            "JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class ref ON ref.oid = c.confrelid "
            "JOIN pg_namespace n ON n.oid = cl.relnamespace "
            "WHERE c.contype = 'f' AND n.nspname = current_schema()",
        )
        for table, target in found:
            refs.setdefault(table, set()).add(target)
    else:
        for table in refs:
            for row in rows(db, f"PRAGMA foreign_key_list({quote(table)})"):
                refs[table].add(row[2])
    return refs


def tables_in_order(db: Database) -> list[str]:
    """Tables so that every table comes after the tables it references (cycles: by name)."""
    refs = foreign_keys(db)
    ordered: list[str] = []
    placed: set[str] = set()
    remaining = sorted(refs)
    while remaining:
        ready = [t for t in remaining if all(r in placed or r == t or r not in refs for r in refs[t])]
        if not ready:  # a cycle: take the first and carry on (the copy defers foreign keys)
            ready = [remaining[0]]
        for table in ready:
            ordered.append(table)
            placed.add(table)
        remaining = [t for t in remaining if t not in placed]
    return ordered


def columns(db: Database, table: str) -> list[Column]:
    if engine(db) == "postgresql":
        keys = {
            r[0]
            for r in rows(
                db,
                "SELECT kcu.column_name FROM information_schema.table_constraints tc "
                "JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name "
                "AND kcu.table_schema = tc.table_schema AND kcu.table_name = tc.table_name "
                "WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema() "
                "AND tc.table_name = %s",
                (table,),
            )
        }
        found = rows(
            db,
            "SELECT column_name, data_type, column_default, is_identity FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s ORDER BY ordinal_position",
            (table,),
        )
        return [
            Column(name, kind.lower(), name in keys, str(default or "").startswith("nextval(") or identity == "YES")
            for name, kind, default, identity in found
        ]
    info = rows(db, f"PRAGMA table_info({quote(table)})")
    single_pk = sum(1 for r in info if r[5]) == 1
    return [
        Column(r[1], (r[2] or "").lower(), bool(r[5]), bool(r[5]) and single_pk and (r[2] or "").upper() == "INTEGER")
        for r in info
    ]


def sequence_values(db: Database) -> dict[str, tuple[str, int]]:
    """table -> (serial column, last value handed out), as far as the engine remembers it."""
    found: dict[str, tuple[str, int]] = {}
    if engine(db) == "postgresql":
        for table in all_tables(db):
            for col in columns(db, table):
                if not col.serial:
                    continue
                seq = rows(db, "SELECT pg_get_serial_sequence(%s, %s)", (quote(table), col.name))[0][0]
                if seq:
                    last, called = rows(db, f"SELECT last_value, is_called FROM {seq}")[0]
                    found[table] = (col.name, int(last) if called else int(last) - 1)
        return found
    if "sqlite_sequence" in {r[0] for r in rows(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}:
        for name, seq in rows(db, "SELECT name, seq FROM sqlite_sequence"):
            serial = [c.name for c in columns(db, name) if c.serial] if name in all_tables(db) else []
            if serial:
                found[name] = (serial[0], int(seq or 0))
    return found


def count(db: Database, table: str) -> int:
    return int(rows(db, f"SELECT COUNT(*) FROM {quote(table)}")[0][0])


def row_counts(db: Database) -> dict[str, int]:
    return {t: count(db, t) for t in tables_in_order(db)}


def has_data(db: Database) -> dict[str, int]:
    """Tables holding rows (the migration log does not count)."""
    return {t: n for t, n in row_counts(db).items() if n and t != MIGRATION_TABLE}


# ---- engine-independent checksums -------------------------------------------------------------


def model_kinds() -> dict[str, dict[str, str]]:
    """table -> column -> kind ('ts', 'date', 'time', 'bool', 'int', 'float', 'decimal', 'text').

    Taken from the models so both engines agree what a column holds (SQLite keeps times as text).
    """
    from shop.models import ALL_MODELS

    kinds: dict[str, dict[str, str]] = {MIGRATION_TABLE: {"applied_at": "ts", "name": "text"}}
    for model in ALL_MODELS:
        table = kinds.setdefault(model._meta.table_name, {})
        for field in model._meta.sorted_fields:
            if isinstance(field, DateTimeField):
                kind = "ts"
            elif isinstance(field, DateField):
                kind = "date"
            elif isinstance(field, TimeField):
                kind = "time"
            elif isinstance(field, BooleanField):
                kind = "bool"
            elif isinstance(field, IntegerField | ForeignKeyField) or field.field_type in ("AUTO", "BIGAUTO", "INT"):
                kind = "int"
            elif isinstance(field, FloatField):
                kind = "float"
            elif isinstance(field, DecimalField):
                kind = "decimal"
            else:
                kind = "text"
            table[field.column_name] = kind
    return kinds


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    raise TypeError(f"not a timestamp: {value!r}")


def canonical(value: Any, kind: str | None) -> Any:
    """One JSON-ready form of a stored value, the same whichever engine it was read from."""
    if value is None:
        return None
    if kind == "ts" or (kind is None and isinstance(value, str) and _TIMESTAMP_TEXT.match(value)):
        return _as_datetime(value).isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, datetime):
        return _as_datetime(value).isoformat(sep=" ", timespec="microseconds")
    if kind == "date" or isinstance(value, date):
        return (value if isinstance(value, date) else date.fromisoformat(str(value)[:10])).isoformat()
    if kind == "time" or isinstance(value, time):
        parsed = value if isinstance(value, time) else time.fromisoformat(str(value))
        return parsed.isoformat(timespec="microseconds")
    if kind == "bool" or isinstance(value, bool):
        return 1 if (value if isinstance(value, bool) else int(value)) else 0
    if kind == "int":
        return int(value)
    if kind == "float" or isinstance(value, float):
        return repr(float(value))
    if kind == "decimal" or isinstance(value, Decimal):
        return str(Decimal(str(value)).normalize())
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value if isinstance(value, str | int) else str(value)


def canonicaliser(kind: str | None) -> Callable[[Any], Any]:
    """`canonical` for one column, with fast paths for the values each engine usually returns."""
    if kind == "ts":

        def ts(v: Any) -> Any:
            if type(v) is str and len(v) == 26 and v[10] == " " and v[19] == ".":
                return v  # already SQLite's fixed format, which is the canonical one
            return canonical(v, "ts")

        return ts
    if kind == "text":
        return lambda v: v if v is None or type(v) is str else canonical(v, "text")
    if kind == "int":
        return lambda v: v if v is None or type(v) is int else canonical(v, "int")
    if kind == "bool":
        return lambda v: None if v is None else (1 if v else 0)
    return lambda v: canonical(v, kind)


class Checksum:
    """Order-independent: the sum of each row's SHA-256, so engines may return rows in any order."""

    def __init__(self, names: Sequence[str], kinds: dict[str, str]) -> None:
        self.order = sorted(range(len(names)), key=lambda i: names[i])
        self.fns = [canonicaliser(kinds.get(names[i])) for i in self.order]
        self.pairs = list(zip(self.order, self.fns, strict=True))
        self.total = 0
        self.rows = 0

    def add(self, row: Sequence[Any]) -> None:
        plain = tuple([fn(row[i]) for i, fn in self.pairs])
        digest = hashlib.sha256(repr(plain).encode()).digest()
        self.total += int.from_bytes(digest, "big")
        self.rows += 1

    @property
    def hex(self) -> str:
        return f"{self.total % _MOD:064x}"[:16]


def table_checksum(db: Database, table: str, kinds: dict[str, dict[str, str]] | None = None) -> Checksum:
    names = [c.name for c in columns(db, table)]
    kinds = model_kinds() if kinds is None else kinds
    summer = Checksum(names, kinds.get(table, {}))
    cursor = db.execute_sql(f"SELECT {', '.join(quote(n) for n in names)} FROM {quote(table)}")
    while True:
        batch = cursor.fetchmany(2000)
        if not batch:
            return summer
        for row in batch:
            summer.add(row)
