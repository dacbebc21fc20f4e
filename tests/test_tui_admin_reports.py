"""The TUI's Reports area and the admin Schedule, Mechanics, Services and Outbox tabs (Pilot, SQLite fixture shop)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import DataTable, Input, Select, Static, TabbedContent

from garage_tui.app import GarageApp
from garage_tui.screens.main import MainScreen
from garage_tui.widgets.form import FormScreen
from shop import booking, catalog, invoices, jobs, reports
from shop.notifications import outbox
from shop.scheduling import calendar
from tests import tui_fixtures
from tests.scheduling_helpers import make_shop
from tests.tui_fixtures import run_command, settle

tui_shop = tui_fixtures.tui_shop
SIZE = (120, 40)


def cells(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def open_admin_tab(pilot, tab: str, table: str) -> DataTable:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("f9")
    await settle(pilot)
    pilot.app.screen.query_one("#admin-tabs", TabbedContent).active = tab
    found = pilot.app.screen.query_one(f"#{table}", DataTable)
    found.focus()
    await settle(pilot)
    return found


# ---------------------------------------------------------------- schedule


async def test_admin_adds_a_closure_and_it_appears(tui_shop) -> None:
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_admin_tab(pilot, "admin-schedule", "closure-table")
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.field_widget("start_date").value = "2026-12-24"
        form.field_widget("end_date").value = "2026-12-20"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.error_text("end_date") == "is before the start date"
        assert form.error_text("reason").startswith("must not be empty")
        form.field_widget("end_date").value = "2026-12-26"
        form.field_widget("reason").value = "Christmas"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert cells(table) == [["2026-12-24", "2026-12-26", "Christmas"]]
        assert [c.reason for c in calendar.list_closures()] == ["Christmas"]
        await pilot.press("x")
        await settle(pilot)
        assert cells(table) == []


async def test_bad_opening_hours_show_the_reason_next_to_the_field(tui_shop) -> None:
    calendar.set_hours("mon-fri", "08:00-17:00")
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_admin_tab(pilot, "admin-schedule", "hours-table")
        assert cells(table)[0] == ["Mon", "08:00-17:00"]
        table.move_cursor(row=5)  # Saturday
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.field_widget("hours").value = "13:00-09:00"
        await pilot.press("enter")
        await settle(pilot)
        assert form.error_text("hours") != ""
        assert isinstance(app.screen, FormScreen)
        form.field_widget("hours").value = "09:00-13:00"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert cells(table)[5] == ["Sat", "09:00-13:00"]
        assert calendar.get_hours()[5].intervals == ("09:00-13:00",)


async def test_clearing_the_opening_hours_asks_for_closed_instead_of_closing_the_day(tui_shop) -> None:
    calendar.set_hours("mon-fri", "08:00-17:00")
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_admin_tab(pilot, "admin-schedule", "hours-table")
        await pilot.press("e")  # Monday
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.field_widget("hours").value = ""
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is form
        assert form.error_text("hours") == "must not be empty (type closed for a day without hours)"
        assert calendar.get_hours()[0].intervals == ("08:00-17:00",)
        form.field_widget("hours").value = "8–12, 13–17"  # the dash the Today board prints
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert cells(table)[0] == ["Mon", "08:00-12:00, 13:00-17:00"]


async def test_admin_adds_and_deactivates_a_bay(tui_shop) -> None:
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_admin_tab(pilot, "admin-schedule", "bay-table")
        await pilot.press("a")
        await settle(pilot)
        app.screen.field_widget("name").value = "Bay 1"
        app.screen.field_widget("capabilities").value = "Lift, alignment"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert cells(table) == [["Bay 1", "alignment, lift", "yes"]]
        await pilot.press("d")
        await settle(pilot)
        assert cells(table) == [["Bay 1", "alignment, lift", "no"]]
        assert calendar.list_bays() == []


async def test_at_80x24_the_schedule_shows_the_whole_week_and_every_bay_without_scrolling(tui_shop) -> None:
    calendar.set_hours("mon-fri", "08:00-12:00, 13:00-17:30")
    for name in ("Bay 1", "Bay 2", "Alignment"):
        calendar.add_bay(name)
    calendar.add_closure("2026-12-24", "2026-12-26", "Christmas")
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_admin_tab(pilot, "admin-schedule", "hours-table")
        section = app.screen.query_one("#schedule-section")
        for table_id, rows in (("hours-table", 7), ("closure-table", 1), ("bay-table", 3)):
            table = app.screen.query_one(f"#{table_id}", DataTable)
            assert table.row_count == rows
            assert table.region.height == rows + 1, table_id  # the header and every row, not a third of the room
            assert section.region.contains_region(table.region), table_id
        assert section.max_scroll_y == 0


async def test_at_80x24_the_mechanics_tab_shows_each_week_whole_in_one_line_and_per_day(tui_shop) -> None:
    calendar.set_mechanic_hours("max", "mon-thu", "08:00-12:00, 13:00-17:30")
    calendar.set_mechanic_hours("max", "fri", "08:00-12:00")
    calendar.add_time_off("max", "2026-12-15", "2026-12-16", "training course")
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_admin_tab(pilot, "admin-mechanics", "mechanic-table")
        section = app.screen.query_one("#mechanics-section")
        week = app.screen.query_one("#mechanic-hours-table", DataTable)
        assert week.row_count == 7
        assert week.region.height == 8  # the header and every day, not a third of the room
        for table in section.query(DataTable):
            assert section.region.contains_region(table.region), table.id
            assert table.virtual_size.width <= table.size.width, table.id  # no column cut off at the right
        mechanics = app.screen.query_one("#mechanic-table", DataTable)
        assert [str(c.label) for c in mechanics.ordered_columns] == ["Mechanic", "Works"]  # the user name left out
        assert "Mon-Thu 08:00-12:00, 13:00-17:30 · Fri 08:00-12:00" in mechanics.render_line(1).text


# ---------------------------------------------------------------- services


async def test_admin_adds_edits_and_deactivates_a_service_with_field_errors(tui_shop) -> None:
    catalog.add_category("Maintenance")
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_admin_tab(pilot, "admin-catalog", "service-table")
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.field_widget("name").value = "Oil change"
        form.field_widget("duration_minutes").value = "7"
        form.field_widget("price").value = "89.999"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.error_text("category") != ""
        assert form.error_text("duration_minutes") != ""
        assert form.error_text("price") != ""
        form.query_one("#f-category", Select).value = str(catalog.list_categories()[0].id)
        form.field_widget("duration_minutes").value = "60"
        form.field_widget("price").value = "89.90"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert cells(table) == [["Maintenance", "Oil change", "60", "89.90", "", "yes"]]
        await pilot.press("e")
        await settle(pilot)
        app.screen.field_widget("price").value = "95"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert cells(table) == [["Maintenance", "Oil change", "60", "95.00", "", "yes"]]
        await pilot.press("d")
        await settle(pilot)
        assert cells(table) == []
        assert not catalog.list_services(active_only=False)[0].active
        await pilot.press("i")
        await settle(pilot)
        assert cells(table)[0][-1] == "no"


# ---------------------------------------------------------------- outbox


def _dead_message() -> int:
    message_id = outbox.enqueue("test", "anna@example.com", "Hello", "Text\n")
    assert message_id is not None
    outbox.claim(10, "token")
    assert outbox.mark_failed(message_id, "token", "550 mailbox unavailable", permanent=True) == "dead"
    return message_id


async def test_dead_message_retried_becomes_pending(tui_shop) -> None:
    message_id = _dead_message()
    outbox.enqueue("test", "bernd@example.com", "Other", "Text\n")
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_admin_tab(pilot, "admin-outbox", "outbox-table")
        assert [r[4] for r in cells(table)] == ["pending", "dead"]
        app.screen.query_one("#outbox-status", Select).value = "dead"
        await settle(pilot)
        assert [(r[0], r[3], r[4], r[6]) for r in cells(table)] == [
            (str(message_id), "anna@example.com", "dead", "550 mailbox unavailable")
        ]
        table.focus()
        await pilot.press("r")
        await settle(pilot)
        assert outbox.get_message(message_id).status == "pending"
        assert cells(table) == []  # no longer dead
        app.screen.query_one("#outbox-status", Select).value = "pending"
        await settle(pilot)
        assert sorted(r[0] for r in cells(table)) == sorted([str(message_id), str(message_id + 1)])


async def test_test_mail_with_bad_address_shows_the_reason_next_to_the_field(tui_shop) -> None:
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin_tab(pilot, "admin-outbox", "outbox-table")
        await pilot.press("t")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.field_widget("to").value == "ada@testwerk.example"
        form.field_widget("to").value = "not an address"
        await pilot.press("enter")
        await settle(pilot)
        assert "is not an e-mail address" in form.error_text("to")


# ---------------------------------------------------------------- reports


def _month(frozen_clock) -> None:  # type: ignore[no-untyped-def]
    """Nov 23: oil change by max, invoice 89.00 net + 19 % = 105.91, 50.00 paid; Nov 24: a no-show."""
    shop = make_shop()
    a1 = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-23 10:00")
    a2 = booking.book(shop.customer_id, shop.car_id, [shop.quick], "2026-11-24 10:00")
    j1 = jobs.check_in(a1.id, mechanic="max")
    jobs.clock_on(j1.id, "max")
    frozen_clock.advance(timedelta(hours=2))
    jobs.clock_off("max")
    jobs.set_status(j1.id, "completed")
    inv = invoices.issue(jobs.create_invoice(j1.id).id)
    invoices.pay(inv.id, "50.00")
    frozen_clock.advance(timedelta(days=1, hours=4))
    booking.set_status(a2.id, "no_show")


async def test_report_shows_the_figures_of_the_fixture(tui_shop, frozen_clock) -> None:
    _month(frozen_clock)
    expected = reports.revenue("2026-11-01", "2026-11-30", by="day")
    assert len(expected) == 1
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        screen = app.screen
        screen.query_one("#report-from", Input).value = "2026-11-01"
        screen.query_one("#report-to", Input).value = "2026-11-30"
        screen.query_one("#report-from", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert str(screen.query_one("#report-summary", Static).content) == "2026-11-01 to 2026-11-30, revenue by day"
        row = expected[0]
        assert cells(screen.query_one("#revenue-table", DataTable)) == [
            ["2026-11-23", "1", "0", f"{row.net:,.2f}", f"{row.tax:,.2f}", f"{row.total:,.2f}", "50.00"]
        ]
        assert cells(screen.query_one("#repairs-table", DataTable)) == [["Maintenance", "Oil change", "1", "89.00"]]
        tech = cells(screen.query_one("#technicians-table", DataTable))
        assert tech == [["max", "Max Mechanic", "1", "1", "1.00", "2.00", "50.0 %"]]
        noshow = str(screen.query_one("#noshow-text", Static).content)
        assert "Appointments: 2" in noshow and "No-shows:     1  (50.0 %)" in noshow
        open_rows = cells(screen.query_one("#outstanding-table", DataTable))
        assert len(open_rows) == 1 and open_rows[0][5] == f"{row.total - 50:,.2f}"
        await pilot.press("ctrl+b")  # day -> week, even while a date field has the focus
        await settle(pilot)
        assert [r[0] for r in cells(screen.query_one("#revenue-table", DataTable))] == ["2026-11-23"]
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert str(screen.query_one("#report-summary", Static).content).endswith("revenue by month")
        assert [r[0] for r in cells(screen.query_one("#revenue-table", DataTable))] == ["2026-11"]


async def test_report_with_bad_dates_names_the_field(tui_shop) -> None:
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        screen = app.screen
        screen.query_one("#report-from", Input).value = "2026-11-30"
        screen.query_one("#report-to", Input).value = "2026-11-01"
        await pilot.click("#report-show")
        await settle(pilot)
        assert str(screen.query_one("#err-report-to", Static).content) == "2026-11-01 is before 2026-11-30"
        screen.query_one("#report-to", Input).value = "yesterday"
        await pilot.click("#report-show")
        await settle(pilot)
        assert "is not a date" in str(screen.query_one("#err-report-to", Static).content)


async def test_reports_are_admin_only(tui_shop) -> None:
    app = GarageApp(user=tui_shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.screen.query("#pane-reports")
        await pilot.press("f10")
        await pilot.pause()
        assert any("not available to your role" in str(n.message) for n in app._notifications)


def test_reports_snapshot(tui_shop, frozen_clock, snap_compare) -> None:
    _month(frozen_clock)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        pilot.app.screen.query_one("#report-from", Input).value = "2026-11-01"
        pilot.app.screen.query_one("#report-to", Input).value = "2026-11-30"
        await pilot.click("#report-show")
        await settle(pilot)

    assert snap_compare(GarageApp(user=tui_shop.admin), terminal_size=SIZE, run_before=run_before)


# ---------------------------------------------------------------- mechanics' hours and time off


async def test_admin_sets_a_mechanics_hours_with_field_errors_and_returns_him_to_shop_hours(tui_shop) -> None:
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_admin_tab(pilot, "admin-mechanics", "mechanic-table")
        assert cells(table) == [["Max Mechanic", "max", "the shop's opening hours"]]
        assert cells(app.screen.query_one("#mechanic-hours-table", DataTable))[0] == ["Mon", "shop hours"]
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.field_widget("day").value == "mon"
        form.field_widget("day").value = "mon-fry"
        form.field_widget("hours").value = "17:00-08:00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.error_text("day") == "'fry' is not a weekday (mon..sun)"
        assert form.error_text("hours") == "'17:00-08:00' ends before it starts"
        form.field_widget("day").value = "mon-fri"
        form.field_widget("hours").value = "07:00-12:00,12:30-16:00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert cells(table)[0][2] == "Mon-Fri 07:00-12:00, 12:30-16:00"
        week = cells(app.screen.query_one("#mechanic-hours-table", DataTable))
        assert week[0] == ["Mon", "07:00-12:00, 12:30-16:00"] and week[5] == ["Sat", "off"]
        assert calendar.mechanic_hours("max")[0].days[4].intervals == ("07:00-12:00", "12:30-16:00")
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert calendar.mechanic_hours("max")[0].uses_shop_hours
        assert cells(table)[0][2] == "the shop's opening hours"


async def test_admin_adds_and_removes_time_off(tui_shop) -> None:
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin_tab(pilot, "admin-mechanics", "mechanic-table")
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.field_widget("mechanic").value == str(tui_shop.mechanic.id)
        form.field_widget("start").value = "2026-12-21"
        form.field_widget("end").value = "2026-12-20 12:00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.error_text("end") == "must be after the start"
        form.field_widget("end").value = "2026-12-23"
        form.field_widget("reason").value = "holiday"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        off = app.screen.query_one("#time-off-table", DataTable)
        assert cells(off) == [["Max Mechanic", "2026-12-21", "2026-12-23", "holiday"]]
        off.focus()
        await pilot.press("x")
        await settle(pilot)
        assert cells(off) == [] and calendar.list_time_off() == []


def shown(widget: Static) -> str:
    """What a widget shows on screen, its wrapped lines joined (markup rendered, not its source)."""
    return " ".join(" ".join(widget.render_line(y).text.split()) for y in range(widget.size.height)).strip()


async def test_at_80x24_the_highlighted_time_off_shows_its_whole_reason_below_the_table(tui_shop) -> None:
    reason = "Christmas holiday with the family in Portugal, back on 4 January [b]not reachable[/b]"
    calendar.add_time_off("max", "2026-11-26 13:00", "2026-11-26 17:00", "dentist")
    calendar.add_time_off("max", "2026-12-21", "2026-12-31", reason)
    calendar.add_time_off("max", "2027-01-11", "2027-01-12", "training")
    calendar.add_time_off("max", "2027-02-01", "2027-02-05", "holiday")
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_admin_tab(pilot, "admin-mechanics", "mechanic-table")
        section = app.screen.query_one("#mechanics-section")
        detail = app.screen.query_one("#time-off-detail", Static)
        assert shown(detail) == "Max Mechanic off 2026-11-26 13:00 to 2026-11-26 17:00: dentist"
        off = app.screen.query_one("#time-off-table", DataTable)
        off.focus()
        await pilot.press("down")
        await settle(pilot)
        assert [row[-1] for row in cells(off)] == ["dentist", reason, "training", "holiday"]
        cut = off.render_line(2).text  # the header, then one line per time off
        assert cut.rstrip().endswith("…") and "Christmas hol" in cut and "Portugal" not in cut
        # Whole and as typed ("[b]" is text, not markup), and in view although the section scrolls at 24 lines.
        assert shown(detail) == f"Max Mechanic off 2026-12-21 to 2026-12-31: {reason}"
        assert section.max_scroll_y > 0
        assert section.region.contains_region(detail.region) and section.region.contains_region(off.region)
        await pilot.press("up")
        await settle(pilot)
        assert shown(detail).endswith(": dentist")
        for _ in range(4):
            await pilot.press("x")
            await settle(pilot)
        assert off.row_count == 0 and shown(detail) == "No time off from today."


async def test_command_palette_opens_the_mechanics_tab(tui_shop) -> None:
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await run_command(pilot, "mechanics' hours")
        await settle(pilot)
        assert app.screen.query_one("#admin-tabs", TabbedContent).active == "admin-mechanics"
        assert app.focused is app.screen.query_one("#mechanic-table")


async def test_front_desk_cannot_open_admin_or_change_mechanics_hours(tui_shop) -> None:
    from shop.errors import Forbidden

    app = GarageApp(user=tui_shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.screen.query("#pane-admin")
        await pilot.press("f9")
        await pilot.pause()
        assert any("Admin is not available to your role" in str(n.message) for n in app._notifications)
    with pytest.raises(Forbidden):
        calendar.set_mechanic_hours("max", "mon", "08:00-12:00", actor=tui_shop.mechanic.actor())


def _mechanics_week() -> None:
    calendar.set_mechanic_hours("max", "mon-thu", "07:00-12:00,12:30-16:00")
    calendar.set_mechanic_hours("max", "fri", "07:00-13:00")
    calendar.add_time_off("max", "2026-12-21", "2026-12-23", "holiday")
    calendar.add_time_off("max", "2026-11-25 13:00", "2026-11-25 16:00", "dentist")


async def _open_mechanics(pilot) -> None:  # type: ignore[no-untyped-def]
    await open_admin_tab(pilot, "admin-mechanics", "mechanic-table")


def test_admin_mechanics_snapshot(tui_shop, snap_compare) -> None:
    _mechanics_week()
    assert snap_compare(GarageApp(user=tui_shop.admin), terminal_size=SIZE, run_before=_open_mechanics)


def test_admin_mechanics_snapshot_small(tui_shop, snap_compare) -> None:
    _mechanics_week()
    assert snap_compare(GarageApp(user=tui_shop.admin), terminal_size=(80, 24), run_before=_open_mechanics)


async def test_at_80x24_the_report_period_fits_and_the_revenue_table_is_in_view(tui_shop) -> None:
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        assert app.screen.query_one("#report-show").region.right <= 80
        table = app.screen.query_one("#revenue-table", DataTable)
        assert table.region.height >= 3 and table.region.bottom <= 23  # above the footer


async def test_at_80x24_the_revenue_and_technicians_tables_show_every_column_whole(tui_shop, frozen_clock) -> None:
    """A money column cut at its edge reads as a smaller amount (2,832.41 as "2,832"): nothing may be cut."""
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        for tab, table_id in (("report-revenue", "#revenue-table"), ("report-technicians", "#technicians-table")):
            app.screen.query_one("#report-tabs", TabbedContent).active = tab
            await settle(pilot)
            table = app.screen.query_one(table_id, DataTable)
            assert table.virtual_size.width <= table.scrollable_content_region.width, table_id
