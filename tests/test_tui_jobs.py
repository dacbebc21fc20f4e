"""Jobs board in the TUI: the time clock, labour and parts forms with their field errors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from textual.widgets import DataTable

from garage_tui.app import GarageApp
from garage_tui.screens.main import MainScreen
from garage_tui.widgets.form import FormScreen
from shop import inventory, jobs
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


async def test_mechanic_clocks_on_a_checked_in_job_and_the_board_shows_it(tui_jobs) -> None:
    shop, mine, other = tui_jobs
    app = GarageApp(user=shop.mechanic)
    async with app.run_test(size=SIZE) as pilot:
        await open_jobs(pilot)
        assert [(r[0], r[1], r[3], r[4], r[5]) for r in rows(app)] == [
            (f"#{mine}", "Anna Albers", "max", "Checked in", ""),
            (f"#{other}", "Bernd Brandt", "", "Checked in", ""),
        ]
        await pilot.press("o")
        await settle(pilot)
        assert (rows(app)[0][4], rows(app)[0][5]) == ("In progress", "max")
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
