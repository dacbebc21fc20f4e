"""Today board, appointment screen and booking form in the TUI."""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import DataTable, Input, Select, SelectionList, Static

from garage_tui.app import GarageApp
from garage_tui.screens.appointment import AppointmentScreen
from garage_tui.screens.booking import BookingScreen
from garage_tui.screens.main import MainScreen
from garage_tui.widgets.form import FormScreen
from shop import booking, customers, invoices, vehicles
from tests import tui_fixtures
from tests.tui_fixtures import settle

tui_shop = tui_fixtures.tui_shop
tui_customers = tui_fixtures.tui_customers
tui_day = tui_fixtures.tui_day
SIZE = (120, 40)


def rows(app: GarageApp, selector: str = "#today-table") -> list[list[str]]:
    table = app.screen.query_one(selector, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def booking_form_for(pilot, search: str) -> BookingScreen:  # type: ignore[no-untyped-def]
    """The booking form (`b` on Today) with the customer found by SEARCH picked, their car and the first service."""
    await settle(pilot)
    await pilot.press("b")
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, BookingScreen)
    await pilot.press(*search)
    await settle(pilot)
    await pilot.press("enter", "enter")
    await settle(pilot)
    form.query_one("#bk-services", SelectionList).select(next(iter(form.services)))
    return form


async def test_today_lists_the_days_appointments_per_bay(tui_day) -> None:
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert rows(app) == [
            ["Bay 1", "09:00–10:00", "Anna Albers", "VW Golf (B AA 101)", "Oil change", "Scheduled"],
            ["Bay 1", "10:00–11:30", "Bernd Brandt", "Opel Astra (B BB 202)", "Brake pads", "Scheduled"],
        ]
        title = str(app.screen.query_one("#today-title", Static).content)
        assert title == "Monday 23 November 2026 · open 08:00–17:00"
        assert str(app.screen.query_one("#today-summary", Static).content).startswith("due 2 · checked in 0")


def summary(app: GarageApp) -> str:
    return str(app.screen.query_one("#today-summary", Static).content)


async def test_the_desk_sees_unpaid_invoices_and_todays_revenue_change_when_an_invoice_is_issued_and_paid(
    tui_day,
) -> None:
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert summary(app).endswith("unpaid invoices 0 · 0.00 due · today's revenue 0.00")
        anna = customers.list_customers(search="anna")[0]
        draft = invoices.create_invoice(anna.id)
        invoices.add_line(draft.id, "other", description="Brake check", unit_price="1000.00")
        issued = invoices.issue(draft.id)
        await pilot.press("ctrl+r")
        await settle(pilot)
        total = issued.totals.total
        assert total > Decimal("1000.00")  # tax on top of the net
        assert summary(app).endswith(f"unpaid invoices 1 · {total:,.2f} due · today's revenue 1,000.00")
        invoices.pay(issued.id, total - Decimal("100.00"))
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert summary(app).endswith("unpaid invoices 1 · 100.00 due · today's revenue 1,000.00")
        invoices.pay(issued.id, "100.00")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert summary(app).endswith("unpaid invoices 0 · 0.00 due · today's revenue 1,000.00")


async def test_a_mechanic_sees_the_day_but_no_money(tui_day) -> None:
    anna = customers.list_customers(search="anna")[0]
    draft = invoices.create_invoice(anna.id)
    invoices.add_line(draft.id, "other", description="Brake check", unit_price="100.00")
    invoices.issue(draft.id)
    app = GarageApp(user=tui_day.shop.mechanic)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        line = summary(app)
        assert line.startswith("due 2 · checked in 0")
        assert "invoices" not in line and "revenue" not in line and "100.00" not in line


async def test_at_80_columns_the_board_keeps_status_visible_and_shows_services_again_when_wide(tui_day) -> None:
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#today-table", DataTable)
        assert [str(c.label) for c in table.columns.values()] == ["Bay", "Time", "Customer", "Car", "Status"]
        assert rows(app)[0] == ["Bay 1", "09:00–10:00", "Anna Albers", "B AA 101 VW Golf", "Scheduled"]
        assert table.virtual_size.width <= table.scrollable_content_region.width  # no horizontal scrolling
        table.move_cursor(row=1)
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert rows(app)[1][3:] == ["Opel Astra (B BB 202)", "Brake pads", "Scheduled"]
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert table.cursor_row == 1  # the selection survives the new layout


async def test_check_in_start_and_complete_from_the_board(tui_day) -> None:
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#today-table", DataTable).has_focus
        await pilot.press("i")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.field_widget("mileage").value = "85000"
        form.field_widget("complaint").value = "squeaks when braking"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert booking.get_appointment(tui_day.anna_appointment).status == "checked_in"
        assert vehicles.find_by_plate("B-AA 101").mileage == 85000
        await pilot.press("s")
        await settle(pilot)
        assert booking.get_appointment(tui_day.anna_appointment).status == "in_progress"
        await pilot.press("c")
        await settle(pilot)
        assert booking.get_appointment(tui_day.anna_appointment).status == "completed"
        assert rows(app)[0][5] == "Completed"


async def test_a_step_that_is_not_allowed_says_why_and_changes_nothing(tui_day) -> None:
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert booking.get_appointment(tui_day.anna_appointment).status == "scheduled"
        assert any("not possible now" in str(n.message) for n in app._notifications)


async def test_appointment_screen_shows_details_timeline_and_moves_status(tui_day) -> None:
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AppointmentScreen)
        detail = str(screen.query_one("#appointment-detail", Static).content)
        assert "Anna Albers" in detail and "Oil change" in detail and "89.00" in detail
        assert rows(app, "#timeline-table")[0][2] == "booked"
        await pilot.click("#to-no_show")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "no-show can only be recorded" in str(app.screen.query_one("#form-error", Static).content)


async def test_appointment_window_at_80x24_shows_its_keys_and_the_history_in_status_words(tui_day) -> None:
    from textual.widgets._footer import FooterKey

    from shop import jobs

    jobs.check_in(tui_day.anna_appointment, complaint="warning light on since yesterday")
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AppointmentScreen)
        # No button offers these: the modal's own footer must, or nobody finds reschedule or invoice.
        shown = {(k.key, k.description) for k in screen.query(FooterKey) if k.region.height}
        assert {("r", "Reschedule"), ("m", "Assign mechanic"), ("q", "New quote"), ("v", "Invoice the job")} <= shown
        history = rows(app, "#timeline-table")
        assert [r[2] for r in history] == ["booked", "Scheduled → Checked in"]
        assert history[1][3] == "warning light on since yesterday"  # the column cuts it with "…" where narrow
        table = screen.query_one("#timeline-table", DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width  # every column in view


async def open_move_window(pilot):  # type: ignore[no-untyped-def]
    """Anna's appointment (the first row of Today) opened, then r: the window that moves it."""
    from garage_tui.screens.booking import RescheduleScreen

    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("r")
    await settle(pilot)
    window = pilot.app.screen
    assert isinstance(window, RescheduleScreen)
    return window


async def test_reschedule_by_picking_a_free_time_moves_it_and_the_history_shows_the_move(tui_day) -> None:
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=(80, 24)) as pilot:
        window = await open_move_window(pilot)
        starts = [f"{s.start:%d %H:%M}" for s in window.slots]
        assert starts[0] == "23 08:00" and "23 09:00" not in starts  # its own time is not offered
        assert "23 09:30" in starts  # overlapping only its own time: free
        assert window.query_one("#rs-slots").has_focus
        await pilot.press("down", "enter")  # the second free time
        await settle(pilot)
        moved = booking.get_appointment(tui_day.anna_appointment)
        assert f"{moved.start:%d %H:%M}" == starts[1]
        assert isinstance(app.screen, AppointmentScreen)
        assert [r[2] for r in rows(app, "#timeline-table")] == ["booked", "rescheduled"]
        assert f"Moved Anna Albers to Mon 23 Nov {starts[1][3:]}" in [n.message for n in app._notifications][-1]


async def test_reschedule_to_a_typed_time_says_what_is_wrong_and_keeps_the_old_time(tui_day) -> None:
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=(80, 24)) as pilot:
        window = await open_move_window(pilot)
        window.query_one("#rs-at", Input).focus()
        said = window.query_one("#rs-error", Static)
        await pilot.press(*"25.11.2026 10:00", "enter")
        await settle(pilot)
        assert app.screen is window and str(said.content).startswith("start: '25.11.2026 10:00'")
        await pilot.press("ctrl+u", *"2026-11-29 10:00", "enter")  # a Sunday
        await settle(pilot)
        assert app.screen is window and "closed on 2026-11-29" in str(said.content)
        assert f"{booking.get_appointment(tui_day.anna_appointment).start:%d %H:%M}" == "23 09:00"
        await pilot.press("ctrl+u", *"2026-11-24 11:00", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AppointmentScreen)
        assert f"{booking.get_appointment(tui_day.anna_appointment).start:%d %H:%M}" == "24 11:00"


async def test_an_appointment_that_cannot_move_says_why_in_the_move_window(tui_day) -> None:
    from shop import jobs

    jobs.check_in(tui_day.anna_appointment)
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=(80, 24)) as pilot:
        window = await open_move_window(pilot)
        assert window.slots == []
        assert str(window.query_one("#rs-error", Static).content) == (
            "status: only scheduled appointments can be moved (this one is checked in)"
        )


async def test_the_cancel_form_names_its_buttons_so_backing_out_is_not_mistaken_for_cancelling(tui_day) -> None:
    from textual.widgets import Button

    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.click("#to-cancelled")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert [str(b.label) for b in form.query(Button)] == ["Cancel appointment", "Back"]
        await pilot.click("#cancel")  # "Back": the appointment stays
        await settle(pilot)
        assert isinstance(app.screen, AppointmentScreen)
        assert booking.get_appointment(tui_day.anna_appointment).status == "scheduled"
        await pilot.click("#to-cancelled")
        await settle(pilot)
        app.screen.field_widget("note").value = "customer phoned"
        await pilot.click("#save")
        await settle(pilot)
        assert booking.get_appointment(tui_day.anna_appointment).status == "cancelled"


async def test_check_in_below_the_last_mileage_offers_the_correction_box_instead_of_a_command_line_flag(
    tui_day,
) -> None:
    from textual.widgets import Checkbox

    car = booking.get_appointment(tui_day.anna_appointment).vehicle_id
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.field_widget("mileage").value = "8400"  # a digit short of the 84000 on file
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert form.error_text("mileage") == "8400 is lower than the last reading 84000; store it only as a correction"
        assert booking.get_appointment(tui_day.anna_appointment).status == "scheduled"
        form.query_one("#f-mileage_correction", Checkbox).value = True  # the odometer was replaced
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert booking.get_appointment(tui_day.anna_appointment).status == "checked_in"
        assert vehicles.get_vehicle(car).mileage == 8400


async def test_at_80x24_the_today_footer_shows_book_and_every_status_step_but_no_show(tui_day) -> None:
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(Footer)
        keys = {k.key: k for k in footer.query(FooterKey)}
        room = keys["ctrl+p"].region.x  # "^p palette" sits at the right end, over whatever runs that far
        whole = [k.key for k in keys.values() if k.region.width and k.region.right <= room]
        assert whole[:6] == ["enter", "b", "i", "s", "w", "c"]
        assert "n" not in keys  # No-show: a button in the appointment, and listed by F1


async def test_invoicing_a_cancelled_appointment_says_it_was_cancelled(tui_day) -> None:
    booking.cancel(tui_day.anna_appointment, "customer phoned")
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(AppointmentScreen(tui_day.anna_appointment))
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, AppointmentScreen)
        said = [str(n.message) for n in app._notifications]
        assert any(f"appointment #{tui_day.anna_appointment} was cancelled; it has no job" in m for m in said), said


async def test_book_a_free_slot_from_the_booking_form(tui_day) -> None:
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, BookingScreen)
        await pilot.press(*"clara")
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert form.customer is not None and form.customer.name == "Clara Cordes"
        assert "no car on file" in str(form.query_one("#bk-error", Static).content)
        form.query_one("#bk-search", Input).value = "bernd"
        await settle(pilot)
        form.query_one("#bk-customers", DataTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        form.query_one("#bk-services", SelectionList).select(form.services and next(iter(form.services)))
        await settle(pilot)
        assert str(form.query_one("#bk-total", Static).content).startswith("Total: ")
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert form.slots
        first = form.slots[0]
        assert rows(app, "#bk-slots")[0][1].startswith(f"{first.start:%H:%M}")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        bernd = customers.list_customers(search="bernd")[0]
        starts = [a.start for a in booking.list_appointments(customer_id=bernd.id)]
        assert first.start in starts
        assert len(rows(app)) == 3


async def test_a_lost_race_shows_the_nearest_free_times(tui_day) -> None:
    clara = customers.list_customers(search="clara")[0]
    vehicles.add_vehicle(clara.id, "Skoda", "Fabia", 2019, plate="B-CC 303")
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        form = await booking_form_for(pilot, "clara")
        await pilot.press("ctrl+t")
        await settle(pilot)
        taken = form.slots[0]
        # Two other bookings take both bays at that time while the form is open.
        bernd = customers.list_customers(search="bernd")[0]
        transit = vehicles.list_vehicles(customer_id=bernd.id)[1]
        anna = customers.list_customers(search="anna")[0]
        anna_car = vehicles.add_vehicle(anna.id, "Fiat", "Panda", 2012, plate="B-AA 102")
        booking.book(bernd.id, transit.id, ["Oil change"], taken.start)
        booking.book(anna.id, anna_car.id, ["Oil change"], taken.start)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BookingScreen)
        message = str(form.query_one("#bk-error", Static).content)
        assert "Nearest free times are listed" in message
        assert form.slots and all(s.start != taken.start for s in form.slots)


async def test_a_lost_race_with_no_free_time_nearby_says_so_instead_of_promising_a_list(tui_day) -> None:
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        form = await booking_form_for(pilot, "anna")
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert form.slots[0].start.date().isoformat() == "2026-11-23"
        tui_fixtures.nothing_free_near_today()  # while the form is open
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BookingScreen)
        message = str(form.query_one("#bk-error", Static).content)
        assert "fully booked" in message
        assert "No free time was found near it; pick another day" in message
        assert "listed" not in message
        assert form.slots == [] and rows(app, "#bk-slots") == []


async def test_the_booking_form_books_a_typed_time_for_the_mechanic_picked(tui_day) -> None:
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        form = await booking_form_for(pilot, "anna")
        form.query_one("#bk-mechanic", Select).value = tui_day.shop.mechanic.id
        typed = form.query_one("#bk-at", Input)
        typed.value = "2026-11-25 14:00"
        typed.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    anna = customers.list_customers(search="anna")[0]
    booked = [a for a in booking.list_appointments(customer_id=anna.id) if a.id != tui_day.anna_appointment]
    assert [(a.start.strftime("%Y-%m-%d %H:%M"), a.mechanic_id) for a in booked] == [
        ("2026-11-25 14:00", tui_day.shop.mechanic.id)
    ]
