"""Parts & stock in the TUI: low-stock marks, receive and adjust with field errors, role limits."""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import DataTable

from garage_tui.app import GarageApp
from garage_tui.screens.main import MainScreen
from garage_tui.widgets.form import FormScreen
from shop import inventory
from tests import tui_fixtures
from tests.tui_fixtures import settle

tui_shop = tui_fixtures.tui_shop
tui_parts = tui_fixtures.tui_parts
SIZE = (120, 40)


def rows(app: GarageApp) -> list[list[str]]:
    table = app.screen.query_one("#parts-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def open_parts(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("f6")
    await settle(pilot)


async def test_parts_list_marks_low_stock_and_filters_to_it(tui_parts) -> None:
    app = GarageApp(user=tui_parts.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_parts(pilot)
        assert [(r[0], r[2], r[6]) for r in rows(app)] == [
            ("BRK-PAD-F", "1.00", "LOW"),
            ("OIL-5W30", "40.00", ""),
            ("WIP-600", "8.00", ""),
        ]
        await pilot.press("l")
        await settle(pilot)
        assert [r[0] for r in rows(app)] == ["BRK-PAD-F"]


async def test_receive_adds_to_on_hand(tui_parts) -> None:
    app = GarageApp(user=tui_parts.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_parts(pilot)
        await pilot.press("r")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.field_widget("quantity").value = "lots"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.error_text("quantity") != ""
        form.field_widget("quantity").value = "4"
        form.field_widget("reference").value = "LS-2211"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert inventory.get_part("BRK-PAD-F").on_hand == Decimal("5.00")
        assert rows(app)[0][2] == "5.00" and rows(app)[0][6] == ""


async def test_adjust_needs_a_reason(tui_parts) -> None:
    app = GarageApp(user=tui_parts.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_parts(pilot)
        await pilot.press("down", "a")
        await settle(pilot)
        form = app.screen
        form.field_widget("quantity").value = "-1"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "needs a reason" in form.error_text("reason")
        form.field_widget("reason").value = "spilled"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert inventory.get_part("OIL-5W30").on_hand == Decimal("39.00")


async def test_mechanic_sees_stock_but_cannot_receive(tui_parts) -> None:
    app = GarageApp(user=tui_parts.mechanic)
    async with app.run_test(size=SIZE) as pilot:
        await open_parts(pilot)
        assert len(rows(app)) == 3
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert any("may not receive" in str(n.message) for n in app._notifications)
