"""Customers & cars in the TUI: search as you type, forms with field errors, cars and mileage, history."""

from __future__ import annotations

from textual.widgets import Checkbox, DataTable, Input, Static

from garage_tui.app import GarageApp
from garage_tui.screens.appointment import AppointmentScreen
from garage_tui.screens.customers import CustomersPane
from garage_tui.screens.main import MainScreen
from garage_tui.widgets.form import FormScreen
from shop import booking, customers, vehicles
from tests import tui_fixtures
from tests.tui_fixtures import settle

tui_shop = tui_fixtures.tui_shop
tui_customers = tui_fixtures.tui_customers
tui_day = tui_fixtures.tui_day
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


async def in_annas_cars(pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Customers, Anna found, her cars table in focus, then KEYS pressed and their work done."""
    await open_customers(pilot)
    await pilot.press(*"anna", "enter")
    await settle(pilot)
    await pilot.press("right", *keys)
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


async def test_a_name_typed_without_umlauts_finds_the_customer(tui_customers) -> None:
    customers.add_customer("Jürgen Schön", phone="030 7654321")
    app = GarageApp(user=tui_customers.desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_customers(pilot)
        await pilot.press(*"schoen")
        await settle(pilot)
        assert names(app) == ["Jürgen Schön"]
        assert "Jürgen Schön" in str(app.screen.query_one("#customer-detail", Static).content)


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
        assert cars(app) == [["B CC 303", "Skoda Fabia", "55 000", "2019", ""]]


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
        assert cars(app)[0][2] == "80 000"


def cars_title(app: GarageApp) -> str:
    return str(app.screen.query_one("#cars-title", Static).content)


def notes(app: GarageApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_archived_cars_are_hidden_then_shown_dimmed_and_restored_after_confirming(tui_customers) -> None:
    transit = vehicles.find_by_plate("B-BB 203")
    vehicles.archive_vehicle(transit.id)
    app = GarageApp(user=tui_customers.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_customers(pilot)
        await pilot.press(*"bernd", "enter")
        await settle(pilot)
        assert [row[0] for row in cars(app)] == ["B BB 202"]
        assert "1 archived; a shows" in cars_title(app)
        await pilot.press("right", "a")
        await settle(pilot)
        assert cars(app)[1][:2] == ["B BB 203", "(archived) Ford Transit"]
        table = app.screen.query_one("#car-table", DataTable)
        assert "dim" in str(table.get_row_at(1)[0].style)
        assert "r restores" in cars_title(app)
        await pilot.press("r")  # on the active Astra: nothing to restore
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert any("Opel Astra B BB 202 is not archived" in n for n in notes(app))
        await pilot.press("down", "r")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        await pilot.press("escape")  # cancelled: still archived
        await settle(pilot)
        assert vehicles.get_vehicle(transit.id).archived
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert not vehicles.get_vehicle(transit.id).archived
        assert any("Ford Transit B BB 203 restored" in n for n in notes(app))
        assert cars(app)[1][:2] == ["B BB 203", "Ford Transit"]
        assert cars_title(app) == "Cars"
        assert table.get_row_at(table.cursor_row)[0] == "B BB 203"


async def test_archiving_a_car_asks_first_and_it_can_be_brought_back(tui_customers) -> None:
    app = GarageApp(user=tui_customers.desk)
    async with app.run_test(size=SIZE) as pilot:
        await in_annas_cars(pilot, "x")
        assert isinstance(app.screen, FormScreen)
        await pilot.press("enter")  # the Archive button has the focus
        await settle(pilot)
        assert vehicles.find_by_plate("B-AA 101").archived
        assert cars(app) == [] and "1 archived; a shows" in cars_title(app)
        assert app.screen.query_one("#car-table", DataTable).has_focus  # empty, but `a` still works here
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not vehicles.find_by_plate("B-AA 101").archived
        assert cars(app)[0][:2] == ["B AA 101", "VW Golf"]


async def test_restoring_a_car_of_an_archived_customer_shows_the_shops_reason(tui_customers) -> None:
    anna = customers.list_customers(search="anna")[0]
    golf = vehicles.find_by_plate("B-AA 101")
    app = GarageApp(user=tui_customers.desk)
    async with app.run_test(size=SIZE) as pilot:
        await in_annas_cars(pilot, "a")
        # Meanwhile, elsewhere: the car and then Anna archived (archived customers are not listed,
        # so only a screen opened before can get here); the pane reloads her.
        vehicles.archive_vehicle(golf.id)
        customers.archive_customer(anna.id)
        app.screen.query_one(CustomersPane).load_detail(anna.id)
        await settle(pilot)
        app.screen.query_one("#car-table", DataTable).focus()
        await pilot.press("r")
        await settle(pilot)
        form = app.screen
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(form, FormScreen) and app.screen is form
        error = str(form.query_one("#form-error", Static).content)
        assert "Anna Albers" in error and "restore the customer first" in error
        assert vehicles.get_vehicle(golf.id).archived


async def test_a_mechanic_cannot_archive_or_restore_cars(tui_customers) -> None:
    golf = vehicles.find_by_plate("B-AA 101")
    app = GarageApp(user=tui_customers.mechanic)
    async with app.run_test(size=SIZE) as pilot:
        await in_annas_cars(pilot, "x")
        assert isinstance(app.screen, MainScreen)
        assert not vehicles.get_vehicle(golf.id).archived
        assert any("may look customers up" in n for n in notes(app))


async def test_mechanic_may_look_up_but_not_add_customers(tui_customers) -> None:
    app = GarageApp(user=tui_customers.mechanic)
    async with app.run_test(size=SIZE) as pilot:
        await open_customers(pilot)
        assert names(app) == ["Anna Albers", "Bernd Brandt", "Clara Cordes"]
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert any("may look customers up" in str(n.message) for n in app._notifications)


def history(app: GarageApp) -> list[list[str]]:
    table = app.screen.query_one("#history-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def anna_with_history(day: tui_fixtures.TuiDay) -> None:
    """Anna's visit today done and invoiced (unpaid), reviewed, and another visit booked next Monday."""
    from shop import booking, invoices, jobs, reviews
    from shop.auth import Actor, Role

    visit = booking.get_appointment(day.anna_appointment)
    job = jobs.check_in(visit.id, mileage=85000)
    jobs.set_status(job.id, "in_progress")
    jobs.set_status(job.id, "completed")
    invoices.issue(jobs.create_invoice(job.id).id)
    customer = Actor(Role.CUSTOMER, "anna", customer_id=visit.customer_id)
    reviews.submit_review(visit.id, 4, "Friendly", actor=customer)
    booking.book(visit.customer_id, visit.vehicle_id, ["Brake pads"], "2026-11-30 09:00")


async def test_customer_detail_shows_visits_to_come_then_past_invoices_and_reviews(tui_day) -> None:
    anna_with_history(tui_day)
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_customers(pilot)
        await pilot.press(*"anna")
        await settle(pilot)
        rows = history(app)
        assert [row[0] for row in rows] == ["2026-11-30", "2026-11-23", "2026-11-23", "2026-11-23"]
        assert rows[0][1:] == ["09:00 Brake pads · B AA 101", "Scheduled"]
        assert rows[1][1:] == ["Oil change · B AA 101", "Completed"]
        assert rows[2][1].startswith("Invoice 2026-000001 · ") and rows[2][2] == "Unpaid"
        assert rows[3][1:] == ["Review ★★★★☆ Friendly", "Private"]
        title = str(app.screen.query_one("#history-title", Static).content)
        assert "1 upcoming · 1 past · 1 invoice, " in title and "unpaid · 1 review" in title
        await pilot.press("enter", "h")  # to the cars, then to the history
        await settle(pilot)
        assert app.screen.query_one("#history-table", DataTable).has_focus
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AppointmentScreen)
        assert app.screen.appointment_id == tui_day.anna_appointment


async def test_a_mechanic_sees_the_visits_but_no_invoices(tui_day) -> None:
    anna_with_history(tui_day)
    app = GarageApp(user=tui_day.shop.mechanic)
    async with app.run_test(size=SIZE) as pilot:
        await open_customers(pilot)
        await pilot.press(*"anna")
        await settle(pilot)
        assert [row[1] for row in history(app)] == [
            "09:00 Brake pads · B AA 101",
            "Oil change · B AA 101",
            "Review ★★★★☆ Friendly",
        ]
        assert "invoice" not in str(app.screen.query_one("#history-title", Static).content)


async def test_at_80_columns_the_history_fits_without_scrolling_sideways(tui_day) -> None:
    anna_with_history(tui_day)
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_customers(pilot)
        await pilot.press(*"anna")
        await settle(pilot)
        table = app.screen.query_one("#history-table", DataTable)
        assert table.row_count == 4
        assert table.virtual_size.width <= table.scrollable_content_region.width


async def test_archiving_a_car_with_a_booked_visit_names_it_and_goes_on_only_when_told(tui_day) -> None:
    from textual.widgets import Button

    golf = vehicles.find_by_plate("B-AA 101")
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_customers(pilot)
        await pilot.press(*"anna", "enter")
        await settle(pilot)
        for backs_out in (True, False):
            await pilot.press("right", "x")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, FormScreen)
            await pilot.press("enter")  # Archive: the shop refuses, the form asks again
            await settle(pilot)
            assert app.screen is form and not vehicles.get_vehicle(golf.id).archived
            assert str(form.query_one("#form-error", Static).content).splitlines() == [
                f"car {golf.id} (VW Golf B AA 101) has a booked visit: appointment {tui_day.anna_appointment} "
                "on Mon 23 Nov 2026 09:00 (scheduled); cancel or move it first",
                "Archive anyway: the visits stay booked as they are. Back: keep it, and cancel or move them first.",
            ]
            assert str(form.query_one("#save", Button).label) == "Archive anyway"
            back = form.query_one("#cancel", Button)
            assert str(back.label) == "Back" and back.has_focus  # a second Enter does not override
            if backs_out:
                await pilot.press("enter")
                await settle(pilot)
                assert isinstance(app.screen, MainScreen) and not vehicles.get_vehicle(golf.id).archived
                await pilot.press("left")
        await pilot.click("#save")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert vehicles.get_vehicle(golf.id).archived
        assert booking.get_appointment(tui_day.anna_appointment).status == "scheduled"
        assert any("VW Golf B AA 101 archived" in n for n in notes(app))


async def test_archiving_a_customer_with_a_booked_visit_asks_before_going_on_and_others_go_at_once(
    tui_day,
) -> None:
    from textual.widgets import Button

    anna = customers.list_customers(search="anna")[0]
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_customers(pilot)
        await pilot.press(*"clara", "enter")
        await settle(pilot)
        await pilot.press("x")  # no visits: archived at once, as before
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert customers.list_customers(search="clara", include_archived=True)[0].archived
        await pilot.press("slash", *"anna", "enter")
        await settle(pilot)
        for backs_out in (True, False):
            await pilot.press("x")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, FormScreen) and form.form_title == "Archive Anna Albers?"
            error = str(form.query_one("#form-error", Static).content)
            assert (
                f"customer {anna.id} (Anna Albers) has a booked visit: appointment {tui_day.anna_appointment} "
                "on Mon 23 Nov 2026 09:00 (scheduled, B AA 101); cancel or move it first"
            ) in error
            assert str(form.query_one("#save", Button).label) == "Archive anyway"
            assert not customers.get_customer(anna.id).archived
            await pilot.press("enter" if backs_out else "ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)
            assert customers.get_customer(anna.id).archived is not backs_out
        assert booking.get_appointment(tui_day.anna_appointment).status == "scheduled"
        assert any("Anna Albers archived" in n for n in notes(app))
