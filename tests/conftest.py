"""Shared fixtures: a fresh database per test on SQLite and (when configured) PostgreSQL.

PostgreSQL runs when GARAGE_TEST_PG_URL is set. Without it the postgres cases skip with a
reason, except under CI=true, where a missing part is a failure rather than a silent skip.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from shop import auth, clock
from shop.db import close_database, database, open_database

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("GARAGE_TEST_PG_URL")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # a Monday, 08:00 in Berlin


def missing(part: str, why: str) -> None:
    """Skip locally with a visible reason; fail in CI, where every part must be present."""
    if IN_CI:
        pytest.fail(f"{part} is required in CI: {why}")
    pytest.skip(f"{part} not available: {why}")


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[clock.FrozenClock]:
    frozen = clock.FrozenClock(NOW)
    with clock.use_clock(frozen):
        yield frozen


@pytest.fixture(autouse=True, scope="session")
def cheap_hasher() -> Iterator[None]:
    previous = auth.set_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    auth.set_hasher(previous)


_pg_schema: str | None = None


def _pg_url(schema: str) -> str:
    assert PG_URL
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}schema={schema}"


def _truncate_pg() -> None:
    """Empty the tables a previous test wrote to. TRUNCATE costs file work per table, so one
    round trip first finds the tables that hold rows and only those are truncated."""
    tables = [t for t in database.get_tables() if t != "schema_migration"]
    if not tables:
        return
    probe = " UNION ALL ".join(f"SELECT '{t}' FROM (SELECT 1 FROM \"{t}\" LIMIT 1) AS x" for t in tables)
    used = [row[0] for row in database.execute_sql(probe)]
    if used:
        database.execute_sql("TRUNCATE " + ", ".join(f'"{t}"' for t in used) + " RESTART IDENTITY CASCADE")


_sqlite_template: Path | None = None


def _fresh_sqlite(tmp_path_factory: pytest.TempPathFactory, target: Path) -> str:
    """Migrate one template database per session and copy it for each test (migrating every
    test's database from scratch would dominate the suite's time)."""
    global _sqlite_template
    if _sqlite_template is None:
        template = tmp_path_factory.mktemp("template") / "template.db"
        open_database(f"sqlite:///{template}", create=True)
        database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        close_database()
        _sqlite_template = template
    shutil.copyfile(_sqlite_template, target)
    return f"sqlite:///{target}"


@dataclass(frozen=True)
class TestDatabase:
    engine: str
    url: str


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestDatabase]:
    """A fresh, migrated database; the process-wide handle is bound to it."""
    global _pg_schema
    if request.param == "sqlite":
        url = _fresh_sqlite(tmp_path_factory, tmp_path / "test.db")
        open_database(url)
    else:
        if not PG_URL:
            missing("PostgreSQL", "set GARAGE_TEST_PG_URL=postgresql://user@host:port/db to run the postgres cases")
        if _pg_schema is None:
            _pg_schema = f"garage_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        url = _pg_url(_pg_schema)
        try:
            open_database(url, create=True)
        except Exception as exc:
            missing("PostgreSQL", str(exc))
        _truncate_pg()
    yield TestDatabase(request.param, url)
    close_database()


@pytest.fixture
def db(database_url: TestDatabase) -> TestDatabase:
    """Alias: most tests only need the database to be there."""
    return database_url


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _pg_schema and PG_URL:
        with contextlib.suppress(Exception):
            open_database(PG_URL, upgrade=False)
            database.execute_sql(f'DROP SCHEMA IF EXISTS "{_pg_schema}" CASCADE')
            close_database()


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self):  # type: ignore[no-untyped-def]
        import json

        return json.loads(self.stdout)


class CliRunner:
    """Runs `garage` in-process against the test database, like a user at a shell would."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self, *args: str, stdin: str | None = None) -> CliResult:
        import cli

        out, err = io.StringIO(), io.StringIO()
        old_stdin = sys.stdin
        if stdin is not None:
            sys.stdin = io.StringIO(stdin)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = cli.run(cli.app, ["--db", self.url, *args])
        finally:
            sys.stdin = old_stdin
            open_database(self.url)  # rebind the tests' handle
        return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli(database_url: TestDatabase) -> CliRunner:
    return CliRunner(database_url.url)


def run_garage_process(
    url: str, *args: str, stdin: str | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `python cli.py` as a separate process (for races and real exit codes)."""
    full_env = {**os.environ, "GARAGE_NOW": NOW.isoformat(), **(env or {})}
    return subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "--db", url, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        cwd=ROOT,
    )
