"""Calendar in the TUI: day grid of bays × time, week overview, Enter books a free slot or opens a booking."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from garage_tui.app import GarageApp
from garage_tui.screens.appointment import AppointmentScreen
from garage_tui.screens.booking import BookingScreen
from garage_tui.widgets.form import FormScreen
from tests import tui_fixtures
from tests.tui_fixtures import settle

tui_shop = tui_fixtures.tui_shop
tui_customers = tui_fixtures.tui_customers
tui_day = tui_fixtures.tui_day
SIZE = (120, 40)


def grid(app: GarageApp) -> list[list[str]]:
    table = app.screen.query_one("#calendar-grid", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def title(app: GarageApp) -> str:
    return str(app.screen.query_one("#calendar-title", Static).content)


async def open_calendar(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("f3")
    await settle(pilot)


async def test_day_grid_shows_bookings_and_free_time_per_bay(tui_day) -> None:
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_calendar(pilot)
        assert title(app) == "Day · Monday 23 November 2026"
        rows = grid(app)
        assert rows[0] == ["08:00", "free", "free"]
        assert rows[2] == ["09:00", "Anna Albers", "free"]
        assert rows[4] == ["10:00", "Bernd Brandt", "free"]
        assert rows[5] == ["10:30", "  ┃", "free"]


async def test_enter_on_free_time_opens_the_booking_form_for_that_day(tui_day) -> None:
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_calendar(pilot)
        await pilot.press("right", "right")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BookingScreen)
        assert app.screen.query_one("#bk-day", Input).value == "2026-11-23"
        assert app.screen.at is not None and f"{app.screen.at:%H:%M}" == "08:00"


async def test_enter_on_a_booking_opens_it(tui_day) -> None:
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_calendar(pilot)
        await pilot.press("right", "down", "down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AppointmentScreen)
        assert app.screen.appointment_id == tui_day.anna_appointment


async def test_next_day_week_view_and_go_to_date(tui_day) -> None:
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_calendar(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert title(app) == "Day · Tuesday 24 November 2026"
        await pilot.press("w")
        await settle(pilot)
        assert title(app) == "Week · 23 Nov – 28 Nov 2026"
        nine = next(r for r in grid(app) if r[0] == "09:00")
        assert nine[1:3] == ["1/2", "0/2"]
        await pilot.press("g")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.field_widget("date").value = "someday"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.error_text("date") != ""
        form.field_widget("date").value = "2026-11-30"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert title(app) == "Week · 30 Nov – 05 Dec 2026"


async def test_at_80_columns_every_bay_and_every_day_is_in_view(tui_day) -> None:
    from shop.scheduling import calendar

    calendar.add_bay("Bay 3")
    calendar.add_bay("Alignment")
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_calendar(pilot)
        table = app.screen.query_one("#calendar-grid", DataTable)
        assert [str(c.label) for c in table.columns.values()] == ["Time", "Bay 1", "Bay 2", "Bay 3", "Alignment"]
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert grid(app)[2][1] == "Anna Albers"
        await pilot.press("w")
        await settle(pilot)
        assert [str(c.label) for c in table.columns.values()][1:] == [
            "Mon 23", "Tue 24", "Wed 25", "Thu 26", "Fri 27", "Sat 28"
        ]  # fmt: skip
        assert table.virtual_size.width <= table.scrollable_content_region.width
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert str(list(table.columns.values())[1].label) == "Mon 23 Nov"  # room again for the month
