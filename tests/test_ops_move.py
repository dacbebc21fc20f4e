"""`garage db move`: every table to an empty database on the other engine and back, exactly."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from shop import demo
from shop.db import database, make_database, parse_url
from shop.ops import move, schema
from tests.conftest import PG_URL, missing
from tests.ops_support import dump, dump_url, fill, pg_scratch


def _sequences(url: str) -> dict[str, int]:
    db = make_database(parse_url(url))
    db.connect()
    try:
        return {t: v for t, (_c, v) in schema.sequence_values(db).items()}
    finally:
        db.close()


@contextlib.contextmanager
def _other_engine(engine: str, tmp_path: Path, name: str):  # type: ignore[no-untyped-def]
    if engine == "postgres":
        yield f"sqlite:///{tmp_path / (name + '.db')}"
        return
    if not PG_URL:
        missing("PostgreSQL", "set GARAGE_TEST_PG_URL to move between engines")
    with pg_scratch() as url:
        yield url


def test_move_to_the_other_engine_and_back_keeps_every_row_id_sequence_time_and_amount(db, cli, tmp_path) -> None:
    demo.load()
    counts = fill(80)
    source = dump(database.obj)
    source_sequences = {t: v for t, (_c, v) in schema.sequence_values(database.obj).items()}
    back_url = f"sqlite:///{tmp_path / 'back.db'}" if db.engine == "sqlite" else None
    with _other_engine(db.engine, tmp_path, "mid") as mid, contextlib.ExitStack() as stack:
        if back_url is None:
            back_url = stack.enter_context(pg_scratch())
        there = cli("db", "move", "--to", mid, "--json")
        assert there.exit_code == 0, there.stderr
        report = there.json()
        assert {t["table"]: t["rows"] for t in report["tables"]} == counts
        assert all(t["source_checksum"] == t["target_checksum"] for t in report["tables"])
        assert report["rows"] == sum(counts.values())
        back = cli("--db", mid, "db", "move", "--to", back_url, "--json")
        assert back.exit_code == 0, back.stderr
        assert [t["source_checksum"] for t in back.json()["tables"]] == [t["source_checksum"] for t in report["tables"]]
        assert dump_url(mid) == source
        assert dump_url(back_url) == source
        # The deleted newest customer's id is not handed out again on either side.
        assert _sequences(mid)["customer"] == source_sequences["customer"] == _sequences(back_url)["customer"]
        assert source_sequences["customer"] == counts["customer"] + 1


def test_move_prints_counts_and_checksums_per_table(db, cli, tmp_path) -> None:
    fill(5)
    result = cli("db", "move", "--to", f"sqlite:///{tmp_path / 'copy.db'}")
    assert result.exit_code == 0, result.stderr
    assert "customer" in result.stdout and "SOURCE_CHECKSUM" in result.stdout
    assert "verified: every table's row count and checksum match" in result.stdout


def test_move_refuses_a_target_that_holds_data_and_leaves_it_alone(db, cli, tmp_path) -> None:
    fill(5)
    target = f"sqlite:///{tmp_path / 'busy.db'}"
    assert cli("--db", target, "init").exit_code == 0
    assert cli("--db", target, "settings", "set", "shop.name=Other Shop").exit_code == 0
    before = dump_url(target)
    result = cli("db", "move", "--to", target)
    assert result.exit_code == 3
    assert "target is not empty" in result.stderr
    assert dump_url(target) == before


def test_move_into_an_initialised_but_empty_database_is_allowed(db, cli, tmp_path) -> None:
    fill(5)
    target = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert cli("--db", target, "init").exit_code == 0
    assert cli("db", "move", "--to", target).exit_code == 0
    assert dump_url(target) == dump(database.obj)


def test_move_to_the_current_database_is_refused(db, cli) -> None:
    result = cli("db", "move", "--to", db.url)
    assert result.exit_code == 1
    assert "the target is the current database" in result.stderr


def test_a_copy_that_does_not_match_is_rolled_back(db, cli, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    fill(20)
    real_insert = move._insert

    def lossy(dst, table, names, batch):  # type: ignore[no-untyped-def]
        real_insert(dst, table, names, batch[:-1] if table == "customer" else batch)

    monkeypatch.setattr(move, "_insert", lossy)
    target = tmp_path / "lossy.db"
    result = cli("db", "move", "--to", f"sqlite:///{target}")
    assert result.exit_code == 3
    assert "customer" in result.stderr and "was not changed" in result.stderr
    assert dump_url(f"sqlite:///{target}") == {}
