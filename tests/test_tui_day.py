"""The issue's proof: a whole working day at the front desk, through the TUI alone, on the demo shop.

Log in, find a customer, book a free slot from the calendar and see it there, check the car in, start
the work, use a part, complete it, invoice the job, issue the invoice, take the payment, see the
day's revenue in the reports (admin); and a mechanic cannot open Admin. The clock is frozen at
Monday 23 November 2026, 08:00 in Berlin (the demo's "today"). Every step is a key press or a form
a person would fill in; the checks read back through `shop`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from textual.widgets import DataTable, SelectionList, Static

from garage_tui.app import GarageApp
from garage_tui.screens.appointment import AppointmentScreen
from garage_tui.screens.booking import BookingScreen
from garage_tui.screens.document import InvoiceScreen
from garage_tui.screens.main import MainScreen
from garage_tui.widgets.form import FormScreen
from shop import booking, catalog, clock, customers, demo, inventory, invoices, jobs, reports, staff, vehicles
from shop.customers import Customer
from shop.db import close_database, open_database
from tests.tui_fixtures import settle

SIZE = (120, 40)
TODAY = "2026-11-23"


@pytest.fixture
def demo_shop(tmp_path: Path, frozen_clock) -> Iterator[Customer]:  # type: ignore[no-untyped-def]
    """`garage init --demo` (built through `shop.demo`), and the customer who calls today: one car, no visit today."""
    open_database(f"sqlite:///{tmp_path / 'demo.db'}", create=True)
    demo.load()
    staff.reset_login_failures()
    busy = {a.customer_id for a in booking.list_appointments(day=TODAY)}
    caller = next(
        c
        for c in customers.list_customers(limit=200)
        if c.id not in busy and len(vehicles.list_vehicles(customer_id=c.id)) == 1
    )
    yield caller
    close_database()


def cells(app: GarageApp, selector: str) -> list[list[str]]:
    table = app.screen.query_one(selector, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def log_in(pilot, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press(*username, "enter", *password, "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, MainScreen), f"{username} could not log in"


async def save_form(pilot, **values: str) -> None:  # type: ignore[no-untyped-def]
    form = pilot.app.screen
    assert isinstance(form, FormScreen)
    for name, value in values.items():
        form.field_widget(name).value = value
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert pilot.app.screen is not form, form.query_one("#form-error", Static).content


def select_row(app: GarageApp, selector: str, key: int) -> None:
    table = app.screen.query_one(selector, DataTable)
    table.focus()
    table.move_cursor(row=table.get_row_index(str(key)))


async def test_a_whole_day_at_the_front_desk_from_booking_to_revenue(demo_shop: Customer) -> None:
    caller = demo_shop
    car = vehicles.list_vehicles(customer_id=caller.id)[0]
    service = min(catalog.list_services(), key=lambda s: (s.duration_minutes, s.id))
    oil = next(p for p in inventory.list_parts() if p.sku == "OIL-5W30")
    revenue_before = reports.revenue(TODAY, TODAY, by="day")
    app = GarageApp()
    async with app.run_test(size=SIZE) as pilot:
        # 1. The receptionist logs in and finds the customer who calls.
        await log_in(pilot, "desk", "desk-demo-pass")
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press(*caller.name.split()[-1].lower())
        await settle(pilot)
        found = [str(r[0]) for r in cells(app, "#customer-table")]
        assert caller.name in found
        select_row(app, "#customer-table", caller.id)
        await settle(pilot)
        assert caller.name in str(app.screen.query_one("#customer-detail", Static).content)

        # 2. A free half hour later this morning, picked on the calendar's day grid.
        await pilot.press("f3")
        await settle(pilot)
        calendar = app.screen.query_one("#pane-calendar")
        soon = clock.now() + timedelta(minutes=30)
        (row, column), at = min(
            ((place, when) for place, when in calendar.cells.items() if isinstance(when, datetime) and when >= soon),
            key=lambda item: (item[1], item[0][1]),
        )
        grid = app.screen.query_one("#calendar-grid", DataTable)
        grid.focus()
        grid.move_cursor(row=row, column=column)
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, BookingScreen)
        await pilot.press(*caller.name)
        await settle(pilot)
        await pilot.press("enter", "enter")  # to the list, pick the customer (their only car is preselected)
        await settle(pilot)
        assert form.customer is not None and form.customer.id == caller.id
        form.query_one("#bk-services", SelectionList).select(service.id)
        await pilot.press("ctrl+t")
        await settle(pilot)
        slots = form.query_one("#bk-slots", DataTable)
        assert form.slots[slots.cursor_row].start == at  # the time picked on the calendar is offered first
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        (visit,) = booking.list_appointments(customer_id=caller.id, day=TODAY)
        assert (visit.start, visit.vehicle_id, visit.status) == (at, car.id, "scheduled")

        # 3. ... and it is on the calendar, in that bay at that time.
        assert calendar.cells[(row, column)].id == visit.id
        assert cells(app, "#calendar-grid")[row][column] == caller.name

        # 4. The car arrives: check in from the Today board, start the work.
        await pilot.press("f2")
        await settle(pilot)
        select_row(app, "#today-table", visit.id)
        await pilot.press("i")
        await settle(pilot)
        await save_form(pilot, mileage=str((car.mileage or 0) + 1200), complaint="oil change due")
        await pilot.press("s")
        await settle(pilot)
        assert booking.get_appointment(visit.id).status == "in_progress"

        # 5. The mechanic's part goes on the job (Jobs board), then the job is completed (Today).
        job = jobs.job_for_appointment(visit.id)
        await pilot.press("f5")
        await settle(pilot)
        select_row(app, "#jobs-table", job.id)
        await pilot.press("p")
        await settle(pilot)
        await save_form(pilot, sku="OIL-5W30", quantity="4")
        assert [(p.sku, p.quantity) for p in jobs.get_job(job.id).parts] == [("OIL-5W30", Decimal("4.00"))]
        assert inventory.get_part("OIL-5W30").on_hand == oil.on_hand - 4
        await pilot.press("f2")
        await settle(pilot)
        select_row(app, "#today-table", visit.id)
        await pilot.press("c")
        await settle(pilot)
        assert booking.get_appointment(visit.id).status == "completed"
        today_row = cells(app, "#today-table")[app.screen.query_one("#today-table", DataTable).cursor_row]
        assert today_row[-1] == "Completed"

        # 6. Bill it: the appointment's invoice (its service and the part), issued, paid in full.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AppointmentScreen)
        await pilot.press("v")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, InvoiceScreen)
        draft = invoices.get_invoice(editor.document_id)
        assert {line.description for line in draft.lines} >= {service.name}
        assert any(line.kind == "part" for line in draft.lines)
        await pilot.press("i")
        await settle(pilot)
        issued = invoices.get_invoice(editor.document_id)
        assert issued.status == "issued" and issued.number and issued.issue_date.isoformat() == TODAY
        await pilot.press("p")
        await settle(pilot)
        await save_form(pilot, method="card")
        paid = invoices.get_invoice(editor.document_id)
        assert (paid.status, paid.due, [p.amount for p in paid.payments]) == ("paid", 0, [issued.totals.total])
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)

        # 7. The owner sees the day's revenue (issued and paid) in the reports.
        await pilot.press("ctrl+l")
        await settle(pilot)
        await log_in(pilot, "admin", "admin-demo-pass")
        await pilot.press("f10")
        await settle(pilot)
        (row_today,) = [r for r in cells(app, "#revenue-table") if r[0] == TODAY]
        before_total = revenue_before[0].total if revenue_before else Decimal("0.00")
        before_paid = revenue_before[0].paid if revenue_before else Decimal("0.00")
        assert Decimal(row_today[5].replace(",", "")) == before_total + issued.totals.total
        assert Decimal(row_today[6].replace(",", "")) == before_paid + issued.totals.total


async def test_a_mechanic_of_the_demo_shop_cannot_open_admin(demo_shop: Customer) -> None:
    app = GarageApp()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mara", "mara-demo-pass")
        assert "admin" not in [a.key for a in app.screen.areas]
        await pilot.press("f9")
        await settle(pilot)
        assert not app.screen.query("#pane-admin")
        assert any("Admin is not available to your role" in str(n.message) for n in app._notifications)
