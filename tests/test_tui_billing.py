"""Quotes & invoices in the TUI: the lists, and the editor (new documents, lines, issue, payment, credit, quotes)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, Static

from garage_tui.app import GarageApp
from garage_tui.screens.appointment import AppointmentScreen
from garage_tui.screens.billing import BillingPane
from garage_tui.screens.booking import QuoteBookingScreen
from garage_tui.screens.document import InvoiceScreen, QuoteScreen
from garage_tui.screens.main import MainScreen
from garage_tui.widgets.form import FormScreen
from shop import booking, customers, invoices, jobs, quotes, vehicles
from shop.notifications import outbox
from tests import tui_fixtures
from tests.tui_fixtures import TuiShop, run_command, settle

tui_shop = tui_fixtures.tui_shop
tui_customers = tui_fixtures.tui_customers
tui_day = tui_fixtures.tui_day
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


async def open_quotes(pilot) -> None:  # type: ignore[no-untyped-def]
    """Billing's Quotes tab with its table focused, where the quote keys act."""
    await open_billing(pilot)
    pilot.app.screen.query_one("#billing-tabs").active = "billing-quotes"
    await settle(pilot)
    pilot.app.screen.query_one("#quote-table").focus()


async def test_invoice_list_shows_the_draft(tui_shop, tui_billing) -> None:
    total = invoices.get_invoice(tui_billing).totals.total
    app = GarageApp(user=tui_shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_billing(pilot)
        assert rows(app) == [[f"draft #{tui_billing}", "Anna Albers", str(total), str(total), "Draft", ""]]


async def test_invoice_summary_writes_the_amount_due_with_thousands_separators_and_statuses_in_words(
    tui_shop, tui_billing
) -> None:
    invoices.add_line(tui_billing, "other", description="Engine overhaul", unit_price="4159.68")
    issued = invoices.issue(tui_billing)
    assert issued.totals.total == Decimal("5069.02")
    app = GarageApp(user=tui_shop.desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_billing(pilot)
        summary = str(app.screen.query_one("#invoice-summary", Static).content)
        assert summary.startswith("1 invoices, 5,069.02 due")
        assert rows(app)[0][4] == "Issued"
        app.screen.query_one("#billing-tabs").active = "billing-quotes"
        await settle(pilot)
        assert rows(app, "#quote-table")[0][3] == "Draft"


async def test_issuing_gives_the_invoice_a_number(tui_shop, tui_billing) -> None:
    app = GarageApp(user=tui_shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_billing(pilot)
        await pilot.press("i")
        await settle(pilot)
        number = invoices.get_invoice(tui_billing).number
        assert number
        assert rows(app)[0][0] == number and rows(app)[0][4] == "Issued"


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
        await open_quotes(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert rows(app, "#quote-table")[0][3] == "Sent"
    assert quotes.list_quotes()[0].status == "sent"


# ---- the editor ---------------------------------------------------------------------------------------------------
@pytest.fixture
def tui_stock(tui_customers: TuiShop) -> TuiShop:
    """Anna, Bernd and Clara (tui_customers) and engine oil in stock."""
    from shop import inventory

    inventory.add_part("OIL-5W30", "Engine oil 5W-30 (litre)", "12.50", "6.00", "Castrol", "10", "20", "A1")
    inventory.receive("OIL-5W30", "40")
    return tui_customers


async def fill(pilot, values: dict[str, str]) -> FormScreen:  # type: ignore[no-untyped-def]
    """Fill the open form and save it with Ctrl+S."""
    form = pilot.app.screen
    assert isinstance(form, FormScreen), f"expected a form, got {form!r}"
    for name, value in values.items():
        form.field_widget(name).value = value
    await pilot.press("ctrl+s")
    await settle(pilot)
    return form


def line_rows(app: GarageApp) -> list[list[str]]:
    return rows(app, "#doc-lines")


async def new_invoice_for_anna(pilot) -> InvoiceScreen:  # type: ignore[no-untyped-def]
    await open_billing(pilot)
    await pilot.press("n")
    await settle(pilot)
    await fill(pilot, {"customer": "anna"})
    editor = pilot.app.screen
    assert isinstance(editor, InvoiceScreen)
    return editor


async def test_new_invoice_gets_labour_and_part_lines_then_one_is_edited_and_one_removed(tui_stock) -> None:
    app = GarageApp(user=tui_stock.desk)
    async with app.run_test(size=SIZE) as pilot:
        editor = await new_invoice_for_anna(pilot)
        await pilot.press("l")
        await settle(pilot)
        await fill(pilot, {"description": "Brake inspection", "quantity": "1.5", "unit_price": "80.00"})
        await pilot.press("t")
        await settle(pilot)
        await fill(pilot, {"part": "oil", "quantity": "4"})
        await pilot.press("a")
        await settle(pilot)
        await fill(pilot, {"kind": "other", "description": "Disposal fee [b]EU[/b]", "unit_price": "5.00"})
        assert app.screen is editor
        assert line_rows(app) == [
            ["1", "Labour", "Brake inspection", "1.5", "80.00", "19", "120.00"],
            ["2", "Part", "Engine oil 5W-30 (litre) (OIL-5W30)", "4", "12.50", "19", "50.00"],
            ["3", "Fee", "Disposal fee [b]EU[/b]", "1", "5.00", "19", "5.00"],
        ]
        table = editor.query_one("#doc-lines", DataTable)
        assert "Disposal fee [b]EU[/b]" in table.render_line(3).text  # typed brackets are shown, not read as markup
        await pilot.press("up", "up", "up", "enter")  # Enter on a line edits it
        await settle(pilot)
        await fill(pilot, {"quantity": "2"})
        await pilot.press("down", "down", "x")
        await settle(pilot)
        assert [r[0] for r in line_rows(app)] == ["1", "2"]
        assert "Total 249.90" in str(app.screen.query_one("#doc-totals").content)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert rows(app)[0][:5] == [f"draft #{editor.document_id}", "Anna Albers", "249.90", "249.90", "Draft"]
    doc = invoices.get_invoice(editor.document_id)
    assert doc.vehicle == "B AA 101 (VW Golf)"  # her only car
    assert [(x.kind, x.quantity, x.amount) for x in doc.lines] == [
        ("labour", Decimal("2.00"), Decimal("160.00")),
        ("part", Decimal("4.00"), Decimal("50.00")),
    ]


async def test_new_invoice_form_names_the_field_when_the_customer_is_unclear(tui_stock) -> None:
    app = GarageApp(user=tui_stock.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_billing(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = await fill(pilot, {"customer": "example.com"})
        assert "several customers match" in form.error_text("customer")
        form = await fill(pilot, {"customer": "Bernd Brandt", "car": "B-XX 1"})
        assert "no car 'B-XX 1'" in form.error_text("car") and "B BB 202" in form.error_text("car")
        assert app.screen is form
    assert invoices.list_invoices() == []


async def test_invoice_is_issued_paid_and_saved_as_pdf_from_the_editor_and_mailed(
    tui_stock, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(InvoiceScreen, "pdf_folder", tmp_path)
    app = GarageApp(user=tui_stock.desk)
    async with app.run_test(size=SIZE) as pilot:
        editor = await new_invoice_for_anna(pilot)
        await pilot.press("l")
        await settle(pilot)
        await fill(pilot, {"quantity": "1", "unit_price": "100.00"})
        await pilot.press("i")
        await settle(pilot)
        number = invoices.get_invoice(editor.document_id).number
        assert number and editor.query_one("#document-box").border_title == f"Invoice {number}"
        await pilot.press("p")
        await settle(pilot)
        await fill(pilot, {"amount": "119.00", "method": "card"})
        assert "Due 0.00" in str(editor.query_one("#doc-totals").content)
        await pilot.press("f")
        await settle(pilot)
    doc = invoices.get_invoice(editor.document_id)
    assert (doc.status, doc.paid, [p.method for p in doc.payments]) == ("paid", Decimal("119.00"), ["card"])
    assert (tmp_path / f"invoice-{number}.pdf").read_bytes().startswith(b"%PDF")
    mails = outbox.list_messages(entity="invoice", entity_id=doc.id)
    assert [m.kind for m in mails] == ["invoice_issued"] and mails[0].recipient == "anna@example.com"


async def test_credit_note_corrects_an_issued_invoice_from_the_editor(tui_shop, tui_billing) -> None:
    total = invoices.issue(tui_billing).totals.total
    app = GarageApp(user=tui_shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_billing(pilot)
        await pilot.press("enter")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, InvoiceScreen)
        await pilot.press("c")
        await settle(pilot)
        form = await fill(pilot, {"reason": "", "lines": ""})
        assert "needs a reason" in form.error_text("reason")
        await fill(pilot, {"reason": "Brake check was not done", "lines": "1"})
        assert app.screen is editor
        assert "Credit notes: CN-2026-000001" in str(editor.query_one("#doc-totals").content)
        await pilot.press("escape")
        await settle(pilot)
        assert [r[0] for r in rows(app)][:2] == ["CN-2026-000001", invoices.get_invoice(tui_billing).number]
    doc = invoices.get_invoice(tui_billing)
    assert (doc.status, doc.credited) == ("credited", total)


async def test_credit_note_with_parts_kept_leaves_the_shelf_as_it_is(tui_stock) -> None:
    from shop import inventory

    walk_in = customers.add_customer("Walk In", "030 5550000")
    draft = invoices.create_invoice(walk_in.id)
    invoices.add_line(draft.id, "part", part="OIL-5W30", quantity="2")
    invoices.issue(draft.id)
    assert inventory.get_part("OIL-5W30").on_hand == Decimal("38.00")
    app = GarageApp(user=tui_stock.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_billing(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await fill(pilot, {"reason": "Goodwill: oil was on offer", "lines": "", "parts_kept": True})
        assert "Credit notes: CN-2026-000001" in str(app.screen.query_one("#doc-totals").content)
    assert inventory.get_part("OIL-5W30").on_hand == Decimal("38.00")


async def test_quote_lines_are_answered_one_by_one_and_the_quote_becomes_an_invoice(tui_stock) -> None:
    app = GarageApp(user=tui_stock.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_quotes(pilot)
        await pilot.press("n")
        await settle(pilot)
        await fill(pilot, {"customer": "Bernd", "car": "transit"})
        editor = app.screen
        assert isinstance(editor, QuoteScreen)
        await pilot.press("l")
        await settle(pilot)
        await fill(pilot, {"description": "Timing belt", "quantity": "3"})
        await pilot.press("t")
        await settle(pilot)
        await fill(pilot, {"part": "OIL-5W30", "quantity": "5"})
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("up", "y")  # accept the labour
        await settle(pilot)
        await pilot.press("down", "d")  # decline the oil
        await settle(pilot)
        assert [r[-1] for r in line_rows(app)] == ["accepted", "declined"]
        assert "Accepted 321.30" in str(editor.query_one("#doc-totals").content)
        await pilot.press("v")
        await settle(pilot)
        invoice_screen = app.screen
        assert isinstance(invoice_screen, InvoiceScreen)
        assert [r[2] for r in line_rows(app)] == ["Timing belt"]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)  # closing the invoice closes the quote it came from
    quote = quotes.get_quote(editor.document_id)
    assert quote.status == "accepted" and quote.vehicle == "B BB 203 (Ford Transit)"
    assert [m.kind for m in outbox.list_messages(entity="quote", entity_id=quote.id)] == ["quote_sent"]
    invoice = invoices.get_invoice(invoice_screen.document_id)
    assert invoice.quote_id == quote.id and invoice.totals.total == Decimal("321.30")


async def open_appointment(pilot, appointment_id: int) -> AppointmentScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    screen = AppointmentScreen(appointment_id)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


async def test_appointment_opens_a_quote_with_its_booked_services(tui_day) -> None:
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_appointment(pilot, tui_day.anna_appointment)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, QuoteScreen)
        assert line_rows(app) == [["1", "Service", "Oil change", "1", "89.00", "19", "89.00", "open"]]
        head = str(app.screen.query_one("#doc-head").content)
        assert f"Booked as appointment #{tui_day.anna_appointment}" in head


async def test_completed_job_opens_its_invoice_from_the_appointment(tui_day) -> None:
    job = jobs.check_in(tui_day.anna_appointment, "84100", "oil light")
    jobs.add_labour(job.id, "0.5", "Top up coolant")
    jobs.set_status(job.id, "in_progress")
    jobs.set_status(job.id, "completed")
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_appointment(pilot, tui_day.anna_appointment)
        await pilot.press("v")
        await settle(pilot)
        first = app.screen
        assert isinstance(first, InvoiceScreen)
        assert [r[2] for r in line_rows(app)] == ["Oil change", "Top up coolant"]
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("v")  # the job already has this draft: it opens again, no second invoice
        await settle(pilot)
        assert isinstance(app.screen, InvoiceScreen) and app.screen.document_id == first.document_id
    assert len(invoices.list_invoices()) == 1


async def test_mechanic_may_not_price_work(tui_day) -> None:
    quote = quotes.create_quote(customers.list_customers(search="anna")[0].id)
    quotes.add_line(quote.id, "labour", quantity="1")
    app = GarageApp(user=tui_day.shop.mechanic)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        assert not app.screen.query(BillingPane)
        await open_appointment(pilot, tui_day.anna_appointment)
        await pilot.press("q", "v")
        await settle(pilot)
        assert isinstance(app.screen, AppointmentScreen)
        await app.push_screen(QuoteScreen(quote.id))  # quotes are readable to mechanics, not changeable
        await settle(pilot)
        assert "may not change" in str(app.screen.query_one("#doc-head").content)
        for key in ("e", "l", "x", "s"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, QuoteScreen)
        messages = [n.message for n in app._notifications]
    assert "Billing is not available to your role." in messages
    assert messages.count("Your role may not change quotes, invoices or prices.") == 6
    assert quotes.get_quote(quote.id).lines[0].unit_price == Decimal("90.00")
    assert quotes.list_quotes() == quotes.list_quotes(customer_id=quote.customer_id) and len(quotes.list_quotes()) == 1
    assert invoices.list_invoices() == []


async def test_issue_refused_for_lack_of_stock_says_why_and_keeps_the_draft(tui_stock) -> None:
    app = GarageApp(user=tui_stock.desk)
    async with app.run_test(size=SIZE) as pilot:
        editor = await new_invoice_for_anna(pilot)
        await pilot.press("t")
        await settle(pilot)
        await fill(pilot, {"part": "OIL-5W30", "quantity": "50"})
        await pilot.press("i")
        await settle(pilot)
        assert app.screen is editor and editor.query_one("#document-box").border_title.startswith("Invoice draft")
        messages = [n.message for n in app._notifications]
    assert any(m.startswith("not enough OIL-5W30 in stock: 40 on hand") for m in messages), messages
    doc = invoices.get_invoice(editor.document_id)
    assert (doc.status, doc.number) == ("draft", None)


async def test_new_invoice_from_the_command_palette_opens_the_editor(tui_stock) -> None:
    app = GarageApp(user=tui_stock.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # Today is open; Billing has not been built yet
        await run_command(pilot, "new invoice")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen) and app.screen.form_title == "New invoice"
        await fill(pilot, {"customer": "Clara Cordes"})
        assert isinstance(app.screen, InvoiceScreen)
    assert [i.customer_name for i in invoices.list_invoices()] == ["Clara Cordes"]


async def test_an_invoiced_quote_is_not_invoiced_twice(tui_shop, tui_billing) -> None:
    quote = quotes.list_quotes()[0]
    quotes.send(quote.id)
    quotes.accept(quote.id)
    first = invoices.create_from_quote(quote.id)
    app = GarageApp(user=tui_shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_quotes(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, QuoteScreen)
        messages = [n.message for n in app._notifications]
    assert any(f"already has invoice draft #{first.id}" in m for m in messages), messages
    assert [i.id for i in invoices.list_invoices() if i.id != tui_billing] == [first.id]


def accepted_brake_quote(answered: bool = False) -> quotes.QuoteInfo:
    """A sent quote for Anna's Golf: Brake pads from the catalogue and a fee, both still open
    (ANSWERED: both accepted)."""
    anna = customers.list_customers(search="anna")[0]
    car = vehicles.list_vehicles(customer_id=anna.id)[0]
    quote = quotes.create_quote(anna.id, car.id)
    quotes.add_line(quote.id, "service", service="Brake pads")
    quotes.add_line(quote.id, "other", description="Disposal", unit_price="5.00")
    sent = quotes.send(quote.id)
    return quotes.accept(quote.id) if answered else sent


def booked_from(quote_id: int) -> list[booking.Appointment]:
    """The appointments booked from the quote (they say so in their notes)."""
    return [a for a in booking.list_appointments() if a.notes == f"From quote #{quote_id}"]


async def open_quote_booking(pilot, quote_id: int) -> QuoteBookingScreen:  # type: ignore[no-untyped-def]
    """The quote editor, then `b`: the free times for its accepted services."""
    await settle(pilot)
    await pilot.app.push_screen(QuoteScreen(quote_id))
    await settle(pilot)
    await pilot.press("b")
    await settle(pilot)
    picker = pilot.app.screen
    assert isinstance(picker, QuoteBookingScreen)
    return picker


async def test_accepted_quote_is_booked_at_the_free_time_picked_in_the_editor(tui_day) -> None:
    quote = accepted_brake_quote()
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(QuoteScreen(quote.id))
        await settle(pilot)
        await pilot.press("b")  # the customer has not answered yet: nothing to book
        await settle(pilot)
        assert isinstance(app.screen, QuoteScreen)
        await pilot.press("y", "down", "y")
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, QuoteBookingScreen)
        assert "Accepted services: Brake pads" in str(picker.query_one("#qb-head").content)
        assert rows(app, "#qb-slots")[0] == ["Mon 23 Nov", "10:00–11:30"]  # the car is in at 09:00
        picker.query_one("#qb-day", Input).value = "2026-11-24"
        picker.query_one("#qb-day", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert rows(app, "#qb-slots")[:2] == [["Tue 24 Nov", "08:00–09:30"], ["Tue 24 Nov", "08:15–09:45"]]
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, QuoteScreen)
        await pilot.press("b")  # booked once: said at once, no window
        await settle(pilot)
        assert isinstance(app.screen, QuoteScreen)
        messages = [n.message for n in app._notifications]
        assert "is already booked as appointment" in messages[-1]
    assert "This quote is sent: only an accepted quote can be booked." in messages
    booked = booked_from(quote.id)
    assert len(booked) == 1 and [s.name for s in booked[0].services] == ["Brake pads"]
    assert booked[0].start.strftime("%Y-%m-%d %H:%M") == "2026-11-24 08:15" and booked[0].vehicle_id == quote.vehicle_id
    where = f"in {booked[0].bay} (appointment #{booked[0].id}, from quote #{quote.id})."
    assert f"Booked Anna Albers on Tue 24 Nov 08:15 {where}" in messages


async def test_booking_an_already_booked_quote_says_when_at_once_without_the_window(tui_day) -> None:
    quote = accepted_brake_quote(answered=True)
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(QuoteScreen(quote.id))
        await settle(pilot)
        editor = app.screen
        # Meanwhile the customer books it on the portal: the editor still shows it unbooked.
        visit = quotes.book_accepted(quote.id, "2026-11-24 08:00")
        await pilot.press("b")
        await settle(pilot)
        assert app.screen is editor  # no booking window
        said = [n.message for n in app._notifications][-1]
        assert said.startswith(f"Not booked: quote #{quote.id} is already booked as appointment #{visit.id}")
        assert "on 2026-11-24 08:00 (scheduled); move that appointment" in said
        assert f"Booked as appointment #{visit.id}" in str(editor.query_one("#doc-head", Static).content)
        booking.cancel(visit.id)  # a cancelled visit frees the quote: b opens the window again
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, QuoteBookingScreen)
        assert rows(app, "#qb-slots") != []


async def test_a_quote_whose_car_left_the_account_says_so_and_b_gives_the_shops_reason(tui_day) -> None:
    quote = accepted_brake_quote(answered=True)
    # The customer no longer has the Golf; its visit on the day board stays booked (hence force).
    vehicles.archive_vehicle(quote.vehicle_id, force=True)
    why = quotes.get_quote(quote.id).unbookable_why
    assert "B AA 101 (VW Golf), which is archived; restore the car" in why
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_quotes(pilot)
        listed = {row[0]: row for row in rows(app, "#quote-table")}
        assert listed[f"#{quote.id}"][3] == "Accepted"
        app.screen.query_one("#quote-table", DataTable).move_cursor(row=list(listed).index(f"#{quote.id}"))
        await pilot.press("enter")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, QuoteScreen)
        head = str(editor.query_one("#doc-head", Static).content)
        assert "Anna Albers" in head and f"Cannot be booked: {why}" in head
        await pilot.press("b")
        await settle(pilot)
        assert app.screen is editor  # no booking window
        assert [n.message for n in app._notifications][-1] == f"Not booked: {why}."
        vehicles.restore_vehicle(quote.vehicle_id)  # she has it again: b opens the window
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, QuoteBookingScreen)
        assert "Cannot be booked" not in str(editor.query_one("#doc-head", Static).content)
    assert booked_from(quote.id) == []


async def test_quote_booking_a_time_just_taken_lists_the_nearest_free_times(tui_day) -> None:
    quote = accepted_brake_quote(answered=True)
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        picker = await open_quote_booking(pilot, quote.id)
        assert rows(app, "#qb-slots")[0] == ["Mon 23 Nov", "10:00–11:30"]
        # Meanwhile another desk books Anna's Golf at 10:00.
        booking.book(quote.customer_id, quote.vehicle_id, ["Oil change"], picker.slots[0].start)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is picker
        note = str(picker.query_one("#qb-error").content)
        listed = rows(app, "#qb-slots")
        assert note.startswith("2026-11-23 10:00: this car already has an appointment at that time")
        assert "Nearest free times are listed; pick one." in note
        assert listed[0] == ["Mon 23 Nov", "11:00–12:30"]  # after the car's new 10:00-11:00 visit
    assert booked_from(quote.id) == []


async def test_mechanic_may_not_book_a_quote_from_the_editor(tui_day) -> None:
    quote = accepted_brake_quote(answered=True)
    app = GarageApp(user=tui_day.shop.mechanic)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(QuoteScreen(quote.id))
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, QuoteScreen)
        messages = [n.message for n in app._notifications]
    assert "Your role may not book appointments." in messages
    assert booked_from(quote.id) == []


@pytest.mark.parametrize("editor", [InvoiceScreen, QuoteScreen])
async def test_every_key_the_editor_footer_shows_fits_at_80_columns(tui_shop, tui_billing, editor) -> None:
    document_id = tui_billing if editor is InvoiceScreen else quotes.list_quotes()[0].id
    app = GarageApp(user=tui_shop.desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.push_screen(editor(document_id))
        await settle(pilot)
        shown = {key.description: key.region for key in app.screen.query("FooterKey")}
    primary = {"Labour", "Part", "Line", "Remove"} | (
        {"Issue", "Payment", "Credit note", "PDF"}
        if editor is InvoiceScreen
        else {"Send", "Accept", "Decline", "Invoice", "Book"}
    )
    assert set(shown) == primary
    assert all(region.right <= 80 and region.width > 0 for region in shown.values()), shown


async def test_quote_booking_with_a_mechanic_lists_their_free_times_and_gives_them_the_job(tui_day) -> None:
    from shop.scheduling import calendar

    quote = accepted_brake_quote(answered=True)
    max_id = tui_day.shop.mechanic.id
    calendar.add_time_off("max", "2026-11-23", "2026-11-23", "dentist")
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        picker = await open_quote_booking(pilot, quote.id)
        assert rows(app, "#qb-slots")[0] == ["Mon 23 Nov", "10:00–11:30"]
        picker.query_one("#qb-mechanic", Select).value = max_id
        await settle(pilot)
        assert rows(app, "#qb-slots")[0] == ["Tue 24 Nov", "08:00–09:30"]  # Max is off on Monday
        picker.query_one("#qb-slots", DataTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, QuoteScreen)
    booked = booked_from(quote.id)
    assert [(a.start.strftime("%Y-%m-%d %H:%M"), a.mechanic_id) for a in booked] == [("2026-11-24 08:00", max_id)]


async def test_quote_booking_takes_a_typed_time_and_says_why_a_bad_one_is_refused(tui_day) -> None:
    quote = accepted_brake_quote(answered=True)
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        picker = await open_quote_booking(pilot, quote.id)
        typed = picker.query_one("#qb-at", Input)
        typed.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "Type the start as YYYY-MM-DD HH:MM" in str(picker.query_one("#qb-error").content)
        typed.value = "2026-11-24 09:07"  # off the 15-minute grid
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is picker
        assert "is not a bookable start" in str(picker.query_one("#qb-error").content)
        typed.value = "2026-11-24 13:30"  # not among the first listed times, but free
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, QuoteScreen)
    booked = booked_from(quote.id)
    assert [(a.start.strftime("%Y-%m-%d %H:%M"), a.mechanic_id) for a in booked] == [("2026-11-24 13:30", None)]


async def test_quote_booking_a_time_just_taken_with_no_free_time_nearby_asks_for_another_day(tui_day) -> None:
    quote = accepted_brake_quote(answered=True)
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        picker = await open_quote_booking(pilot, quote.id)
        assert rows(app, "#qb-slots")[0] == ["Mon 23 Nov", "10:00–11:30"]
        tui_fixtures.nothing_free_near_today()  # while the window is open
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is picker
        note = str(picker.query_one("#qb-error").content)
        assert "fully booked" in note
        assert "No free time was found near it; pick another day" in note
        assert "listed" not in note
        assert picker.slots == [] and rows(app, "#qb-slots") == []
    assert booked_from(quote.id) == []


async def test_quote_booked_meanwhile_says_so_and_keeps_the_free_times(tui_day) -> None:
    quote = accepted_brake_quote(answered=True)
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        picker = await open_quote_booking(pilot, quote.id)
        listed = rows(app, "#qb-slots")
        # Meanwhile another desk books the quote at a later time.
        other = quotes.book_accepted(quote.id, picker.slots[-1].start)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is picker
        note = str(picker.query_one("#qb-error").content)
        assert f"already booked as appointment #{other.id}" in note
        assert "No free time" not in note and "listed" not in note
        assert rows(app, "#qb-slots") == listed
    assert [a.id for a in booked_from(quote.id)] == [other.id]
