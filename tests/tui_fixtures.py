"""Fixtures for the TUI tests: a small SQLite shop built through `shop` services, frozen clock.

The TUI has no engine-specific logic, so its tests use SQLite only. The data is created here, not by
`garage init --demo`, so changes to the demo never move the snapshots.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerCancelled, WorkerFailed, WorkerState

from shop import settings, staff
from shop.db import close_database, open_database
from shop.staff import StaffMember

PASSWORDS = {"ada": "ada-admin-pass", "desk": "desk-front-pass", "max": "max-mech-pass"}


@dataclass(frozen=True)
class TuiShop:
    url: str
    admin: StaffMember
    desk: StaffMember
    mechanic: StaffMember


@pytest.fixture
def tui_shop(tmp_path: Path, frozen_clock) -> Iterator[TuiShop]:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'tui.db'}"
    open_database(url, create=True)
    settings.set_many({"shop.name": "Testwerk Garage", "shop.timezone": "Europe/Berlin", "shop.currency": "EUR"})
    admin = staff.add_staff("ada", "Ada Admin", "admin", PASSWORDS["ada"], email="ada@testwerk.example")
    desk = staff.add_staff("desk", "Dora Desk", "front_desk", PASSWORDS["desk"])
    mechanic = staff.add_staff("max", "Max Mechanic", "mechanic", PASSWORDS["max"])
    staff.reset_login_failures()
    yield TuiShop(url, admin, desk, mechanic)
    staff.reset_login_failures()
    close_database()


async def settle(pilot: Pilot) -> None:
    """Wait until every worker has finished and its result has been applied to the screen."""
    for _ in range(100):
        for worker in list(pilot.app.workers):
            try:
                await worker.wait()
            except (WorkerCancelled, WorkerFailed):
                pass
        await pilot.pause()
        if not any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in pilot.app.workers):
            for field in pilot.app.screen.query(Input):
                field.cursor_blink = False  # a blinking cursor would make snapshots depend on timing
            await pilot.pause()
            return
    raise AssertionError("workers never settled")


@pytest.fixture
def tui_customers(tui_shop: TuiShop) -> TuiShop:
    """Three customers with cars, created through the services."""
    from shop import customers, vehicles

    anna = customers.add_customer("Anna Albers", "030 1111111", "anna@example.com", "Ahornweg 1, Berlin")
    vehicles.add_vehicle(anna.id, "VW", "Golf", 2018, plate="B-AA 101", colour="blue", mileage=84000)
    bernd = customers.add_customer("Bernd Brandt", "030 2222222", "bernd@example.com")
    vehicles.add_vehicle(bernd.id, "Opel", "Astra", 2015, plate="B-BB 202", mileage=120500)
    vehicles.add_vehicle(bernd.id, "Ford", "Transit", 2020, plate="B-BB 203", mileage=40200)
    customers.add_customer("Clara Cordes", None, "clara@example.com", notes="prefers e-mail")
    return tui_shop
