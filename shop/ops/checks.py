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
from shop.db import DAMAGED_HINT, DATABASE_ERRORS, database, is_damaged_file, is_postgres, sqlite_integrity_problems
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
    engine = "postgresql" if is_postgres() else "sqlite"
    try:
        tables = set(schema.all_tables(database.obj))
    except DATABASE_ERRORS as exc:
        if not is_damaged_file(exc):
            raise
        log.warning("db check: the list of tables cannot be read: %s", exc)
        damaged = [DAMAGED_HINT, f"SQLite cannot read the list of tables: {exc}"]
        return CheckReport(engine, [CheckResult("integrity", "problems", damaged, len(damaged))])
    results = []
    for spec in CHECKS.values():
        if only and spec.name not in only:
            continue
        missing = [t for t in spec.needs if t not in tables]
        if missing:
            results.append(CheckResult(spec.name, "skipped", [], 0, f"no table {', '.join(missing)} yet"))
            continue
        try:
            found = spec.fn()
        except DATABASE_ERRORS as exc:
            if not is_damaged_file(exc):
                raise
            found = [f"cannot read the tables it checks ({exc}); {DAMAGED_HINT}"]
        status = "problems" if found else "ok"
        results.append(CheckResult(spec.name, status, found[:MAX_LISTED], len(found)))
        if found:
            log.warning("db check %s: %d problem(s)", spec.name, len(found))
    return CheckReport(engine, results)


# ---- built-in checks ----------------------------------------------------------------------------


@check("integrity")
def _integrity() -> list[str]:
    """SQLite's own page and index check (PostgreSQL checks its pages itself)."""
    if is_postgres():
        return []
    return sqlite_integrity_problems(database.execute_sql)


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


# ---- the areas' invariants (each runs once its area's tables exist) -------------------------------

ACTIVE_APPOINTMENT = "status NOT IN ('cancelled', 'no_show')"


@check("appointments_do_not_overlap", needs=("appointment",))
def _appointments_do_not_overlap() -> list[str]:
    """No two active appointments share a bay (or a mechanic) at the same time."""
    problems = []
    for column, what in (("bay_id", "bay"), ("mechanic_id", "mechanic")):
        found = sql(
            f"SELECT a.id, b.id, a.{column} FROM appointment a JOIN appointment b "
            f"ON a.{column} = b.{column} AND a.id < b.id "
            f"WHERE a.{ACTIVE_APPOINTMENT} AND b.{ACTIVE_APPOINTMENT} "
            "AND a.start_at < b.block_end_at AND b.start_at < a.block_end_at "
            "ORDER BY a.id, b.id"
        )
        problems += [f"appointments {a} and {b} overlap on {what} {key}" for a, b, key in found]
    return problems


@check("stock_matches_ledger", needs=("part", "stock_movement"))
def _stock_matches_ledger() -> list[str]:
    """Every part's on-hand total equals the sum of its stock movements."""
    found = sql(
        "SELECT p.id, p.sku, p.on_hand, COALESCE(SUM(m.quantity), 0) FROM part p "
        "LEFT JOIN stock_movement m ON m.part_id = p.id GROUP BY p.id, p.sku, p.on_hand "
        "HAVING p.on_hand <> COALESCE(SUM(m.quantity), 0) ORDER BY p.id"
    )
    return [
        f"part {pid} ({sku}): on hand {on_hand / 100:.2f} but the ledger sums to {ledger / 100:.2f}"
        for pid, sku, on_hand, ledger in found
    ]


@check("invoice_numbers_gapless", needs=("invoice", "document_counter"))
def _invoice_numbers_gapless() -> list[str]:
    """Issued numbers run 1, 2, 3 ... per series and year, and each counter stands at the highest."""
    problems = []
    highest: dict[tuple[str, int], int] = {}
    groups = sql(
        "SELECT kind, year, COUNT(*), MAX(sequence) FROM invoice WHERE number IS NOT NULL "
        "GROUP BY kind, year ORDER BY kind, year"
    )
    for kind, year, n, top in groups:
        highest[(kind, int(year))] = int(top)
        if n != top:
            have = {
                int(r[0]) for r in sql("SELECT sequence FROM invoice WHERE kind = {p} AND year = {p}", (kind, year))
            }
            missing = sorted(set(range(1, int(top) + 1)) - have)
            shown = ", ".join(str(m) for m in missing[:10]) + (" ..." if len(missing) > 10 else "")
            problems.append(f"{kind} {year}: number(s) {shown} missing below {top}")
    counters = {(s, int(y)): int(last) for s, y, last in sql("SELECT series, year, last FROM document_counter")}
    for key, top in sorted(highest.items()):
        last = counters.get(key)
        if last is None:
            problems.append(f"{key[0]} {key[1]}: numbers up to {top} issued but no counter row")
        elif last != top:
            problems.append(f"{key[0]} {key[1]}: counter stands at {last} but the highest number is {top}")
    for key, last in sorted(counters.items()):
        if key not in highest and last:
            problems.append(f"{key[0]} {key[1]}: counter stands at {last} but no number was issued")
    return problems


OUTBOX_LATE_MINUTES = 60
OUTBOX_DEAD_DAYS = 7


@check("sent_messages_have_sent_time", needs=("outbox_message",))
def _sent_messages_have_sent_time() -> list[str]:
    """Every message marked sent records when it was sent."""
    found = sql("SELECT id FROM outbox_message WHERE status = 'sent' AND sent_at IS NULL ORDER BY id")
    return [f"message {mid} is marked sent but has no sent time" for (mid,) in found]


@check("outbox_backlog", needs=("outbox_message",))
def _outbox_backlog() -> list[str]:
    """No message waits long past its due time (is the sender running?); no recently dead messages."""
    late = older_than(OUTBOX_LATE_MINUTES)
    problems = [
        f"message {mid} ({kind}) has been due since {str(due)[:16]} UTC: is `garage notify worker` running?"
        for mid, kind, due in sql(
            "SELECT id, kind, next_attempt_at FROM outbox_message WHERE status IN ('pending', 'failed') "
            "AND next_attempt_at < {p} ORDER BY id",
            (late,),
        )
    ]
    problems += [
        f"message {mid} ({kind}) is stuck in sending since its claim ran out"
        for mid, kind in sql(
            "SELECT id, kind FROM outbox_message WHERE status = 'sending' AND claimed_until < {p} ORDER BY id",
            (late,),
        )
    ]
    recent = older_than(OUTBOX_DEAD_DAYS * 24 * 60)
    problems += [
        f"message {mid} ({kind}) is dead after {attempts} attempt(s); fix the cause, then `garage notify retry {mid}`"
        for mid, kind, attempts in sql(
            "SELECT id, kind, attempts FROM outbox_message WHERE status = 'dead' AND created_at >= {p} ORDER BY id",
            (recent,),
        )
    ]
    return problems
