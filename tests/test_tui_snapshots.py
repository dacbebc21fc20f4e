"""Snapshots of every TUI screen at 120x40 (key ones at 80x24) on fixed data and a frozen clock.

Update after an intended change with: pytest tests/test_tui_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, TabbedContent

from garage_tui.app import GarageApp
from shop import settings
from tests import tui_fixtures
from tests.tui_fixtures import settle

tui_shop = tui_fixtures.tui_shop
tui_customers = tui_fixtures.tui_customers
tui_day = tui_fixtures.tui_day
tui_parts = tui_fixtures.tui_parts
tui_reviews = tui_fixtures.tui_reviews
BIG = (120, 40)
SMALL = (80, 24)
FOUNDATION_SETTINGS = (
    "shop.name",
    "shop.address",
    "shop.phone",
    "shop.email",
    "shop.timezone",
    "shop.currency",
    "tax.rate",
    "phone.region",
)


@pytest.fixture
def fixed_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the foundation's keys, so other areas registering settings never move the settings snapshot."""
    show = settings.show

    def foundation_only(*args, **kwargs):  # type: ignore[no-untyped-def]
        return [v for v in show(*args, **kwargs) if v.key in FOUNDATION_SETTINGS]

    monkeypatch.setattr(settings, "show", foundation_only)


def test_login_screen(tui_shop, snap_compare) -> None:
    assert snap_compare(GarageApp(), terminal_size=BIG, run_before=settle)


def test_login_screen_small(tui_shop, snap_compare) -> None:
    assert snap_compare(GarageApp(), terminal_size=SMALL, run_before=settle)


def test_login_failure(tui_shop, snap_compare) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        pilot.app.screen.query_one("#username", Input).value = "ada"
        pilot.app.screen.query_one("#password", Input).value = "wrong-password"
        await pilot.click("#login")
        await settle(pilot)

    assert snap_compare(GarageApp(), terminal_size=BIG, run_before=run_before)


async def open_admin(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("f9")
    await settle(pilot)


def test_admin_settings(tui_shop, fixed_settings, snap_compare) -> None:
    assert snap_compare(GarageApp(user=tui_shop.admin), terminal_size=BIG, run_before=open_admin)


def test_admin_settings_small(tui_shop, fixed_settings, snap_compare) -> None:
    assert snap_compare(GarageApp(user=tui_shop.admin), terminal_size=SMALL, run_before=open_admin)


def test_admin_staff(tui_shop, snap_compare) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_admin(pilot)
        pilot.app.screen.query_one("#admin-tabs", TabbedContent).active = "admin-staff"
        pilot.app.screen.query_one("#staff-table", DataTable).focus()
        await settle(pilot)

    assert snap_compare(GarageApp(user=tui_shop.admin), terminal_size=BIG, run_before=run_before)


def test_add_staff_form_with_errors(tui_shop, snap_compare) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_admin(pilot)
        pilot.app.screen.query_one("#admin-tabs", TabbedContent).active = "admin-staff"
        pilot.app.screen.query_one("#staff-table", DataTable).focus()
        await pilot.press("a")
        await settle(pilot)
        pilot.app.screen.field_widget("username").value = "Bad Name"
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(GarageApp(user=tui_shop.admin), terminal_size=BIG, run_before=run_before)


def test_help_screen(tui_shop, fixed_settings, snap_compare) -> None:
    assert snap_compare(GarageApp(user=tui_shop.admin), terminal_size=BIG, press=["f1"], run_before=open_admin)


def test_mechanic_main_screen(tui_shop, snap_compare) -> None:
    assert snap_compare(GarageApp(user=tui_shop.mechanic), terminal_size=BIG, run_before=settle)


def test_customers(tui_customers, snap_compare) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)

    assert snap_compare(GarageApp(user=tui_customers.desk), terminal_size=BIG, run_before=run_before)


def test_customers_small(tui_customers, snap_compare) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press(*"bernd", "enter")
        await settle(pilot)

    assert snap_compare(GarageApp(user=tui_customers.desk), terminal_size=SMALL, run_before=run_before)


def test_customer_history(tui_day, snap_compare) -> None:
    from tests.test_tui_customers import anna_with_history

    anna_with_history(tui_day)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press(*"anna")
        await settle(pilot)

    assert snap_compare(GarageApp(user=tui_day.shop.desk), terminal_size=BIG, run_before=run_before)


def test_new_car_form(tui_customers, snap_compare) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)

    assert snap_compare(GarageApp(user=tui_customers.desk), terminal_size=BIG, run_before=run_before)


def test_today_board(tui_day, snap_compare) -> None:
    assert snap_compare(GarageApp(user=tui_day.shop.desk), terminal_size=BIG, run_before=settle)


def test_today_board_small(tui_day, snap_compare) -> None:
    assert snap_compare(GarageApp(user=tui_day.shop.desk), terminal_size=SMALL, run_before=settle)


def test_appointment_screen(tui_day, snap_compare) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(GarageApp(user=tui_day.shop.desk), terminal_size=BIG, run_before=run_before)


def test_booking_form_with_free_times(tui_day, snap_compare) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press(*"bernd")
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        await pilot.press("space")
        await pilot.press("ctrl+t")
        await settle(pilot)

    assert snap_compare(GarageApp(user=tui_day.shop.desk), terminal_size=BIG, run_before=run_before)


def test_parts(tui_parts, snap_compare) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)

    assert snap_compare(GarageApp(user=tui_parts.desk), terminal_size=BIG, run_before=run_before)


async def open_calendar(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("f3")
    await settle(pilot)


def test_calendar_day(tui_day, snap_compare) -> None:
    assert snap_compare(GarageApp(user=tui_day.shop.desk), terminal_size=BIG, run_before=open_calendar)


def test_calendar_day_small(tui_day, snap_compare) -> None:
    assert snap_compare(GarageApp(user=tui_day.shop.desk), terminal_size=SMALL, run_before=open_calendar)


def test_calendar_week(tui_day, snap_compare) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_calendar(pilot)
        await pilot.press("w")
        await settle(pilot)

    assert snap_compare(GarageApp(user=tui_day.shop.desk), terminal_size=BIG, run_before=run_before)


@pytest.fixture
def tui_documents(tui_customers, tui_parts):  # type: ignore[no-untyped-def]
    """Bernd's issued, part-paid invoice; a draft for Anna's Golf (labour, a part, a fee, a discount), newest first;
    and a sent quote with one line accepted."""
    from shop import customers, invoices, quotes, vehicles

    bernd = customers.list_customers(search="bernd")[0]
    paid = invoices.create_invoice(bernd.id)
    invoices.add_line(paid.id, "part", part="WIP-600", quantity="2")
    invoices.issue(paid.id)
    invoices.pay(paid.id, "20.00", "card")
    anna = customers.list_customers(search="anna")[0]
    car = vehicles.list_vehicles(customer_id=anna.id)[0]
    doc = invoices.create_invoice(anna.id, car.id, "Brakes squeak when cold")
    invoices.add_line(doc.id, "labour", description="Brake inspection", quantity="1.5", unit_price="80.00")
    invoices.add_line(doc.id, "part", part="BRK-PAD-F", quantity="1")
    invoices.add_line(doc.id, "other", description="Disposal fee", unit_price="4.50")
    invoices.add_line(doc.id, "discount", description="Regular customer", unit_price="10.00")
    quote = quotes.create_quote(anna.id, car.id)
    quotes.add_line(quote.id, "labour", description="Timing belt", quantity="3")
    quotes.add_line(quote.id, "part", part="WIP-600", quantity="2")
    quotes.send(quote.id)
    quotes.accept(quote.id, [1])
    return tui_customers


async def open_billing(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("f7")
    await settle(pilot)


async def open_invoice_editor(pilot) -> None:  # type: ignore[no-untyped-def]
    await open_billing(pilot)
    await pilot.press("enter")
    await settle(pilot)


def test_billing_invoices(tui_documents, snap_compare) -> None:
    assert snap_compare(GarageApp(user=tui_documents.desk), terminal_size=BIG, run_before=open_billing)


def test_billing_invoices_small(tui_documents, snap_compare) -> None:
    assert snap_compare(GarageApp(user=tui_documents.desk), terminal_size=SMALL, run_before=open_billing)


def test_invoice_editor(tui_documents, snap_compare) -> None:
    app = GarageApp(user=tui_documents.desk)
    assert snap_compare(app, terminal_size=BIG, run_before=open_invoice_editor)


def test_invoice_editor_small(tui_documents, snap_compare) -> None:
    app = GarageApp(user=tui_documents.desk)
    assert snap_compare(app, terminal_size=SMALL, run_before=open_invoice_editor)


def test_quote_editor(tui_documents, snap_compare) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        pilot.app.screen.query_one("#billing-tabs", TabbedContent).active = "billing-quotes"
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(GarageApp(user=tui_documents.desk), terminal_size=BIG, run_before=run_before)


async def open_reviews_all(pilot) -> None:  # type: ignore[no-untyped-def]
    """Reviews (F8) with every review listed, the private feedback highlighted."""
    from textual.widgets import Select

    await settle(pilot)
    await pilot.press("f8")
    await settle(pilot)
    pilot.app.screen.query_one("#reviews-which", Select).value = "all"
    await settle(pilot)
    pilot.app.screen.query_one("#reviews-table", DataTable).focus()
    await settle(pilot)


def test_reviews(tui_reviews, snap_compare) -> None:
    assert snap_compare(GarageApp(user=tui_reviews.shop.desk), terminal_size=BIG, run_before=open_reviews_all)


def test_reviews_small(tui_reviews, snap_compare) -> None:
    assert snap_compare(GarageApp(user=tui_reviews.shop.desk), terminal_size=SMALL, run_before=open_reviews_all)


def test_quote_booking_window_small(tui_day, snap_compare) -> None:
    """Book an accepted quote at 80x24: first day, mechanic, typed time and the free times all in view."""
    from garage_tui.screens.document import QuoteScreen
    from shop import customers, quotes, vehicles

    anna = customers.list_customers(search="anna")[0]
    quote = quotes.create_quote(anna.id, vehicles.list_vehicles(customer_id=anna.id)[0].id)
    quotes.add_line(quote.id, "service", service="Brake pads")
    quotes.send(quote.id)
    quotes.accept(quote.id)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.app.push_screen(QuoteScreen(quote.id))
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)

    assert snap_compare(GarageApp(user=tui_day.shop.desk), terminal_size=SMALL, run_before=run_before)
