"""Quotes & invoices in the TUI: the draft in the list, issuing numbers it, payments refused or recorded."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from textual.widgets import DataTable

from garage_tui.app import GarageApp
from garage_tui.screens.billing import BillingPane
from garage_tui.screens.main import MainScreen
from garage_tui.widgets.form import FormScreen
from shop import customers, invoices, quotes
from tests import tui_fixtures
from tests.tui_fixtures import TuiShop, settle

tui_shop = tui_fixtures.tui_shop
SIZE = (120, 40)


@pytest.fixture
def tui_billing(tui_shop: TuiShop) -> int:
    """One draft invoice over 100.00 net (plus tax) for Anna, and one draft quote; returns the invoice id."""
    anna = customers.add_customer("Anna Albers", "030 1111111", "anna@example.com", "Ahornweg 1, Berlin")
    draft = invoices.create_invoice(anna.id)
    invoices.add_line(draft.id, "other", description="Brake check", unit_price="100.00")
    quote = quotes.create_quote(anna.id)
    quotes.add_line(quote.id, "other", description="Timing belt", unit_price="400.00")
    return draft.id


def rows(app: GarageApp, table: str = "#invoice-table") -> list[list[str]]:
    grid = app.screen.query_one(table, DataTable)
    return [[str(c) for c in grid.get_row_at(i)] for i in range(grid.row_count)]


async def open_billing(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("f7")
    await settle(pilot)


async def test_invoice_list_shows_the_draft(tui_shop, tui_billing) -> None:
    total = invoices.get_invoice(tui_billing).totals.total
    app = GarageApp(user=tui_shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_billing(pilot)
        assert rows(app) == [[f"draft #{tui_billing}", "Anna Albers", str(total), str(total), "draft", ""]]


async def test_issuing_gives_the_invoice_a_number(tui_shop, tui_billing) -> None:
    app = GarageApp(user=tui_shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_billing(pilot)
        await pilot.press("i")
        await settle(pilot)
        number = invoices.get_invoice(tui_billing).number
        assert number
        assert rows(app)[0][0] == number and rows(app)[0][4] == "issued"


async def test_overpayment_shows_the_reason_and_stores_nothing(tui_shop, tui_billing) -> None:
    invoices.issue(tui_billing)
    app = GarageApp(user=tui_shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_billing(pilot)
        await pilot.press("p")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.field_widget("amount").value = "5000.00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "more than" in form.error_text("amount")
        assert app.screen is form
    info = invoices.get_invoice(tui_billing)
    assert info.payments == () and info.paid == Decimal("0")


async def test_partial_payment_lowers_the_amount_due(tui_shop, tui_billing) -> None:
    total = invoices.issue(tui_billing).totals.total
    app = GarageApp(user=tui_shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_billing(pilot)
        await pilot.press("p")
        await settle(pilot)
        form = app.screen
        form.field_widget("amount").value = "50.00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert rows(app)[0][3] == str(total - Decimal("50.00"))
        await pilot.press("o")
        await settle(pilot)
        assert len(rows(app)) == 1
    assert invoices.get_invoice(tui_billing).due == total - Decimal("50.00")


async def test_pdf_is_written_to_a_file(tui_shop, tui_billing, tmp_path: Path, monkeypatch) -> None:
    invoices.issue(tui_billing)
    monkeypatch.setattr(BillingPane, "pdf_folder", tmp_path)
    app = GarageApp(user=tui_shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_billing(pilot)
        await pilot.press("f")
        await settle(pilot)
    written = list(tmp_path.glob("invoice-*.pdf"))
    assert len(written) == 1 and written[0].read_bytes().startswith(b"%PDF")


async def test_sending_a_quote_from_the_quotes_tab(tui_shop, tui_billing) -> None:
    app = GarageApp(user=tui_shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_billing(pilot)
        app.screen.query_one("#billing-tabs").active = "billing-quotes"
        await settle(pilot)
        app.screen.query_one("#quote-table").focus()
        await pilot.press("s")
        await settle(pilot)
        assert rows(app, "#quote-table")[0][3] == "sent"
    assert quotes.list_quotes()[0].status == "sent"
