"""Jobs board in the TUI: the time clock, labour and parts forms with their field errors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from textual.widgets import DataTable, Static

from garage_tui.app import GarageApp
from garage_tui.screens.appointment import AppointmentScreen
from garage_tui.screens.help import HelpScreen
from garage_tui.screens.main import MainScreen
from garage_tui.widgets.form import FormScreen
from shop import booking, inventory, jobs
from shop.scheduling import calendar
from tests import tui_fixtures
from tests.tui_fixtures import settle

tui_shop = tui_fixtures.tui_shop
tui_customers = tui_fixtures.tui_customers
tui_day = tui_fixtures.tui_day
tui_parts = tui_fixtures.tui_parts
SIZE = (130, 40)


@pytest.fixture
def tui_jobs(tui_day, tui_parts):  # type: ignore[no-untyped-def]
    """Bernd's car checked in for the desk (no mechanic), Anna's for Max: Max's job must come first."""
    other = jobs.check_in(tui_day.bernd_appointment, mileage="120600", complaint="brakes squeal")
    mine = jobs.check_in(tui_day.anna_appointment, mileage="84100", complaint="oil light on", mechanic="max")
    return tui_day.shop, mine.id, other.id


def rows(app: GarageApp) -> list[list[str]]:
    table = app.screen.query_one("#jobs-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def open_jobs(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("f5")
    await settle(pilot)


async def test_mechanic_clocks_on_a_checked_in_job_and_the_board_shows_him_by_full_name(tui_jobs) -> None:
    shop, mine, other = tui_jobs
    app = GarageApp(user=shop.mechanic)
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(pilot)
        assert [(r[0], r[1], r[3], r[4], r[5]) for r in rows(app)] == [
            (f"#{mine}", "Anna Albers", "Max Mechanic", "Checked in", ""),
            (f"#{other}", "Bernd Brandt", "", "Checked in", ""),
        ]
        await pilot.press("o")
        await settle(pilot)
        assert (rows(app)[0][4], rows(app)[0][5]) == ("In progress", "Max Mechanic")
        assert [t.mechanic for t in jobs.get_job(mine).time if t.ended_at is None] == ["max"]
        await pilot.press("o")  # the same key clocks off again
        await settle(pilot)
        assert rows(app)[0][5] == ""
        assert all(t.ended_at is not None for t in jobs.get_job(mine).time)


async def test_labour_with_hours_abc_shows_the_field_error_and_stores_nothing(tui_jobs) -> None:
    shop, mine, _ = tui_jobs
    app = GarageApp(user=shop.mechanic)
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(pilot)
        await pilot.press("l")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.field_widget("description").value = "Replace oil filter"
        form.field_widget("hours").value = "abc"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and form.error_text("hours") != ""
        assert jobs.get_job(mine).labour == ()
        form.field_widget("hours").value = "1.5"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert [(x.description, x.hours, x.mechanic) for x in jobs.get_job(mine).labour] == [
            ("Replace oil filter", Decimal("1.50"), "max")
        ]


async def test_labour_without_hours_says_the_hours_are_missing_not_that_nothing_is_a_number(tui_jobs) -> None:
    shop, mine, _ = tui_jobs
    app = GarageApp(user=shop.mechanic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_jobs(pilot)
        await pilot.press("l")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        await pilot.press("ctrl+s")  # the work is prefilled ("Labour"), the hours are not
        await settle(pilot)
        assert app.screen is form
        assert form.error_text("hours") == "must not be empty"
        assert jobs.get_job(mine).labour == ()


async def test_using_more_parts_than_in_stock_shows_the_reason(tui_jobs) -> None:
    shop, mine, _ = tui_jobs
    app = GarageApp(user=shop.mechanic)
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(pilot)
        await pilot.press("p")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.field_widget("sku").value = "brake pads"
        form.field_widget("quantity").value = "3"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        shown = str(form.query_one("#form-error").content)
        assert "not enough BRK-PAD-F in stock: 1 on hand, 3 needed" in shown
        assert inventory.get_part("BRK-PAD-F").on_hand == Decimal("1.00")
        assert jobs.get_job(mine).parts == ()
        form.field_widget("quantity").value = "1"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert [(p.sku, p.quantity) for p in jobs.get_job(mine).parts] == [("BRK-PAD-F", Decimal("1.00"))]
        assert inventory.get_part("BRK-PAD-F").on_hand == Decimal("0.00")


async def test_booking_a_part_names_the_part_and_how_many_in_the_notice(tui_jobs) -> None:
    shop, mine, _ = tui_jobs
    app = GarageApp(user=shop.mechanic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_jobs(pilot)
        await pilot.press("p")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.field_widget("sku").value = "oil-5w30"
        form.field_widget("quantity").value = "2"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert [n.message for n in app._notifications][-1] == (
            f"2 × Engine oil 5W-30 (litre) (OIL-5W30) booked to job #{mine}."
        )


async def test_note_and_next_status_from_the_board(tui_jobs) -> None:
    shop, mine, _ = tui_jobs
    app = GarageApp(user=shop.mechanic)
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.error_text("text") != ""
        app.screen.field_widget("text").value = "filter housing cracked"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [n.text for n in jobs.get_job(mine).notes] == ["filter housing cracked"]
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("ctrl+s")  # the first next step: in progress
        await settle(pilot)
        assert jobs.get_job(mine).status == "in_progress"
        assert rows(app)[0][4] == "In progress"
        assert [n.message for n in app._notifications][-1] == f"Job #{mine} (Anna Albers): In progress."


async def test_completing_a_job_says_so_although_the_job_leaves_the_board(tui_jobs) -> None:
    shop, mine, _ = tui_jobs
    jobs.set_status(mine, "in_progress")
    app = GarageApp(user=shop.mechanic)
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(pilot)
        await pilot.press("s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.field_widget("status").value = "completed"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert jobs.get_job(mine).status == "completed"
        assert f"#{mine}" not in [r[0] for r in rows(app)]
        assert [n.message for n in app._notifications][-1] == f"Job #{mine} (Anna Albers): Completed."


# ---------------------------------------------------------------- assigning a mechanic


async def test_desk_assigns_a_mechanic_from_the_board_and_sees_the_reason_when_he_is_not_working(tui_jobs) -> None:
    shop, _, other = tui_jobs
    calendar.set_mechanic_hours("max", "mon", "08:00-10:00")
    app = GarageApp(user=shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(pilot)
        table = app.screen.query_one("#jobs-table", DataTable)
        table.move_cursor(row=[r[0] for r in rows(app)].index(f"#{other}"))
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.field_widget("mechanic").value == "-"  # nobody yet
        form.field_widget("mechanic").value = str(shop.mechanic.id)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert form.error_text("mechanic") == (
            "Max Mechanic does not work Mon 23 Nov 10:00-11:30 (works 08:00-10:00 that day)"
        )
        assert jobs.get_job(other).mechanic is None
        calendar.set_mechanic_hours("max", "mon", "08:00-17:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert jobs.get_job(other).mechanic == "max"
        assert {r[0]: r[3] for r in rows(app)}[f"#{other}"] == "Max Mechanic"


def summary(app: GarageApp) -> str:
    return str(app.screen.query_one("#jobs-summary", Static).content)


async def help_rows(pilot) -> list[list[str]]:  # type: ignore[no-untyped-def]
    await pilot.press("f1")
    await pilot.pause()
    assert isinstance(pilot.app.screen, HelpScreen)
    table = pilot.app.screen.query_one("#help-table", DataTable)
    found = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
    await pilot.press("escape")
    return found


async def test_a_mechanic_is_not_offered_assign_and_its_key_does_nothing(tui_jobs) -> None:
    shop, _, other = tui_jobs
    app = GarageApp(user=shop.mechanic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_jobs(pilot)
        assert summary(app).endswith("s status") and "a assign" not in summary(app)
        assert "a" not in app.screen.active_bindings  # the footer lists only active bindings
        assert ["Jobs", "a", "Assign mechanic"] not in await help_rows(pilot)
        table = app.screen.query_one("#jobs-table", DataTable)
        table.move_cursor(row=[r[0] for r in rows(app)].index(f"#{other}"))
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert jobs.get_job(other).mechanic is None


async def test_the_desk_is_offered_assign_on_the_jobs_board(tui_jobs) -> None:
    shop, _, _ = tui_jobs
    app = GarageApp(user=shop.desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_jobs(pilot)
        assert summary(app).endswith("s status · a assign")
        assert app.screen.active_bindings["a"].binding.description == "Assign mechanic"
        assert ["Jobs", "a", "Assign mechanic"] in await help_rows(pilot)


async def test_assigning_a_busy_mechanic_on_the_appointment_screen_names_the_other_appointment(tui_day) -> None:
    shop = tui_day.shop
    booking.assign_mechanic(tui_day.anna_appointment, "max")
    moved = booking.reschedule(tui_day.bernd_appointment, "2026-11-23 09:30")  # second bay, overlapping Anna's
    app = GarageApp(user=shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(AppointmentScreen(moved.id))
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.field_widget("mechanic").value = str(shop.mechanic.id)
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown = str(form.query_one("#form-error").content)
        assert f"Max Mechanic already has appointment #{tui_day.anna_appointment} (Anna Albers)" in shown
        form.field_widget("mechanic").value = "-"
        await pilot.press("ctrl+s")  # nobody: nothing to change
        await settle(pilot)
        assert isinstance(app.screen, AppointmentScreen)
        booking.assign_mechanic(tui_day.anna_appointment, None)
        await pilot.press("m")
        await settle(pilot)
        app.screen.field_widget("mechanic").value = str(shop.mechanic.id)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AppointmentScreen)
        assert "Max Mechanic" in str(app.screen.query_one("#appointment-detail").content)
        assert booking.get_appointment(moved.id).mechanic == "Max Mechanic"


async def test_at_80_columns_the_status_of_every_job_is_in_view(tui_jobs) -> None:
    shop, _, _ = tui_jobs
    app = GarageApp(user=shop.desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_jobs(pilot)
        table = app.screen.query_one("#jobs-table", DataTable)
        columns = list(table.columns.values())
        labels = [str(c.label) for c in columns]
        through_status = columns[: labels.index("Status") + 1]
        assert sum(c.get_render_width(table) for c in through_status) <= table.scrollable_content_region.width
