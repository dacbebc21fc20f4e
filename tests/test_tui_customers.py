"""Customers & cars in the TUI: search as you type, forms with field errors, cars and mileage."""

from __future__ import annotations

from textual.widgets import Checkbox, DataTable, Input, Static

from garage_tui.app import GarageApp
from garage_tui.screens.main import MainScreen
from garage_tui.widgets.form import FormScreen
from shop import customers, vehicles
from tests import tui_fixtures
from tests.tui_fixtures import settle

tui_shop = tui_fixtures.tui_shop
tui_customers = tui_fixtures.tui_customers
SIZE = (120, 40)


def names(app: GarageApp) -> list[str]:
    table = app.screen.query_one("#customer-table", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def cars(app: GarageApp) -> list[list[str]]:
    table = app.screen.query_one("#car-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def open_customers(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("f4")
    await settle(pilot)


async def test_search_as_you_type_narrows_the_list_and_shows_the_cars(tui_customers) -> None:
    app = GarageApp(user=tui_customers.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_customers(pilot)
        assert names(app) == ["Anna Albers", "Bernd Brandt", "Clara Cordes"]
        assert app.screen.query_one("#customer-search", Input).has_focus
        await pilot.press(*"bra")
        await settle(pilot)
        assert names(app) == ["Bernd Brandt"]
        assert [row[0] for row in cars(app)] == ["B BB 202", "B BB 203"]
        assert "Bernd Brandt" in str(app.screen.query_one("#customer-detail", Static).content)


async def test_search_by_plate_fragment_finds_the_owner(tui_customers) -> None:
    app = GarageApp(user=tui_customers.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_customers(pilot)
        await pilot.press(*"aa 101")
        await settle(pilot)
        assert names(app) == ["Anna Albers"]


async def test_new_customer_shows_the_bad_field_then_saves_and_selects_it(tui_customers) -> None:
    app = GarageApp(user=tui_customers.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_customers(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.field_widget("name").value = "Dieter Dahl"
        form.field_widget("email").value = "not-an-address"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.error_text("email") != ""
        assert form.error_text("name") == ""
        form.field_widget("email").value = "dieter@example.com"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert "Dieter Dahl" in names(app)
        assert "Dieter Dahl" in str(app.screen.query_one("#customer-detail", Static).content)


async def test_duplicate_phone_is_refused_unless_confirmed(tui_customers) -> None:
    app = GarageApp(user=tui_customers.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_customers(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        form = app.screen
        form.field_widget("name").value = "Anna's Husband"
        form.field_widget("phone").value = "030 1111111"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "already belongs to customer" in str(form.query_one("#form-error", Static).content)
        form.query_one("#f-force", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert len(customers.list_customers(search="1111111")) == 2


async def test_edit_customer_from_the_list(tui_customers) -> None:
    app = GarageApp(user=tui_customers.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_customers(pilot)
        await pilot.press(*"clara", "enter")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.field_widget("address").value = "Cedernweg 3"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert customers.list_customers(search="clara")[0].address == "Cedernweg 3"
        assert "Cedernweg 3" in str(app.screen.query_one("#customer-detail", Static).content)


async def test_add_car_shows_field_errors_then_lists_it(tui_customers) -> None:
    app = GarageApp(user=tui_customers.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_customers(pilot)
        await pilot.press(*"clara", "enter")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        form.field_widget("make").value = "Skoda"
        form.field_widget("year").value = "1850"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.error_text("year") != ""
        assert form.error_text("model") != ""
        form.field_widget("model").value = "Fabia"
        form.field_widget("year").value = "2019"
        form.field_widget("plate").value = "b-cc 303"
        form.field_widget("mileage").value = "55000"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert cars(app) == [["B CC 303", "Skoda Fabia", "2019", "", "55 000"]]


async def test_lower_mileage_needs_the_correction_box(tui_customers) -> None:
    app = GarageApp(user=tui_customers.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_customers(pilot)
        await pilot.press(*"anna", "enter")
        await settle(pilot)
        await pilot.press("right")
        assert app.screen.query_one("#car-table", DataTable).has_focus
        await pilot.press("m")
        await settle(pilot)
        form = app.screen
        form.field_widget("mileage").value = "80000"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "lower than the last reading" in form.error_text("mileage")
        form.query_one("#f-force", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert vehicles.find_by_plate("B-AA 101").mileage == 80000
        assert cars(app)[0][4] == "80 000"


async def test_mechanic_may_look_up_but_not_add_customers(tui_customers) -> None:
    app = GarageApp(user=tui_customers.mechanic)
    async with app.run_test(size=SIZE) as pilot:
        await open_customers(pilot)
        assert names(app) == ["Anna Albers", "Bernd Brandt", "Clara Cordes"]
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert any("may look customers up" in str(n.message) for n in app._notifications)
