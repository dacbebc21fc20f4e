"""Creating a shop database: schema, optional demo data, and no half-made file on failure.

`make run` creates `shop.db` only when it is absent, so a failed first run must not leave an
empty or half-filled file behind that the next run would take for a working shop.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from shop import migrations
from shop.db import close_database, configured_url, open_database, parse_url
from shop.errors import Conflict
from shop.models import Customer, Staff


@dataclass(frozen=True)
class InitResult:
    database: str
    version: int
    created: bool
    logins: list[dict[str, str]]


def _has_data() -> bool:
    return Staff.select().exists() or Customer.select().exists()


def initialise(url: str | None = None, with_demo: bool = False) -> InitResult:
    """Create (or upgrade) the schema at URL; with_demo fills a new, empty database with the demo shop."""
    target = parse_url(configured_url(url))
    new_file = target.engine == "sqlite" and target.path != ":memory:" and not Path(target.path).exists()
    try:
        open_database(url, create=True, upgrade=False)
        had_schema = bool(migrations.status().applied)
        migrations.upgrade()
        has_data = had_schema and _has_data()
        logins: list[dict[str, str]] = []
        if with_demo:
            if has_data:
                raise Conflict(f"{target.display} already holds data; demo data goes into a new, empty database only")
            from shop import demo  # faker and the demo steps: only for --demo, not on every `garage` start

            logins = demo.load()
    except BaseException:
        if new_file:
            close_database()
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(FileNotFoundError):
                    Path(target.path + suffix).unlink()
        raise
    return InitResult(target.display, migrations.status().version, not had_schema, logins)
