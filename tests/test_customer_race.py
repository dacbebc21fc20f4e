"""Separate processes racing to register the same e-mail: exactly one wins, the rest get a conflict.

Plates and VINs are guarded the same way (unique index, IntegrityError turned into Conflict).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from shop import customers
from tests.conftest import run_garage_process

RACERS = 8


@pytest.mark.slow
def test_racing_processes_register_one_email_once(database_url) -> None:
    def attempt(i: int):  # type: ignore[no-untyped-def]
        return run_garage_process(
            database_url.url, "customer", "add", "--name", f"Racer {i}", "--email", "same@example.com"
        )

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        results = list(pool.map(attempt, range(RACERS)))
    assert sorted(r.returncode for r in results) == [0] + [3] * (RACERS - 1), [r.stderr for r in results]
    for loser in (r for r in results if r.returncode == 3):
        assert "same@example.com" in loser.stderr and "Traceback" not in loser.stderr
    assert len(customers.list_customers(search="same@example.com")) == 1
