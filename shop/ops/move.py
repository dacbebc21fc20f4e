"""Copy a whole garage database to another one (SQLite <-> PostgreSQL), exactly.

The source is read inside one snapshot transaction, so the copy is consistent even while others
write. The target is built from the migrations, filled in foreign-key order in batches, its
sequences are set past the copied ids, and every table's row count and checksum is compared with
the source's before the target's transaction commits: a mismatch leaves the target untouched.
"""

from __future__ import annotations

import logging
import time as _time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from typing import Any

from peewee import Database

from shop import migrations
from shop.auth import SYSTEM, Actor, require
from shop.db import configured_url, database, make_database, parse_url
from shop.errors import ConfigError, Conflict
from shop.ops import schema
from shop.ops.schema import MIGRATION_TABLE, engine, quote, rows

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # table, rows done in it, rows in it
BATCH = 1000


@dataclass(frozen=True)
class TableCopy:
    table: str
    rows: int
    source_checksum: str
    target_checksum: str
    target_rows: int

    @property
    def ok(self) -> bool:
        return self.rows == self.target_rows and self.source_checksum == self.target_checksum


@dataclass(frozen=True)
class MoveResult:
    source: str
    target: str
    tables: list[TableCopy]
    rows: int
    seconds: float

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.tables)


class ChecksumMismatch(Conflict):
    """The copy did not come out identical; the target's transaction was rolled back."""


def _snapshot(db: Database):  # type: ignore[no-untyped-def]
    """A read transaction that sees one instant of the database while others keep writing."""
    if engine(db) == "postgresql":
        return db.atomic(isolation_level="REPEATABLE READ")
    return db.atomic(lock_type="DEFERRED")


def _to_postgres(kind: str) -> Callable[[Any], Any]:
    if kind.startswith("timestamp"):
        return lambda v: datetime.fromisoformat(v) if isinstance(v, str) else v
    if kind == "date":
        return lambda v: date.fromisoformat(v[:10]) if isinstance(v, str) else v
    if kind.startswith("time"):
        return lambda v: dtime.fromisoformat(v) if isinstance(v, str) else v
    if kind == "boolean":
        return lambda v: bool(int(v)) if isinstance(v, int | str) and not isinstance(v, bool) else v
    if kind == "numeric":
        return lambda v: Decimal(str(v)) if v is not None else v
    return lambda v: v


def _to_sqlite(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.strftime(schema.SQLITE_TS_FORMAT)
    if isinstance(value, date | dtime):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _converters(src: Database, dst: Database, table: str, names: list[str]) -> list[Callable[[Any], Any]] | None:
    """Per-column value converters for SRC -> DST; None when the engines agree (values pass as they are)."""
    if engine(src) == engine(dst):
        return None
    if engine(dst) == "postgresql":
        kinds = {c.name: c.type for c in schema.columns(dst, table)}
        return [_to_postgres(kinds[n]) for n in names]
    return [_to_sqlite] * len(names)


def _read(src: Database, table: str, names: list[str], order: list[str]) -> Iterator[list[tuple[Any, ...]]]:
    sql = f"SELECT {', '.join(quote(n) for n in names)} FROM {quote(table)}"
    if order:
        sql += " ORDER BY " + ", ".join(quote(n) for n in order)
    if engine(src) == "postgresql":
        # A server-side cursor (inside the snapshot transaction) keeps memory flat for big tables.
        src.execute_sql(f"DECLARE garage_copy NO SCROLL CURSOR FOR {sql}")
        try:
            while True:
                batch = src.execute_sql(f"FETCH {BATCH} FROM garage_copy").fetchall()
                if not batch:
                    return
                yield batch
        finally:
            src.execute_sql("CLOSE garage_copy")
    cursor = src.execute_sql(sql)
    try:
        while True:
            batch = cursor.fetchmany(BATCH)
            if not batch:
                return
            yield batch
    finally:
        cursor.close()


def _insert(dst: Database, table: str, names: list[str], batch: list[list[Any]]) -> None:
    cols = ", ".join(quote(n) for n in names)
    if engine(dst) == "postgresql":
        per_row = "(" + ", ".join(["%s"] * len(names)) + ")"
        chunk = max(1, 30_000 // max(1, len(names)))
        for start in range(0, len(batch), chunk):
            part = batch[start : start + chunk]
            sql = f"INSERT INTO {quote(table)} ({cols}) VALUES " + ", ".join([per_row] * len(part))
            dst.execute_sql(sql, tuple(v for row in part for v in row))
        return
    marks = ", ".join(["?"] * len(names))
    dst.connection().executemany(f"INSERT INTO {quote(table)} ({cols}) VALUES ({marks})", batch)


def _drop_everything(dst: Database) -> None:
    """Remove garage's schema from the target (inside the caller's transaction)."""
    if engine(dst) == "postgresql":
        tables = schema.all_tables(dst)
        if tables:
            dst.execute_sql("DROP TABLE " + ", ".join(quote(t) for t in tables) + " CASCADE")
        for (view,) in rows(dst, "SELECT viewname FROM pg_views WHERE schemaname = current_schema()"):
            dst.execute_sql(f"DROP VIEW IF EXISTS {quote(view)} CASCADE")
        for (seq,) in rows(dst, "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()"):
            dst.execute_sql(f"DROP SEQUENCE IF EXISTS {quote(seq)} CASCADE")
        functions = rows(
            dst,
            "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() AND NOT EXISTS "
            "(SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')",
        )
        for (signature,) in functions:
            dst.execute_sql(f"DROP FUNCTION IF EXISTS {signature} CASCADE")
        return
    dst.execute_sql("PRAGMA defer_foreign_keys = ON")
    for kind in ("view", "trigger"):
        for (name,) in rows(dst, "SELECT name FROM sqlite_master WHERE type = ?", (kind,)):
            dst.execute_sql(f"DROP {kind.upper()} IF EXISTS {quote(name)}")
    virtual = rows(dst, "SELECT name FROM pragma_table_list WHERE type = 'virtual' AND schema = 'main'")
    for (name,) in virtual:
        dst.execute_sql(f"DROP TABLE IF EXISTS {quote(name)}")
    for table in reversed(schema.tables_in_order(dst)):
        dst.execute_sql(f"DROP TABLE IF EXISTS {quote(table)}")
    if rows(dst, "SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'"):
        dst.execute_sql("DELETE FROM sqlite_sequence")


def _suspend_triggers(dst: Database, tables: list[str]) -> Callable[[], None]:
    """Triggers must not fire for copied rows (they would count stock or write history twice)."""
    if engine(dst) == "postgresql":
        for table in tables:
            dst.execute_sql(f"ALTER TABLE {quote(table)} DISABLE TRIGGER USER")

        def resume() -> None:
            for table in tables:
                dst.execute_sql(f"ALTER TABLE {quote(table)} ENABLE TRIGGER USER")

        return resume
    saved = rows(dst, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL")
    for name, _sql in saved:
        dst.execute_sql(f"DROP TRIGGER {quote(name)}")

    def recreate() -> None:
        for _name, sql in saved:
            dst.execute_sql(sql)

    return recreate


def _set_sequences(dst: Database, wanted: dict[str, tuple[str, int]], tables: list[str]) -> None:
    """Next ids continue after the largest id ever handed out in the source, not only the largest kept."""
    for table in tables:
        serial = [c.name for c in schema.columns(dst, table) if c.serial]
        if not serial:
            continue
        column = serial[0]
        highest = rows(dst, f"SELECT MAX({quote(column)}) FROM {quote(table)}")[0][0]
        value = max(int(highest or 0), wanted.get(table, (column, 0))[1])
        if engine(dst) == "postgresql":
            seq = rows(dst, "SELECT pg_get_serial_sequence(%s, %s)", (quote(table), column))[0][0]
            if seq:
                dst.execute_sql("SELECT setval(%s, %s, %s)", (seq, max(value, 1), value >= 1))
        elif rows(dst, "SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'"):
            if not rows(dst, "SELECT sql FROM sqlite_master WHERE name = ? AND sql LIKE '%AUTOINCREMENT%'", (table,)):
                continue
            dst.execute_sql("DELETE FROM sqlite_sequence WHERE name = ?", (table,))
            if value:
                dst.execute_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, value))


def _check_source_current(src: Database) -> None:
    names = [name for name, _ in migrations.available()]
    applied = [r[0] for r in rows(src, f"SELECT name FROM {MIGRATION_TABLE} ORDER BY name")]
    unknown = [n for n in applied if n not in names]
    if unknown:
        raise ConfigError(f"source has migrations this garage does not know ({', '.join(unknown)}); upgrade garage")
    if applied != names:
        raise ConfigError("source schema is behind; run `garage db upgrade` on it first")


def refuse_non_empty(dst: Database, known: set[str]) -> None:
    """Only an empty database (or an empty garage schema) may be filled."""
    existing = schema.has_data(dst)
    if existing:
        table, n = next(iter(existing.items()))
        raise Conflict(f"target is not empty: table {table} holds {n} row(s); use a new, empty database")
    strangers = sorted(set(schema.all_tables(dst)) - known - {MIGRATION_TABLE})
    if strangers:
        raise Conflict(f"target holds tables garage does not know ({', '.join(strangers[:5])}); use an empty database")


def copy_database(
    src: Database, dst: Database, *, replace: bool = False, progress: Progress | None = None
) -> list[TableCopy]:
    """Copy every table of SRC into DST (which must hold no data unless REPLACE); verify; commit."""
    started = _time.monotonic()
    kinds = schema.model_kinds()
    with _snapshot(src):
        _check_source_current(src)
        tables = schema.tables_in_order(src)
        totals = {t: schema.count(src, t) for t in tables}
        sequences = schema.sequence_values(src)
        with dst.atomic():
            if not replace:
                refuse_non_empty(dst, set(tables))
            _drop_everything(dst)
            with schema.bound(dst):
                migrations.upgrade()
            target_tables = set(schema.all_tables(dst))
            missing = [t for t in tables if t not in target_tables]
            if missing:
                raise ConfigError(f"target schema lacks table(s) {', '.join(missing)}; is this garage up to date?")
            if engine(dst) == "sqlite":
                dst.execute_sql("PRAGMA defer_foreign_keys = ON")
            # Triggers off first: emptying a table must not fire them either (a counter trigger would
            # re-seed a row the copy then brings again).
            resume = _suspend_triggers(dst, tables)
            for table in reversed(schema.tables_in_order(dst)):
                dst.execute_sql(f"DELETE FROM {quote(table)}")  # rows the migrations seeded come from the source
            sums: dict[str, schema.Checksum] = {}
            for table in tables:
                src_cols = schema.columns(src, table)
                names = [c.name for c in src_cols]
                dst_names = {c.name for c in schema.columns(dst, table)}
                extra = [n for n in names if n not in dst_names]
                if extra:
                    raise ConfigError(f"target table {table} lacks column(s) {', '.join(extra)}")
                order = [c.name for c in src_cols if c.primary_key]
                convert = _converters(src, dst, table, names)
                summer = schema.Checksum(names, kinds.get(table, {}))
                done = 0
                for batch in _read(src, table, names, order):
                    for row in batch:
                        summer.add(row)
                    if convert is not None:
                        batch = [[fn(v) for fn, v in zip(convert, row, strict=True)] for row in batch]
                    _insert(dst, table, names, batch)
                    done += len(batch)
                    if progress:
                        progress(table, done, totals[table])
                if progress and not totals[table]:
                    progress(table, 0, 0)
                sums[table] = summer
            _set_sequences(dst, sequences, tables)
            resume()
            report = []
            for table in tables:
                theirs = schema.table_checksum(dst, table, kinds)
                report.append(TableCopy(table, sums[table].rows, sums[table].hex, theirs.hex, theirs.rows))
            bad = [t for t in report if not t.ok]
            if bad:
                details = ", ".join(f"{t.table} ({t.rows}/{t.target_rows} rows)" for t in bad)
                raise ChecksumMismatch(f"copy differs from the source in {details}; the target was not changed")
    log.info(
        "copied %d tables, %d rows in %.1fs", len(report), sum(t.rows for t in report), _time.monotonic() - started
    )
    return report


def connect(url: str, *, must_exist: bool = False) -> tuple[Database, str]:
    """A second database handle (the proxy stays on the current database)."""
    target = parse_url(url)
    if target.engine == "sqlite" and must_exist and not Path(target.path).exists():
        raise ConfigError(f"database {target.display} does not exist")
    db = make_database(target)
    try:
        db.connect(reuse_if_open=True)
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"cannot reach database {target.display}: {first}") from None
    if target.engine == "postgresql" and target.schema:
        db.execute_sql(f"CREATE SCHEMA IF NOT EXISTS {quote(target.schema)}")
    return db, target.display


def same_database(a: str, b: str) -> bool:
    ta, tb = parse_url(a), parse_url(b)
    if ta.engine != tb.engine:
        return False
    if ta.engine == "sqlite":
        return Path(ta.path).expanduser().resolve() == Path(tb.path).expanduser().resolve()
    return ta.display == tb.display and (ta.schema or "public") == (tb.schema or "public")


def move(to_url: str, *, source_url: str | None = None, progress: Progress | None = None, actor: Actor = SYSTEM):
    """Copy the current database (the process-wide one) to the empty database at TO_URL."""
    require(actor, "ops.run")
    source = configured_url(source_url)
    if same_database(source, to_url):
        raise ConfigError("the target is the current database; give another --to URL")
    src = database.obj
    dst, display = connect(to_url)
    started = _time.monotonic()
    try:
        tables = copy_database(src, dst, progress=progress)
    finally:
        dst.close()
    return MoveResult(
        source=parse_url(source).display,
        target=display,
        tables=tables,
        rows=sum(t.rows for t in tables),
        seconds=round(_time.monotonic() - started, 3),
    )
