"""Helpers for the operations tests: awkward generated data, whole-database dumps, scratch targets."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from peewee import Database

from shop.db import database, make_database, parse_url
from shop.models import AuditLog, Customer, MileageReading, Service, ServiceCategory, Setting, Staff, Vehicle
from shop.ops import schema
from tests.conftest import PG_URL

AWKWARD_NAMES = ["Jürgen Öztürk-Łukasiewicz", "O'Brien; DROP TABLE customer", "名前 テスト", 'Zoë "Zed" Ångström', ""]
PRICES = [Decimal("0.00"), Decimal("0.01"), Decimal("19.99"), Decimal("1234567.89"), Decimal("99999999.99")]


def fill(n: int = 60, *, start: datetime | None = None) -> dict[str, int]:
    """Generated rows in every foundation table: unicode, NULLs, microseconds, extreme money, id gaps."""
    base = start or datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    with database.atomic():
        Setting.delete().where(Setting.key == "shop.name").execute()
        Setting.create(key="shop.name", value="Ünïcode Garage", updated_at=base)
        Staff.create(
            username=f"u{uuid.uuid4().hex[:6]}", full_name="Ä", role="admin", password_hash="x", created_at=base
        )
        cat = ServiceCategory.create(name=f"Cat {uuid.uuid4().hex[:4]}", position=3)
        for i, price in enumerate(PRICES):
            Service.create(
                category=cat,
                name=f"Service {i} {uuid.uuid4().hex[:4]}",
                description="line one\nline two\ttab",
                duration_minutes=15 * (i + 1),
                price=price,
                requires_capability=None if i % 2 else "diagnostics",
                active=bool(i % 2),
                created_at=base + timedelta(microseconds=i * 7),
            )
        for i in range(n):
            at = base - timedelta(days=i, seconds=i * 13, microseconds=i * 101)
            customer = Customer.create(
                name=AWKWARD_NAMES[i % len(AWKWARD_NAMES)] + f" {i}",
                phone=None if i % 3 == 0 else f"+4930{i:07d}",
                email=None if i % 4 == 0 else f"c{i}.{uuid.uuid4().hex[:6]}@example.test",
                address="Straße 1\n10115 Berlin",
                notes="",
                search_text=f"c{i}",
                archived=i % 7 == 0,
                version=1 + i % 3,
                created_at=at,
                updated_at=at + timedelta(hours=1),
            )
            if i % 2 == 0:
                car = Vehicle.create(
                    customer=customer,
                    make="VW",
                    model="Golf",
                    year=None if i % 4 else 2001 + i % 20,
                    vin=None,
                    plate=f"B-OP {i}",
                    colour="blau",
                    mileage=i * 1000,
                    created_at=at,
                    updated_at=at,
                )
                MileageReading.create(vehicle=car, mileage=i * 1000, at=at, source="desk")
            AuditLog.create(
                at=at, actor="system", action="test", entity="customer", entity_id=customer.id, details="{}"
            )
        # The newest customer is deleted: the next id must still not reuse it after a move.
        last = Customer.create(
            name="gone", address="", notes="", search_text="", created_at=base, updated_at=base, version=1
        )
        last.delete_instance()
    return schema.row_counts(database.obj)


def dump(db: Database) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    """Every table, every row, in one engine-independent form, sorted: equal dumps = equal databases."""
    kinds = schema.model_kinds()
    out = {}
    for table in schema.tables_in_order(db):
        names = [c.name for c in schema.columns(db, table)]
        col_kinds = kinds.get(table, {})
        found = db.execute_sql(f"SELECT {', '.join(schema.quote(n) for n in names)} FROM {schema.quote(table)}")
        out[table] = sorted(
            (tuple(repr(schema.canonical(v, col_kinds.get(n))) for n, v in zip(names, row, strict=True)))
            for row in found.fetchall()
        )
    return out


def dump_url(url: str) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    db = make_database(parse_url(url))
    db.connect()
    try:
        return dump(db)
    finally:
        db.close()


@contextlib.contextmanager
def pg_scratch() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL schema, dropped afterwards."""
    assert PG_URL
    name = f"ops_{uuid.uuid4().hex[:10]}"
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}schema={name}"
    finally:
        admin = make_database(parse_url(PG_URL))
        admin.connect()
        admin.execute_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        admin.close()
