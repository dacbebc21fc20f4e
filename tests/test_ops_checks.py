"""`garage db check`: finds each kind of planted damage, skips checks whose tables are not there."""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shop import demo
from shop.db import database, is_postgres
from shop.ops import checks
from tests.conftest import NOW, run_garage_process
from tests.ops_support import fill


def _problems(result) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return {c["name"]: c["problems"] for c in result.json()["checks"] if c["status"] == "problems"}


def test_a_healthy_database_passes_every_check(db, cli) -> None:
    demo.load()
    fill(20)
    # A new demo shop passes as it is: messages about its past count as delivered.
    result = cli("db", "check", "--json")
    assert result.exit_code == 0, result.stdout
    assert result.json()["ok"] is True
    assert {c["status"] for c in result.json()["checks"]} <= {"ok", "skipped"}
    plain = cli("db", "check")
    assert plain.exit_code == 0 and "OK       integrity" in plain.stdout


def test_orphaned_rows_are_listed_and_exit_1(cli, tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    assert cli("--db", url, "init").exit_code == 0
    conn = sqlite3.connect(tmp_path / "shop.db")
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(
        "INSERT INTO vehicle (id, customer_id, make, model, colour, archived, version, created_at, updated_at) "
        "VALUES (41, 999, 'VW', 'Golf', '', 0, 1, '2026-11-23 07:00:00.000000', '2026-11-23 07:00:00.000000')"
    )
    conn.commit()
    conn.close()
    result = cli("--db", url, "db", "check")
    assert result.exit_code == 1
    assert "PROBLEMS foreign_keys (1 problems)" in result.stdout
    assert "vehicle row 41 refers to a missing customer row" in result.stdout


def test_a_migration_unknown_to_this_garage_is_reported(db, cli) -> None:
    database.execute_sql(
        "INSERT INTO schema_migration (name, applied_at) VALUES ('m9999_future', '2030-01-01 00:00:00')"
    )
    try:
        result = cli("db", "check", "--only", "schema_current", "--json")
        assert result.exit_code == 1
        assert _problems(result) == {
            "schema_current": ["migration m9999_future is unknown to this garage; upgrade garage"]
        }
    finally:
        database.execute_sql("DELETE FROM schema_migration WHERE name = 'm9999_future'")


def test_a_check_runs_only_when_its_tables_exist(db, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setitem(
        checks.CHECKS,
        "needs_nothing_there",
        checks.CheckSpec("needs_nothing_there", ("no_such_table",), lambda: calls.append(1) or ["x"], ""),
    )
    result = cli("db", "check", "--json")
    assert result.exit_code == 0
    skipped = next(c for c in result.json()["checks"] if c["name"] == "needs_nothing_there")
    assert skipped["status"] == "skipped" and "no_such_table" in skipped["note"]
    assert calls == []


def test_many_problems_are_counted_and_the_list_is_capped(db, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    many = [f"problem {i}" for i in range(120)]
    monkeypatch.setitem(checks.CHECKS, "noisy", checks.CheckSpec("noisy", (), lambda: many, ""))
    result = cli("db", "check")
    assert result.exit_code == 1
    assert "(120 problems)" in result.stdout and "... and 70 more" in result.stdout


def test_unknown_check_name_is_refused(db, cli) -> None:
    result = cli("db", "check", "--only", "nonsense")
    assert result.exit_code == 1
    assert "unknown check 'nonsense'" in result.stderr


# ---- planted corruption, one kind per area ----------------------------------------------------------


def _ts(moment: datetime) -> object:
    naive = moment.astimezone(UTC).replace(tzinfo=None)
    return naive if is_postgres() else naive.strftime("%Y-%m-%d %H:%M:%S.%f")


def _raw(statement: str, params: tuple = ()) -> list[tuple]:  # type: ignore[type-arg]
    cursor = database.execute_sql(statement.replace("{p}", "%s" if is_postgres() else "?"), params)
    return list(cursor.fetchall()) if cursor.description else []


def _insert(table: str, **values: object) -> int:
    cols = ", ".join(values)
    marks = ", ".join(["{p}"] * len(values))
    _raw(f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(values.values()))
    return int(_raw(f"SELECT MAX(id) FROM {table}")[0][0])


@contextlib.contextmanager
def _without_triggers(table: str) -> Iterator[None]:
    """Let raw SQL store what the database would refuse (the damage db check must find)."""
    if is_postgres():
        database.execute_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        try:
            yield
        finally:
            database.execute_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        return
    for (name,) in _raw("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = {p}", (table,)):
        database.execute_sql(f'DROP TRIGGER "{name}"')  # this test's own copy of the database
    yield


def _found(cli, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    result = cli("db", "check", "--only", name, "--json")
    assert result.exit_code == (1 if _problems(result) else 0)
    return _problems(result).get(name, [])


def test_overlapping_appointments_on_a_bay_are_found(db, cli) -> None:
    fill(2)
    customer, vehicle = _raw("SELECT customer_id, id FROM vehicle ORDER BY id")[0]
    bay = _insert("bay", name="Bay 9", capabilities="", active=True, position=9, created_at=_ts(NOW))
    common = dict(customer_id=customer, vehicle_id=vehicle, bay_id=bay, source="desk", notes="", reschedule_count=0)
    common |= dict(total_price=0, created_at=_ts(NOW), updated_at=_ts(NOW))

    def book(start_hour: int, hours: int, status: str = "scheduled") -> int:
        start = NOW.replace(hour=start_hour)
        end = start + timedelta(hours=hours)
        return _insert(
            "appointment", start_at=_ts(start), end_at=_ts(end), block_end_at=_ts(end), status=status, **common
        )

    first = book(8, 2)
    touching = book(10, 1)  # starts when the first ends: no overlap
    assert _found(cli, "appointments_do_not_overlap") == []
    with _without_triggers("appointment"):
        second = book(9, 2)
        book(8, 3, status="cancelled")  # cancelled appointments free their bay
    assert _found(cli, "appointments_do_not_overlap") == [
        f"appointments {first} and {second} overlap on bay {bay}",
        f"appointments {touching} and {second} overlap on bay {bay}",
    ]


def test_stock_on_hand_that_disagrees_with_the_ledger_is_found(db, cli) -> None:
    part = _insert(
        "part", sku="OIL-5W30", name="Oil", supplier="", unit_cost=500, price=900, reorder_level=0,
        reorder_quantity=0, bin_location="", active=True, allow_backorder=False, on_hand=550,
        created_at=_ts(NOW), updated_at=_ts(NOW),
    )  # fmt: skip
    _insert(
        "stock_movement", part_id=part, kind="receive", quantity=550, balance=550, unit_cost=500, reason="",
        reference="", actor="system", at=_ts(NOW),
    )  # fmt: skip
    assert _found(cli, "stock_matches_ledger") == []
    _raw("UPDATE part SET on_hand = 700 WHERE id = {p}", (part,))
    assert _found(cli, "stock_matches_ledger") == [f"part {part} (OIL-5W30): on hand 7.00 but the ledger sums to 5.50"]


def test_gaps_in_invoice_numbers_and_a_counter_out_of_step_are_found(db, cli) -> None:
    fill(1)
    customer = _raw("SELECT MIN(id) FROM customer")[0][0]
    for seq in (1, 2, 4):
        _insert(
            "invoice", kind="invoice", number=f"2026-{seq:06d}", year=2026, sequence=seq, status="issued",
            customer_id=customer, notes="", reason="", net=100, tax=19, total=119, paid=0, credited=0,
            created_at=_ts(NOW), updated_at=_ts(NOW),
        )  # fmt: skip
    _raw("INSERT INTO document_counter (series, year, last) VALUES ('invoice', 2026, 4)")
    assert _found(cli, "invoice_numbers_gapless") == ["invoice 2026: number(s) 3 missing below 4"]
    _raw("UPDATE document_counter SET last = 6")
    assert _found(cli, "invoice_numbers_gapless") == [
        "invoice 2026: number(s) 3 missing below 4",
        "invoice 2026: counter stands at 6 but the highest number is 4",
    ]


def _message(status: str, created: datetime, due: datetime, **extra: object) -> int:
    values = dict(
        kind="reminder", channel="email", recipient="a@example.test", subject="s", body_text="t", body_html="",
        attachments="[]", status=status, attempts=1, next_attempt_at=_ts(due), give_up_at=_ts(due + timedelta(days=2)),
        last_error="", message_id=f"<{uuid.uuid4().hex}@garage>", created_at=_ts(created),
    )  # fmt: skip
    return _insert("outbox_message", **(values | extra))


@contextlib.contextmanager
def _without_check_constraints() -> Iterator[None]:
    if not is_postgres():
        database.execute_sql("PRAGMA ignore_check_constraints = ON")
        try:
            yield
        finally:
            database.execute_sql("PRAGMA ignore_check_constraints = OFF")
        return
    name, definition = _raw(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'outbox_message'::regclass "
        "AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%%sent_at%%'"
    )[0]
    database.execute_sql(f"ALTER TABLE outbox_message DROP CONSTRAINT {name}")
    try:
        yield
    finally:
        database.execute_sql("DELETE FROM outbox_message WHERE status = 'sent' AND sent_at IS NULL")
        database.execute_sql(f"ALTER TABLE outbox_message ADD CONSTRAINT {name} {definition}")


def test_a_sent_message_without_a_sent_time_is_found(db, cli) -> None:
    _message("sent", NOW, NOW, sent_at=_ts(NOW))
    assert _found(cli, "sent_messages_have_sent_time") == []
    with _without_check_constraints():
        broken = _message("sent", NOW, NOW)
        assert _found(cli, "sent_messages_have_sent_time") == [f"message {broken} is marked sent but has no sent time"]


def test_outbox_backlog_reports_late_stuck_and_recently_dead_messages(db, cli) -> None:
    hour = timedelta(hours=1)
    _message("pending", NOW - hour, NOW - timedelta(minutes=10))  # a little late: fine
    _message("dead", NOW - timedelta(days=30), NOW - timedelta(days=30))  # long dead: no longer reported
    _message("sent", NOW - hour, NOW - hour, sent_at=_ts(NOW - hour))
    assert _found(cli, "outbox_backlog") == []
    late = _message("failed", NOW - 3 * hour, NOW - 2 * hour)
    stuck = _message("sending", NOW - 3 * hour, NOW - 3 * hour, claimed_until=_ts(NOW - 2 * hour), claim_token="x")
    dead = _message("dead", NOW - 24 * hour, NOW - 24 * hour)
    found = _found(cli, "outbox_backlog")
    assert found == [
        f"message {late} (reminder) has been due since 2026-11-23 05:00 UTC: is `garage notify worker` running?",
        f"message {stuck} (reminder) is stuck in sending since its claim ran out",
        f"message {dead} (reminder) is dead after 1 attempt(s); fix the cause, then `garage notify retry {dead}`",
    ]


# ---- page-level damage in the SQLite file itself ------------------------------------------------------


def _checkpointed_shop_file(tmp_path: Path) -> Path:
    """A garage SQLite file whose customer table spans several b-tree pages, all of it in the main file."""
    path = tmp_path / "healthy.db"
    init = run_garage_process(f"sqlite:///{path}", "init")
    assert init.returncode == 0, init.stderr
    conn = sqlite3.connect(path)
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) "
        "INSERT INTO customer (name, email, address, notes, search_text, archived, version, created_at, updated_at) "
        "SELECT 'Customer ' || i, 'c' || i || '@example.test', 'Street ' || i, '', 'customer ' || i, 0, 1, "
        "'2026-11-23 07:00:00.000000', '2026-11-23 07:00:00.000000' FROM n"
    )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the copy below must hold every page
    conn.close()
    return path


def _customer_leaf_page(path: Path) -> tuple[int, int]:
    """(page size, number of a leaf page of the customer table), read from the b-tree's root page."""
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'customer'").fetchone()
    conn.close()
    data = path.read_bytes()
    page = data[(root - 1) * page_size : root * page_size]
    assert page[0] == 0x05, "300 customers should need an interior table page at the root"
    leaf = int.from_bytes(page[8:12], "big")  # the right-most child
    assert data[(leaf - 1) * page_size] == 0x0D, "the right-most child should be a table leaf page"
    return page_size, leaf


@pytest.mark.parametrize("damage", ["cells overwritten", "page header overwritten"])
def test_page_damage_in_a_copy_of_the_file_is_reported_with_exit_1(tmp_path: Path, damage: str) -> None:
    healthy = _checkpointed_shop_file(tmp_path)
    page_size, leaf = _customer_leaf_page(healthy)
    damaged = tmp_path / "damaged.db"
    shutil.copyfile(healthy, damaged)
    start = (leaf - 1) * page_size
    with damaged.open("r+b") as f:
        if damage == "cells overwritten":
            page = healthy.read_bytes()[start : start + page_size]
            content = int.from_bytes(page[5:7], "big")  # where this page's cells begin
            f.seek(start + content)
            f.write(b"\xde\xad\xbe\xef" * 64)
        else:
            f.seek(start)
            f.write(b"\xff" * 12)

    assert run_garage_process(f"sqlite:///{healthy}", "db", "check").returncode == 0
    result = run_garage_process(f"sqlite:///{damaged}", "db", "check")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "PROBLEMS integrity" in result.stdout
    assert "the database file is damaged: stop garage and restore the latest backup" in result.stdout
    if damage == "cells overwritten":
        assert f"page {leaf}" in result.stdout  # SQLite names the damaged page
    else:
        assert "SQLite: database disk image is malformed" in result.stdout
    as_json = run_garage_process(f"sqlite:///{damaged}", "db", "check", "--only", "integrity", "--json")
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout)["ok"] is False


def test_a_file_whose_header_is_damaged_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    healthy = _checkpointed_shop_file(tmp_path)
    damaged = tmp_path / "damaged.db"
    shutil.copyfile(healthy, damaged)
    with damaged.open("r+b") as f:
        f.write(b"\xff" * 16)  # "SQLite format 3\0" is gone
    result = run_garage_process(f"sqlite:///{damaged}", "db", "check")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"error: cannot read database sqlite:///{damaged} (file is not a database); "
        "the database file is damaged: stop garage and restore the latest backup (`garage restore FILE`)"
    )
