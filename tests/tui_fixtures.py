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


@dataclass(frozen=True)
class TuiDay:
    shop: TuiShop
    anna_appointment: int
    bernd_appointment: int


@pytest.fixture
def tui_day(tui_customers: TuiShop) -> TuiDay:
    """Opening hours, two bays, two services and two bookings today (Mon 23 Nov 2026, 08:00 in Berlin)."""
    from shop import booking, catalog, customers, vehicles
    from shop.scheduling import calendar

    calendar.set_hours("mon-fri", "08:00-17:00")
    calendar.add_bay("Bay 1")
    calendar.add_bay("Bay 2")
    catalog.add_category("Maintenance")
    catalog.add_service("Oil change", "Maintenance", 60, "89.00")
    catalog.add_service("Brake pads", "Maintenance", 90, "189.00")
    anna = customers.list_customers(search="anna")[0]
    bernd = customers.list_customers(search="bernd")[0]
    anna_car = vehicles.list_vehicles(customer_id=anna.id)[0]
    bernd_car = vehicles.list_vehicles(customer_id=bernd.id)[0]
    first = booking.book(anna.id, anna_car.id, ["Oil change"], "2026-11-23 09:00")
    second = booking.book(bernd.id, bernd_car.id, ["Brake pads"], "2026-11-23 10:00")
    return TuiDay(tui_customers, first.id, second.id)


@pytest.fixture
def tui_parts(tui_shop: TuiShop) -> TuiShop:
    """Three parts, one of them below its re-order level."""
    from shop import inventory

    inventory.add_part("OIL-5W30", "Engine oil 5W-30 (litre)", "12.50", "6.00", "Castrol", "10", "20", "A1")
    inventory.add_part("BRK-PAD-F", "Brake pads, front", "79.00", "35.00", "ATE", "2", "4", "B2")
    inventory.add_part("WIP-600", "Wiper blade 600 mm", "19.90", "8.00", "Bosch", "3", "6", "C3")
    inventory.receive("OIL-5W30", "40")
    inventory.receive("BRK-PAD-F", "1")
    inventory.receive("WIP-600", "8")
    return tui_shop


@dataclass(frozen=True)
class TuiReviews:
    shop: TuiShop
    good: int  # Anna: 5 stars, published
    low: int  # Bernd: 2 stars, private, wants it published once answered


@pytest.fixture
def tui_reviews(tui_day: TuiDay) -> TuiReviews:
    """Both of today's appointments completed and reviewed: a published 5 and a private 2 waiting for an answer."""
    from shop import booking, jobs, reviews
    from shop.auth import Actor, Role

    made = []
    for appointment_id, rating, comment in (
        (tui_day.anna_appointment, 5, "Quick and friendly, car ready on time."),
        (tui_day.bernd_appointment, 2, "Waited an hour past the agreed time and nobody called."),
    ):
        job = jobs.check_in(appointment_id)
        jobs.set_status(job.id, "in_progress")
        jobs.set_status(job.id, "completed")
        customer_id = booking.get_appointment(appointment_id).customer_id
        who = Actor(Role.CUSTOMER, "customer", customer_id=customer_id)
        made.append(reviews.submit_review(appointment_id, rating, comment, publish=True, actor=who).id)
    return TuiReviews(tui_day.shop, made[0], made[1])


async def run_command(pilot: Pilot, text: str) -> None:
    """Open the command palette, type TEXT and run the command once the palette lists it first.

    The palette searches in the background as keys arrive; waiting for the match itself (not a
    fixed pause) keeps this right on a slow or busy machine.
    """
    from textual.command import CommandList, CommandPalette

    await pilot.press("ctrl+p")
    for _ in range(500):
        if isinstance(pilot.app.screen, CommandPalette):
            break
        await pilot.pause(0.02)
    await pilot.press(*text)
    results = pilot.app.screen.query_one(CommandList)
    for _ in range(500):
        await pilot.pause(0.02)
        first = results.highlighted
        if first is not None and text.lower() in str(results.get_option_at_index(first).prompt).lower():
            break
    else:
        raise AssertionError(f"the command palette did not find {text!r}")
    await pilot.press("enter")


def nothing_free_near_today() -> None:
    """Today fills up (a cap of two a day) and the shop closes for the next two weeks: a time just
    taken today then has no free time near it, so a booking window must ask for another day."""
    from shop import settings
    from shop.scheduling import calendar

    settings.set_many({"schedule.day_cap": "2"})
    calendar.add_closure("2026-11-24", "2026-12-07", "renovation")
