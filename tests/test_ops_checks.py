"""`garage db check`: finds each kind of planted damage, skips checks whose tables are not there."""

from __future__ import annotations

import sqlite3

import pytest

from shop import demo
from shop.db import database
from shop.ops import checks
from tests.ops_support import fill


def _problems(result) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return {c["name"]: c["problems"] for c in result.json()["checks"] if c["status"] == "problems"}


def test_a_healthy_database_passes_every_check(db, cli) -> None:
    demo.load()
    fill(20)
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
