"""`garage db check`: a registry of health checks, each returning the problems it found.

A check declares the tables it needs; it only runs when they all exist, so areas can land (and
shops can upgrade) in any order. Add a check with::

    @check("bays_do_not_overlap", needs=("appointment",))
    def _bays() -> list[str]:
        return ["appointment 4 overlaps appointment 7 on bay 2"]

Checks read with plain SQL through the process-wide database (they must work on both engines).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from shop import clock
from shop.auth import SYSTEM, Actor, require
from shop.db import database, is_postgres
from shop.errors import ValidationError
from shop.ops import schema

log = logging.getLogger(__name__)
MAX_LISTED = 50  # per check; the count says how many there were in all


@dataclass(frozen=True)
class CheckSpec:
    name: str
    needs: tuple[str, ...]
    fn: Callable[[], list[str]]
    help: str


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: str  # "ok", "problems", "skipped"
    problems: list[str]
    count: int
    note: str = ""


@dataclass(frozen=True)
class CheckReport:
    engine: str
    results: list[CheckResult]

    @property
    def ok(self) -> bool:
        return all(r.status != "problems" for r in self.results)

    @property
    def problems(self) -> list[str]:
        return [f"{r.name}: {p}" for r in self.results for p in r.problems]


CHECKS: dict[str, CheckSpec] = {}


def check(name: str, needs: Sequence[str] = ()) -> Callable[[Callable[[], list[str]]], Callable[[], list[str]]]:
    """Register FN as the check NAME, run only when every table in NEEDS exists."""

    def register(fn: Callable[[], list[str]]) -> Callable[[], list[str]]:
        CHECKS[name] = CheckSpec(name, tuple(needs), fn, ((fn.__doc__ or "").strip().splitlines() or [""])[0])
        return fn

    return register


def sql(statement: str, params: Sequence[object] = ()) -> list[tuple]:  # type: ignore[type-arg]
    """Run engine-neutral SQL; `{p}` is the parameter placeholder."""
    return list(database.execute_sql(statement.format(p="%s" if is_postgres() else "?"), tuple(params)).fetchall())


def run_checks(only: Sequence[str] = (), actor: Actor = SYSTEM) -> CheckReport:
    """Run every registered check (or ONLY those named) and collect what they find."""
    require(actor, "ops.run")
    unknown = [n for n in only if n not in CHECKS]
    if unknown:
        raise ValidationError({"check": f"unknown check {unknown[0]!r}; known: {', '.join(CHECKS)}"})
    tables = set(schema.all_tables(database.obj))
    results = []
    for spec in CHECKS.values():
        if only and spec.name not in only:
            continue
        missing = [t for t in spec.needs if t not in tables]
        if missing:
            results.append(CheckResult(spec.name, "skipped", [], 0, f"no table {', '.join(missing)} yet"))
            continue
        found = spec.fn()
        status = "problems" if found else "ok"
        results.append(CheckResult(spec.name, status, found[:MAX_LISTED], len(found)))
        if found:
            log.warning("db check %s: %d problem(s)", spec.name, len(found))
    return CheckReport("postgresql" if is_postgres() else "sqlite", results)


# ---- built-in checks ----------------------------------------------------------------------------


@check("integrity")
def _integrity() -> list[str]:
    """SQLite's own page and index check (PostgreSQL checks its pages itself)."""
    if is_postgres():
        return []
    found = [r[0] for r in sql("PRAGMA integrity_check")]
    return [] if found == ["ok"] else found


@check("foreign_keys")
def _foreign_keys() -> list[str]:
    """Every reference points at an existing row."""
    if is_postgres():
        return []  # enforced on every write; a violation cannot be stored
    return [
        f"{table} row {rowid} refers to a missing {parent} row"
        for table, rowid, parent, _fk in sql("PRAGMA foreign_key_check")
    ]


@check("schema_current", needs=(schema.MIGRATION_TABLE,))
def _schema_current() -> list[str]:
    """No migration is pending."""
    from shop import migrations

    state = migrations.status()
    problems = [f"migration {n} is not applied; run `garage db upgrade`" for n in state.pending]
    problems += [f"migration {n} is unknown to this garage; upgrade garage" for n in state.unknown]
    return problems


def older_than(minutes: int) -> object:
    """A timestamp parameter for comparisons with stored UTC times, on either engine."""
    moment = (clock.now() - timedelta(minutes=minutes)).replace(tzinfo=None)
    return moment if is_postgres() else moment.strftime(schema.SQLITE_TS_FORMAT)
