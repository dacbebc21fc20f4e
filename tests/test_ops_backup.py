"""`garage backup`, `garage backups`, `garage restore`: consistent under writers, checked, atomic."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import types
from datetime import timedelta
from pathlib import Path

import pytest

from shop import migrations
from shop.db import database
from shop.ops import backup as backups
from tests.conftest import NOW, ROOT
from tests.ops_support import dump, dump_url, fill

WRITER = """
import sys
from shop.db import open_database, transaction
from shop import clock
from shop.models import Customer, Vehicle

open_database(sys.argv[1])
name, count = sys.argv[2], int(sys.argv[3])

@transaction
def write(i):
    at = clock.now()
    c = Customer.create(name=f"writer {name} {i}", address="", notes="", search_text="", created_at=at, updated_at=at)
    Vehicle.create(customer=c, make="VW", model="Up", plate=f"W-{name}-{i}", created_at=at, updated_at=at)

for i in range(count):
    write(i)
    if i == 0:
        print("ready", flush=True)
"""

ORPHANS = (
    "SELECT COUNT(*) FROM customer c WHERE c.name LIKE 'writer %' "
    "AND NOT EXISTS (SELECT 1 FROM vehicle v WHERE v.customer_id = c.id)"
)


def _file_url(path: str | Path) -> str:
    return f"sqlite:///{path}"


def test_backups_taken_while_writers_run_are_consistent_and_restore_row_for_row(db, cli, tmp_path) -> None:
    fill(30)
    env = {**os.environ, "GARAGE_NOW": NOW.isoformat(), "GARAGE_LOG_FILE": str(tmp_path / "w.log")}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, db.url, f"w{n}", "150"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(6)
    ]
    try:
        for proc in writers:
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        taken = []
        for _ in range(3):  # while the writers are still writing
            result = cli("backup", "--out", str(tmp_path / "b"), "--json")
            assert result.exit_code == 0, result.stderr
            taken.append(result.json())
    finally:
        for proc in writers:
            _out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
    for n, info in enumerate(taken):
        snapshot = dump_url(_file_url(info["path"]))
        assert sum(len(r) for r in snapshot.values()) == info["rows"]
        check = sqlite3.connect(info["path"])
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert check.execute(ORPHANS).fetchone()[0] == 0  # each customer came with its car: one instant
        check.close()
        fresh = tmp_path / f"restored{n}.db"
        restored = cli("--db", _file_url(fresh), "restore", info["path"])
        assert restored.exit_code == 0, restored.stderr
        assert dump_url(_file_url(fresh)) == snapshot
    # Over the live database (the writers are done): refused without --force, exact with it.
    last = taken[-1]["path"]
    refused = cli("restore", last)
    assert refused.exit_code == 3 and "--force" in refused.stderr
    forced = cli("restore", last, "--force", "--json")
    assert forced.exit_code == 0, forced.stderr
    assert forced.json()["replaced_data"] is True
    assert dump(database.obj) == dump_url(_file_url(last))


def test_restore_without_force_leaves_the_database_as_it_was(db, cli, tmp_path) -> None:
    fill(5)
    made = cli("backup", "--out", str(tmp_path), "--json").json()
    assert cli("settings", "set", "shop.name=Changed After Backup").exit_code == 0
    before = dump(database.obj)
    result = cli("restore", made["path"])
    assert result.exit_code == 3
    assert "holds data" in result.stderr
    assert dump(database.obj) == before
    assert cli("restore", made["path"], "--force").exit_code == 0
    assert cli("settings", "show", "--json").json()["shop.name"] == "Ünïcode Garage"


def test_keep_prunes_the_oldest_and_backups_lists_newest_first(db, cli, tmp_path, frozen_clock) -> None:
    out = str(tmp_path / "kept")
    names = []
    for _ in range(4):
        names.append(Path(cli("backup", "--out", out, "--keep", "2", "--json").json()["path"]).name)
        frozen_clock.advance(timedelta(hours=1))
    listed = cli("backups", "--out", out, "--json").json()
    assert [b["name"] for b in listed] == [names[3], names[2]]
    assert names[0] == "garage-20261123-070000Z.db"
    assert listed[0]["version"] == migrations.status().version
    assert sorted(os.listdir(out)) == sorted(names[2:])


def test_two_backups_in_the_same_second_get_distinct_names(db, cli, tmp_path) -> None:
    first = cli("backup", "--out", str(tmp_path), "--json").json()["path"]
    second = cli("backup", "--out", str(tmp_path), "--json").json()["path"]
    assert first != second and Path(first).exists() and Path(second).exists()
    assert [b["path"] for b in cli("backups", "--out", str(tmp_path), "--json").json()] == [second, first]


def test_keep_zero_is_refused_naming_the_option(db, cli, tmp_path) -> None:
    result = cli("backup", "--out", str(tmp_path / "b"), "--keep", "0")
    assert result.exit_code == 1
    assert "keep: must be at least 1" in result.stderr
    assert not (tmp_path / "b").exists()


def test_restore_refuses_files_that_are_not_sound_backups(cli, tmp_path) -> None:
    target = _file_url(tmp_path / "shop.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    result = cli("--db", target, "restore", str(junk))
    assert result.exit_code == 1 and "not a garage backup" in result.stderr
    assert cli("--db", target, "restore", str(tmp_path / "absent.db")).exit_code == 1
    plain = tmp_path / "plain.db"
    sqlite3.connect(plain).execute("CREATE TABLE t (x)").connection.close()
    result = cli("--db", target, "restore", str(plain))
    assert result.exit_code == 1 and "no schema version" in result.stderr
    made = cli("backup", "--out", str(tmp_path / "b"), "--json").json()["path"]
    cut = tmp_path / "cut.db"
    data = Path(made).read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    result = cli("--db", target, "restore", str(cut))
    assert result.exit_code == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "shop.db").exists() or dump_url(target).get("customer", []) == []


def test_restore_refuses_a_backup_from_a_newer_garage(cli, tmp_path) -> None:
    made = cli("backup", "--out", str(tmp_path), "--json").json()["path"]
    conn = sqlite3.connect(made)
    conn.execute("INSERT INTO schema_migration (name, applied_at) VALUES ('m9999_future', '2030-01-01 00:00:00')")
    conn.commit()
    conn.close()
    result = cli("--db", _file_url(tmp_path / "new.db"), "restore", made)
    assert result.exit_code == 1
    assert "newer garage" in result.stderr and "m9999_future" in result.stderr


def test_restore_upgrades_an_older_backup_before_swapping_it_in(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from shop.db import close_database, open_database

    old = tmp_path / "old.db"
    open_database(_file_url(old), create=True)
    fill(3)
    close_database()
    shutil.copy(old, tmp_path / "old-backup.db")

    newer = types.ModuleType("m9990_ops_test")
    newer.upgrade = lambda ctx: ctx.sql("CREATE TABLE ops_test_extra (id {pk}, note TEXT NOT NULL)")  # type: ignore[attr-defined]
    real = migrations.available
    monkeypatch.setattr(migrations, "available", lambda: [*real(), ("m9990_ops_test", newer)])

    target = tmp_path / "live.db"
    result = backups.restore(tmp_path / "old-backup.db", url=_file_url(target))
    assert result.upgraded == ["m9990_ops_test"]
    assert result.version == 9990 and result.version_before < 9990
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT COUNT(*) FROM ops_test_extra").fetchone() == (0,)
    assert conn.execute("SELECT COUNT(*) FROM customer").fetchone()[0] == 3
    conn.close()
    # The backup file itself is never changed.
    assert sqlite3.connect(tmp_path / "old-backup.db").execute("SELECT COUNT(*) FROM schema_migration").fetchone()[
        0
    ] == len(real())
