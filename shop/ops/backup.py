"""Online backups and checked restores.

A backup is always a self-contained SQLite garage database, whatever the engine:
- SQLite: SQLite's online backup API copies the file in one read transaction, so it is a
  consistent snapshot while the TUI, the portal and the worker keep writing (WAL lets them).
- PostgreSQL: the same copy as `garage db move`, read in one REPEATABLE READ snapshot, into a
  new SQLite file. (A DBA may prefer `pg_dump -Fc`; see docs/operations.md.)

A restore checks the file (integrity, foreign keys, schema version; an older schema is upgraded on
a private copy), refuses to overwrite a database that holds data unless forced, and swaps it in
atomically: on SQLite through the backup API into the live file (readers see all old or all new),
on PostgreSQL in one transaction that rebuilds the schema and copies every table.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from peewee import SqliteDatabase

from shop import clock, migrations
from shop.auth import SYSTEM, Actor, require
from shop.db import configured_url, database, parse_url
from shop.errors import ConfigError, Conflict, NotFound, ValidationError
from shop.ops import schema
from shop.ops.move import connect, copy_database

log = logging.getLogger(__name__)

NAME = re.compile(r"^garage-(\d{8}-\d{6})Z(?:-(\d+))?\.db$")
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class BackupResult:
    path: str
    size: int
    engine: str
    tables: int
    rows: int
    seconds: float
    pruned: list[str]


@dataclass(frozen=True)
class BackupFile:
    path: str
    name: str
    taken_at: datetime
    size: int
    version: int | None


@dataclass(frozen=True)
class RestoreResult:
    file: str
    target: str
    version_before: int
    version: int
    upgraded: list[str]
    tables: int
    rows: int
    replaced_data: bool
    seconds: float


def default_dir(url: str | None = None) -> Path:
    """Backups live in `backups/` beside a SQLite database, or in the working directory."""
    target = parse_url(configured_url(url))
    if target.engine == "sqlite" and target.path != ":memory:":
        return Path(target.path).expanduser().resolve().parent / "backups"
    return Path("backups").resolve()


def open_file(path: Path | str) -> SqliteDatabase:
    """A plain handle on a backup file (rollback journal, foreign keys on)."""
    return SqliteDatabase(str(path), pragmas={"foreign_keys": 1, "busy_timeout": 30_000})


def _file_version(path: Path) -> int | None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            names = [r[0] for r in conn.execute("SELECT name FROM schema_migration")]
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    versions = [int(m.group(1)) for n in names if (m := re.match(r"^m(\d{4})_", n))]
    return max(versions, default=0)


def _parse_name(name: str) -> tuple[datetime, int] | None:
    match = NAME.match(name)
    if not match:
        return None
    taken = datetime.strptime(match.group(1), "%Y%m%d-%H%M%S").replace(tzinfo=UTC)
    return taken, int(match.group(2) or 1)


def list_backups(out_dir: str | Path | None = None, *, url: str | None = None) -> list[BackupFile]:
    """Backups in OUT_DIR (default: beside the database), newest first."""
    folder = Path(out_dir) if out_dir else default_dir(url)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        parsed = _parse_name(path.name)
        if parsed and path.is_file():
            found.append((parsed, path))
    found.sort(reverse=True)
    return [
        BackupFile(str(path), path.name, taken, path.stat().st_size, _file_version(path)) for (taken, _n), path in found
    ]


def _new_name(folder: Path) -> Path:
    stamp = clock.now().astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    path = folder / f"garage-{stamp}Z.db"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"garage-{stamp}Z-{n}.db"
    return path


def _check_integrity(conn: sqlite3.Connection, what: str) -> None:
    result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if result != ["ok"]:
        raise ConfigError(f"{what} failed its integrity check: {'; '.join(result[:3])}")
    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise ConfigError(f"{what} has {len(broken)} row(s) pointing at missing rows (first in table {broken[0][0]})")


def backup(
    out_dir: str | Path | None = None, *, keep: int | None = None, url: str | None = None, actor: Actor = SYSTEM
) -> BackupResult:
    """Write a consistent, checked copy of the current database to OUT_DIR; keep the newest KEEP."""
    require(actor, "ops.run")
    if keep is not None and keep < 1:
        raise ValidationError({"keep": "must be at least 1"})
    started = time.monotonic()
    source = parse_url(configured_url(url))
    folder = Path(out_dir) if out_dir else default_dir(url)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create backup folder {folder}: {exc.strerror}") from None
    final = _new_name(folder)
    partial = folder / f".partial-{final.name}"
    partial.unlink(missing_ok=True)
    try:
        if source.engine == "sqlite":
            src = sqlite3.connect(source.path, timeout=30)
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)  # all pages in one step: one read transaction, one instant
                dst.execute("PRAGMA journal_mode = DELETE")
                _check_integrity(dst, "the new backup")
            finally:
                dst.close()
                src.close()
        else:
            dst_db = open_file(partial)
            try:
                copy_database(database.obj, dst_db)
            finally:
                dst_db.close()
        counts_db = open_file(partial)
        try:
            counts = schema.row_counts(counts_db)
        finally:
            counts_db.close()
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    pruned = prune(folder, keep) if keep else []
    log.info("backup written: %s (%d tables, %d rows)", final.name, len(counts), sum(counts.values()))
    return BackupResult(
        path=str(final),
        size=final.stat().st_size,
        engine=source.engine,
        tables=len(counts),
        rows=sum(counts.values()),
        seconds=round(time.monotonic() - started, 3),
        pruned=pruned,
    )


def prune(folder: Path, keep: int) -> list[str]:
    """Delete all but the KEEP newest backups in FOLDER (only files named like garage's own)."""
    removed = []
    for old in list_backups(folder)[keep:]:
        Path(old.path).unlink(missing_ok=True)
        removed.append(old.name)
    return removed


def _prepare(file: Path, work: Path) -> tuple[int, int, list[str]]:
    """Copy FILE to WORK, check it, bring its schema up to date: (version before, after, applied)."""
    if not file.is_file():
        raise NotFound(f"backup file {file} does not exist")
    with file.open("rb") as handle:
        if handle.read(16) != SQLITE_MAGIC:
            raise ValidationError({"file": f"{file} is not a garage backup (not a SQLite database)"})
    src = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    dst = sqlite3.connect(work)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")
        _check_integrity(dst, f"backup {file.name}")
    except sqlite3.DatabaseError as exc:
        raise ValidationError({"file": f"{file} cannot be read as a database: {exc}"}) from None
    finally:
        dst.close()
        src.close()
    work_db = open_file(work)
    try:
        with schema.bound(work_db):
            state = migrations.status()
            if not state.applied:
                raise ValidationError({"file": f"{file} is not a garage backup (no schema version)"})
            if state.unknown:
                raise ConfigError(
                    f"backup {file.name} was made by a newer garage ({', '.join(state.unknown)}); upgrade garage first"
                )
            before = state.version
            applied = migrations.upgrade() if state.pending else []
            after = migrations.status().version
    finally:
        work_db.close()
    return before, after, applied


def restore(file: str | Path, *, force: bool = False, url: str | None = None, actor: Actor = SYSTEM) -> RestoreResult:
    """Replace the configured database with the backup FILE (checked and upgraded first)."""
    require(actor, "ops.run")
    started = time.monotonic()
    file = Path(file).expanduser().resolve()
    target = parse_url(configured_url(url))
    if target.engine == "sqlite":
        target_path = Path(target.path).expanduser().resolve()
        if target_path == file:
            raise ValidationError({"file": "that is the database itself; name a backup file"})
        if not target_path.parent.is_dir():
            raise ConfigError(f"database {target.display}: folder {target_path.parent} does not exist")
        scratch = target_path.parent
    else:
        scratch = Path(tempfile.gettempdir())
    handle, name = tempfile.mkstemp(prefix=".restore-", suffix=".db", dir=scratch)
    os.close(handle)
    work = Path(name)
    try:
        before, after, applied = _prepare(file, work)
        if target.engine == "sqlite":
            replaced, counts = _swap_sqlite(work, target_path, force, target.display)
        else:
            replaced, counts = _fill_postgres(work, configured_url(url), force, target.display)
    finally:
        work.unlink(missing_ok=True)
    log.info("restored %s over %s (schema %d -> %d)", file.name, target.display, before, after)
    return RestoreResult(
        file=str(file),
        target=target.display,
        version_before=before,
        version=after,
        upgraded=applied,
        tables=len(counts),
        rows=sum(counts.values()),
        replaced_data=replaced,
        seconds=round(time.monotonic() - started, 3),
    )


def _refuse_unless_forced(data: dict[str, int], force: bool, display: str) -> bool:
    if data and not force:
        table, n = next(iter(data.items()))
        raise Conflict(f"database {display} holds data (table {table}: {n} rows); pass --force to overwrite it")
    return bool(data)


def _swap_sqlite(work: Path, target: Path, force: bool, display: str) -> tuple[bool, dict[str, int]]:
    data: dict[str, int] = {}
    if target.exists():
        existing = open_file(target)
        try:
            data = schema.has_data(existing)
        finally:
            existing.close()
    replaced = _refuse_unless_forced(data, force, display)
    src = sqlite3.connect(work)
    dst = sqlite3.connect(target, timeout=30)
    try:
        # One step: the destination is written in one transaction, so other connections see the
        # old database or the new one, never a mixture; WAL and its -shm stay consistent.
        src.backup(dst)
        _check_integrity(dst, "the restored database")
    finally:
        dst.close()
        src.close()
    restored = open_file(target)
    try:
        counts = schema.row_counts(restored)
    finally:
        restored.close()
    return replaced, counts


def _fill_postgres(work: Path, url: str, force: bool, display: str) -> tuple[bool, dict[str, int]]:
    dst, _ = connect(url)
    src = open_file(work)
    try:
        replaced = _refuse_unless_forced(schema.has_data(dst), force, display)
        copied = copy_database(src, dst, replace=force)
    finally:
        src.close()
        dst.close()
    return replaced, {t.table: t.rows for t in copied}
