"""A database built at the first schema version, filled, then upgraded to the latest loses nothing."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from shop import catalog, customers, migrations, settings, staff, vehicles
from shop.db import close_database, database, is_postgres, open_database
from tests.conftest import PG_URL, missing

FIRST = "m0001_foundation"


@pytest.fixture(params=["sqlite", "postgres"])
def first_version_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database at schema version 1 only (no later migration applied)."""
    schema = None
    if request.param == "sqlite":
        path = tmp_path / "old.db"
        path.touch()
        url = f"sqlite:///{path}"
    else:
        if not PG_URL:
            missing("PostgreSQL", "set GARAGE_TEST_PG_URL to run the postgres cases")
        schema = f"garage_mig_{uuid.uuid4().hex[:8]}"
        url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}schema={schema}"
    open_database(url, upgrade=False)
    migrations.upgrade(until=FIRST)
    yield url
    if schema:
        with contextlib.suppress(Exception):
            database.execute_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    close_database()


def _sql(statement: str, *params: object) -> None:
    p = "%s" if is_postgres() else "?"
    database.execute_sql(statement.replace("?", p), params)


def _fill_version_1() -> None:
    """Rows written with version-1 SQL only, the way a shop running the first release stored them."""
    ts = "2026-01-15 09:30:00.000000" if not is_postgres() else "2026-01-15 09:30:00"
    true = True if is_postgres() else 1
    false = False if is_postgres() else 0
    _sql("INSERT INTO setting (key, value, updated_at) VALUES (?, ?, ?)", "shop.name", "Old Garage", ts)
    _sql(
        "INSERT INTO staff (username, full_name, role, password_hash, email, active, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        "sabine", "Sabine Kessler", "admin", "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo", None,
        true, ts,
    )  # fmt: skip
    _sql(
        "INSERT INTO customer (name, phone, email, address, notes, search_text, archived, version, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "Anna Müller", "+49301234567", "anna@example.com", "Hauptstr. 1", "VIP", "anna müller | 49301234567",
        false, 3, ts, ts,
    )  # fmt: skip
    _sql(
        "INSERT INTO vehicle (customer_id, make, model, year, vin, plate, colour, mileage, archived, version, "
        "created_at, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "Honda", "Accord", 2003, "1HGCM82633A004352", "B AM 1", "blue", 120000, false, 1, ts, ts,
    )  # fmt: skip
    _sql("INSERT INTO mileage_reading (vehicle_id, mileage, at, source) VALUES (1, ?, ?, ?)", 120000, ts, "manual")
    _sql("INSERT INTO service_category (name, position) VALUES (?, ?)", "Maintenance", 1)
    _sql(
        "INSERT INTO service (category_id, name, description, duration_minutes, price, requires_capability, "
        "active, created_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
        "Oil change", "Oil and filter", 45, 8990, None, true, ts,
    )  # fmt: skip
    _sql(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, details) VALUES (?, ?, ?, ?, ?, ?)",
        ts, "system:system", "customer.add", "customer", 1, "{}",
    )  # fmt: skip


def test_upgrade_from_the_first_version_keeps_every_row(first_version_db: str) -> None:
    assert migrations.status().version == 1
    _fill_version_1()
    applied = migrations.upgrade()
    state = migrations.status()
    assert state.pending == []
    assert applied == [name for name, _ in migrations.available() if name != FIRST]

    assert settings.get("shop.name") == "Old Garage"
    assert staff.get_staff("sabine").full_name == "Sabine Kessler"
    anna = customers.get_customer(1)
    assert (anna.name, anna.phone, anna.email, anna.notes, anna.version) == (
        "Anna Müller", "+49301234567", "anna@example.com", "VIP", 3,
    )  # fmt: skip
    car = vehicles.get_vehicle(1)
    assert (car.plate, car.vin, car.mileage, car.customer_id) == ("B AM 1", "1HGCM82633A004352", 120000, 1)
    assert [h.mileage for h in vehicles.mileage_history(1)] == [120000]
    oil = catalog.get_service("Oil change")
    assert (oil.price, oil.duration_minutes, oil.category) == (Decimal("89.90"), 45, "Maintenance")

    # The upgraded database works like a new one: services write and read across old and new rows.
    ben = customers.add_customer("Ben", email="ben@example.com")
    assert ben.id == 2
    vehicles.record_mileage(1, 125000)
    assert vehicles.get_vehicle(1).mileage == 125000
    assert [c.name for c in customers.list_customers(search="anna")] == ["Anna Müller"]


def test_upgrade_twice_applies_nothing_the_second_time(first_version_db: str) -> None:
    first = migrations.upgrade()
    assert migrations.upgrade() == []
    assert FIRST not in first
