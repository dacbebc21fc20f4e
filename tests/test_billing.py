"""Quotes, invoices, credit notes, payments: rounding, statuses, gapless numbers (raced), PDF."""

from __future__ import annotations

import re
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shop import catalog, customers, events, inventory, invoices, lines, quotes, vehicles
from shop.auth import Actor, Role
from shop.errors import Conflict, Forbidden, NotFound, ValidationError
from shop.event_types import InvoiceIssued, QuoteSent
from tests.conftest import run_garage_process

D = Decimal


@pytest.fixture
def shop_data(db):  # type: ignore[no-untyped-def]
    customer = customers.add_customer("Jürgen Groß", email="jg@example.com", address="Hauptstr. 1, 10115 Berlin")
    car = vehicles.add_vehicle(customer.id, "VW", "Golf", plate="B-JG 123", mileage=52000)
    catalog.add_category("Maintenance")
    oil_change = catalog.add_service("Oil change", "Maintenance", 30, "49.90")
    inventory.add_part("OIL", "Engine oil 5W-30", "14.90", unit_cost="6.00")
    inventory.receive("OIL", "20")  # issuing an invoice with a part line takes it from stock
    return customer, car, oil_change


def _invoice(customer_id: int, *amounts: str) -> invoices.InvoiceInfo:
    doc = invoices.create_invoice(customer_id)
    for amount in amounts:
        doc = invoices.add_line(doc.id, "other", description="Work", unit_price=amount)
    return doc


def test_rounding_rule_half_up_per_line_then_tax_per_rate() -> None:
    assert lines.line_amount("part", D("0.50"), D("0.01")) == D("0.01")  # 0.005 -> 0.01
    assert lines.line_amount("labour", D("1.50"), D("0.33")) == D("0.50")  # 0.495 -> 0.50
    assert lines.line_amount("discount", D("1"), D("2.50")) == D("-2.50")
    assert lines.line_amount("part", D("1"), D("2.50"), sign=-1) == D("-2.50")
    # Three lines of 0.01 at 50%: tax on the sum (0.015 -> 0.02), not per line (3 x 0.005 -> 0.03).
    totals = lines.totals([(D("0.01"), D("50")), (D("0.01"), D("50")), (D("0.01"), D("50"))])
    assert (totals.net, totals.tax, totals.total) == (D("0.03"), D("0.02"), D("0.05"))
    mixed = lines.totals([(D("10.05"), D("19")), (D("0.05"), D("7")), (D("-0.05"), D("19"))])
    assert [(b.rate, b.net, b.tax) for b in mixed.bands] == [
        (D("7"), D("0.05"), D("0.00")),
        (D("19"), D("10.00"), D("1.90")),
    ]
    assert mixed.total == D("11.95")
    negative = lines.totals([(D("-0.05"), D("10"))])  # a credit note rounds symmetrically: -0.005 -> -0.01
    assert negative.tax == D("-0.01")


def test_quote_lines_are_decided_one_by_one_and_declined_ones_kept(shop_data) -> None:
    customer, car, oil_change = shop_data
    sent: list[int] = []
    events.subscribe(QuoteSent)(lambda e: sent.append(e.quote_id))
    quote = quotes.create_quote(customer.id, car.id)
    quotes.add_line(quote.id, "service", service="oil change")
    quotes.add_line(quote.id, "labour", description="Brake inspection", quantity="1.5")
    quote = quotes.add_line(quote.id, "part", part="oil", quantity="4.5")
    assert [line.amount for line in quote.lines] == [D("49.90"), D("135.00"), D("67.05")]
    assert (quote.totals.net, quote.totals.tax, quote.totals.total) == (D("251.95"), D("47.87"), D("299.82"))
    quote = quotes.send(quote.id)
    assert sent == [quote.id] and quote.status == "sent"
    assert quote.valid_until == datetime(2026, 12, 23).date()  # 30 days from the frozen Monday
    with pytest.raises(Conflict, match="only a draft"):
        quotes.add_line(quote.id, "labour", quantity="1")
    quote = quotes.accept(quote.id, [1, 3])
    assert quote.status == "sent" and quote.accepted.total == D("139.17")
    quote = quotes.decline(quote.id)
    assert quote.status == "accepted"
    assert [line.decision for line in quote.lines] == ["accepted", "declined", "accepted"]
    assert quotes.accepted_service_ids(quote.id) == [oil_change.id]
    assert quotes.services_to_book(quote.id) == [oil_change.id]
    with pytest.raises(Conflict):
        quotes.decline(quote.id, [1])


def test_a_quote_with_no_accepted_catalogue_service_has_nothing_to_book(shop_data) -> None:
    customer, car, _ = shop_data
    quote = quotes.create_quote(customer.id, car.id)
    quotes.add_line(quote.id, "service", service="oil change")
    quotes.add_line(quote.id, "labour", description="Brake inspection", quantity="1.5")
    quotes.send(quote.id)
    quotes.accept(quote.id, [2])
    with pytest.raises(ValidationError) as caught:
        quotes.services_to_book(quote.id)
    assert caught.value.fields == {"lines": f"quote #{quote.id} has no accepted catalogue service to book"}


def test_customer_decides_only_their_own_quote(shop_data) -> None:
    customer, car, _ = shop_data
    quote = quotes.create_quote(customer.id, car.id)
    quotes.add_line(quote.id, "labour", quantity="1")
    quotes.send(quote.id)
    with pytest.raises(Forbidden):
        quotes.decline(quote.id, actor=Actor(Role.CUSTOMER, "other", customer_id=customer.id + 1))
    done = quotes.decline(quote.id, actor=Actor(Role.CUSTOMER, "jg", customer_id=customer.id))
    assert done.status == "declined"


def test_sent_quote_expires_after_validity(shop_data, frozen_clock) -> None:
    customer, car, _ = shop_data
    quote = quotes.create_quote(customer.id, car.id)
    with pytest.raises(ValidationError, match="no lines"):
        quotes.send(quote.id)
    quotes.add_line(quote.id, "labour", quantity="2")
    quotes.send(quote.id)
    frozen_clock.advance(timedelta(days=31))
    assert quotes.get_quote(quote.id).status == "expired"
    with pytest.raises(Conflict, match="expired"):
        quotes.accept(quote.id)
    assert quotes.expire_due() == 1
    assert [q.id for q in quotes.list_quotes(status="expired")] == [quote.id]


def test_invoice_from_quote_issue_pay_and_credit(shop_data) -> None:
    customer, car, _ = shop_data
    issued: list[int] = []
    events.subscribe(InvoiceIssued)(lambda e: issued.append(e.invoice_id))
    quote = quotes.create_quote(customer.id, car.id)
    quotes.add_line(quote.id, "service", service="Oil change")
    quotes.add_line(quote.id, "labour", quantity="1.5")
    quotes.add_line(quote.id, "part", part="OIL", quantity="4.5")
    quotes.send(quote.id)
    quotes.accept(quote.id, [1, 3])
    quotes.decline(quote.id)
    draft = invoices.create_from_quote(quote.id)
    assert [line.description for line in draft.lines] == ["Oil change", "Engine oil 5W-30 (OIL)"]
    with pytest.raises(Conflict, match=rf"already has invoice draft #{draft.id}"):
        invoices.create_from_quote(quote.id)  # invoiced once, not twice by a second key press
    draft = invoices.add_line(draft.id, "discount", unit_price="5")
    assert draft.number is None and draft.totals.total == D("133.22")
    doc = invoices.issue(draft.id)
    assert doc.number == "2026-000001" and doc.status == "issued" and issued == [doc.id]
    assert doc.mileage == 52000 and doc.due_date == datetime(2026, 12, 7).date()
    with pytest.raises(Conflict, match="credit note"):
        invoices.add_line(doc.id, "labour", quantity="1")
    with pytest.raises(Conflict, match="already issued"):
        invoices.issue(doc.id)
    doc = invoices.pay("2026-000001", "100", method="card")
    assert (doc.paid, doc.due, doc.status) == (D("100.00"), D("33.22"), "issued")
    with pytest.raises(ValidationError, match=r"more than the 33\.22 due"):
        invoices.pay(doc.id, "33.23")
    with pytest.raises(ValidationError, match="do not reduce"):
        invoices.credit(doc.id, "discount given twice", [3])
    note = invoices.credit(doc.id, "oil not used", [2])
    assert note.number == "CN-2026-000001" and note.kind == "credit_note" and note.credit_of == "2026-000001"
    assert note.totals.total == D("-79.79")
    note = invoices.credit(doc.id, "goodwill", [1, 3])  # 49.90 - 5.00 net
    assert note.number == "CN-2026-000002" and note.totals.total == D("-53.43")
    doc = invoices.get_invoice(doc.id)
    assert doc.credited == D("133.22") and doc.status == "credited"
    assert doc.due == D("-100.00")  # a refund is owed
    assert doc.credit_notes == ("CN-2026-000001", "CN-2026-000002")
    again = invoices.create_from_quote(quote.id)  # the credited invoice no longer counts: invoice it afresh
    assert again.quote_id == quote.id and again.number is None


def test_payments_add_up_to_paid_and_overpayment_is_refused(shop_data) -> None:
    customer, _, _ = shop_data
    doc = invoices.issue(_invoice(customer.id, "100.00").id)
    assert doc.totals.total == D("119.00")
    with pytest.raises(ValidationError, match="amount: must be more than zero"):
        invoices.pay(doc.id, "0")
    with pytest.raises(ValidationError, match="method"):
        invoices.pay(doc.id, "10", method="bitcoin")
    invoices.pay(doc.id, "19.00")
    doc = invoices.pay(doc.id, "100.00", method="transfer")
    assert doc.status == "paid" and doc.due == D("0.00") and len(doc.payments) == 2
    with pytest.raises(Conflict, match="nothing left"):
        invoices.pay(doc.id, "0.01")


def test_full_credit_marks_invoice_credited_and_over_credit_is_refused(shop_data) -> None:
    customer, _, _ = shop_data
    doc = invoices.issue(_invoice(customer.id, "10.00", "20.00").id)
    with pytest.raises(ValidationError, match="reason"):
        invoices.credit(doc.id, " ")
    note = invoices.credit(doc.id, "wrong customer")
    assert note.totals.total == -doc.totals.total
    assert invoices.get_invoice(doc.id).status == "credited"
    with pytest.raises(ValidationError, match="exceed"):
        invoices.credit(doc.id, "again", [1])
    with pytest.raises(Conflict, match="only an issued invoice"):
        invoices.credit(note.number, "credit a credit note")


def test_numbers_are_gapless_per_year_and_failed_issue_leaves_no_gap(shop_data, frozen_clock) -> None:
    customer, _, _ = shop_data
    with pytest.raises(ValidationError, match="empty invoice"):
        invoices.issue(invoices.create_invoice(customer.id).id)
    bad = _invoice(customer.id, "1.00")
    invoices.add_line(bad.id, "discount", unit_price="5.00")
    with pytest.raises(ValidationError, match="discounts exceed"):
        invoices.issue(bad.id)
    assert invoices.issue(_invoice(customer.id, "1.00").id).number == "2026-000001"
    assert invoices.issue(_invoice(customer.id, "2.00").id).number == "2026-000002"
    frozen_clock.set(datetime(2026, 12, 31, 23, 30, tzinfo=UTC))  # already 2027 in Berlin
    assert invoices.issue(_invoice(customer.id, "3.00").id).number == "2027-000001"
    assert invoices.number_gaps(2026) == [] and invoices.number_gaps(2027) == []


def test_bad_invoice_input_is_refused_with_the_field(shop_data) -> None:
    customer, car, _ = shop_data
    with pytest.raises(ValidationError, match="customer"):
        invoices.create_invoice(9999)
    other = customers.add_customer("Other Person", email="o@example.com")
    with pytest.raises(ValidationError, match="does not belong"):
        invoices.create_invoice(other.id, car.id)
    doc = invoices.create_invoice(customer.id, car.id)
    with pytest.raises(ValidationError) as exc:
        invoices.add_line(doc.id, "part", part="NOPE", quantity="-1", tax_rate="120")
    assert set(exc.value.fields) == {"part", "quantity", "tax_rate"}
    with pytest.raises(ValidationError, match="unknown line kind"):
        invoices.add_line(doc.id, "gift")
    with pytest.raises(NotFound):
        invoices.get_invoice("2026-999999")
    with pytest.raises(Forbidden):
        invoices.get_invoice(doc.id, actor=Actor(Role.MECHANIC, "mara", staff_id=3))


def test_a_draft_line_is_corrected_in_place_and_totals_follow(shop_data) -> None:
    customer, car, _ = shop_data
    doc = invoices.create_invoice(customer.id, car.id)
    invoices.add_line(doc.id, "labour", description="Brake check", quantity="1")
    doc = invoices.add_line(doc.id, "part", part="OIL", quantity="4")
    doc = invoices.update_line(doc.id, 1, description="Brake inspection", quantity="1.5", unit_price="80.00")
    assert [(x.position, x.kind, x.description, x.quantity, x.amount) for x in doc.lines] == [
        (1, "labour", "Brake inspection", D("1.50"), D("120.00")),
        (2, "part", "Engine oil 5W-30 (OIL)", D("4.00"), D("59.60")),
    ]
    assert doc.totals.net == D("179.60") and invoices.get_invoice(doc.id).totals == doc.totals
    with pytest.raises(ValidationError) as exc:
        invoices.update_line(doc.id, 2, description=" ", quantity="0", unit_price="-1", tax_rate="")
    assert set(exc.value.fields) == {"description", "quantity", "unit_price", "tax_rate"}
    assert invoices.get_invoice(doc.id).lines == doc.lines  # nothing half-written
    with pytest.raises(NotFound, match="no line 9"):
        invoices.update_line(doc.id, 9, quantity="1")
    with pytest.raises(Forbidden):
        invoices.update_line(doc.id, 1, unit_price="1.00", actor=Actor(Role.MECHANIC, "mara", staff_id=3))
    issued = invoices.issue(doc.id)
    with pytest.raises(Conflict, match="credit note"):
        invoices.update_line(issued.id, 1, unit_price="1.00")


def test_a_draft_quote_line_is_corrected_but_a_sent_quote_stays_as_sent(shop_data) -> None:
    customer, car, _ = shop_data
    quote = quotes.create_quote(customer.id, car.id)
    quotes.add_line(quote.id, "service", service="Oil change")
    quote = quotes.update_line(quote.id, 1, unit_price="45.00", tax_rate="7")
    line = quote.lines[0]
    assert (line.unit_price, line.tax_rate, line.amount, line.decision) == (
        D("45.00"),
        D("7.00"),
        D("45.00"),
        "pending",
    )
    assert quote.totals.total == D("48.15")
    quotes.send(quote.id)
    with pytest.raises(Conflict, match="only a draft"):
        quotes.update_line(quote.id, 1, unit_price="1.00")


def test_quote_for_an_appointment_lists_its_services_at_booked_prices(db) -> None:
    from shop import booking
    from tests.scheduling_helpers import make_shop

    shop = make_shop()
    appt = booking.book(shop.customer_id, shop.car_id, [shop.oil, shop.quick], "2026-11-23 10:00")
    catalog.edit_service(shop.oil, price="99.00")  # a later price change does not reach the quote
    quote = quotes.create_for_appointment(appt.id)
    assert (quote.customer_id, quote.vehicle_id, quote.status) == (shop.customer_id, shop.car_id, "draft")
    assert [(x.kind, x.service_id, x.description, x.unit_price) for x in quote.lines] == [
        ("service", shop.oil, "Oil change", D("89.00")),
        ("service", shop.quick, "Wiper blades", D("25.00")),
    ]
    assert quote.notes == f"Appointment #{appt.id}"
    with pytest.raises(NotFound):
        quotes.create_for_appointment(9999)
    with pytest.raises(Forbidden):
        quotes.create_for_appointment(appt.id, actor=Actor(Role.MECHANIC, "mara", staff_id=3))


def _streams(data: bytes) -> bytes:
    out = b""
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out += zlib.decompress(match.group(1))
        except zlib.error:
            out += match.group(1)
    return out


_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def _unescape(raw: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(raw):
        if raw[i : i + 1] == b"\\":
            nxt = raw[i + 1 : i + 2]
            if nxt.isdigit():
                digits = re.match(rb"[0-7]{1,3}", raw[i + 1 :]).group(0)  # type: ignore[union-attr]
                out.append(int(digits, 8))
                i += 1 + len(digits)
                continue
            out += _ESCAPES.get(nxt, nxt)
            i += 2
            continue
        out += raw[i : i + 1]
        i += 1
    return bytes(out)


def _pdf_text(data: bytes) -> str:
    """The text a PDF shows, decoded through the embedded fonts' ToUnicode maps (one line per Tj)."""
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            streams.append(zlib.decompress(match.group(1)))
        except zlib.error:
            streams.append(match.group(1))
    cmaps = []
    for stream in streams:
        if b"beginbfchar" in stream:
            pairs = re.findall(rb"<([0-9A-F]{4})> <([0-9A-F]{4,})>", stream.split(b"beginbfchar", 1)[1])
            cmaps.append({int(a, 16): bytes.fromhex(b.decode()).decode("utf-16-be") for a, b in pairs})
    shown = []
    for stream in streams:
        font = 1
        for number, raw in re.findall(rb"/F(\d+) [\d.]+ Tf|Td[^(]*\((.*?)\) Tj", stream, re.S):
            if number:
                font = int(number)  # fonts /F1, /F2 ... in the order their ToUnicode maps appear
                continue
            text = _unescape(raw)
            glyphs = [int.from_bytes(text[i : i + 2], "big") for i in range(0, len(text), 2)]
            shown.append("".join(cmaps[font - 1].get(g, "\ufffd") for g in glyphs))
    return "\n".join(shown)


def test_pdf_shows_shop_customer_car_lines_tax_totals_and_terms(shop_data) -> None:
    from shop import settings

    customer, car, _ = shop_data
    settings.set_many({"shop.name": "Kessler Autoservice", "invoice.footer": "IBAN DE89 3704 0044 0532 0130 00"})
    doc = invoices.create_invoice(customer.id, car.id)
    invoices.add_line(doc.id, "service", service="Oil change")
    invoices.add_line(doc.id, "part", part="OIL", quantity="4.5")
    doc = invoices.issue(doc.id)
    invoices.pay(doc.id, "50")
    text = _pdf_text(invoices.pdf(doc.number))
    for expected in [
        "Kessler Autoservice",
        "Jürgen Groß",
        "Hauptstr. 1, 10115 Berlin",
        "Invoice 2026-000001",
        "Car: B JG 123 (VW Golf)",
        "Mileage: 52,000 km",
        "Oil change",
        "Engine oil 5W-30 (OIL)",
        "67.05 €",
        "Tax 19% on 116.95 €",
        "22.22 €",
        "139.17 €",
        "-50.00 €",
        "89.17 €",
        "Please pay 89.17 € by 2026-12-07.",
        "IBAN DE89 3704 0044 0532 0130 00",
    ]:
        assert expected in text, f"{expected!r} not in the PDF:\n{text}"


def test_pdf_embeds_a_unicode_font_that_prints_euro_and_umlauts(shop_data) -> None:
    customer, car, _ = shop_data
    doc = invoices.create_invoice(customer.id, car.id)
    invoices.add_line(doc.id, "service", service="Oil change")
    doc = invoices.issue(doc.id)
    data = invoices.pdf(doc.number)
    assert data.startswith(b"%PDF-") and b"DejaVuSans" in data
    cmap = _streams(data)
    assert b"<20AC>" in cmap  # € is among the embedded glyphs
    assert b"<00DF>" in cmap  # ß of Groß


def test_cli_invoice_from_draft_to_paid_with_pdf(cli, tmp_path) -> None:
    customer = customers.add_customer("Anna Schmidt", email="anna@example.com")
    created = cli("invoice", "create", "--customer", str(customer.id), "--json")
    assert created.exit_code == 0, created.stderr
    inv = str(created.json()["id"])
    assert cli("invoice", "add-line", inv, "labour", "--qty", "2", "--price", "80").exit_code == 0
    assert cli("invoice", "add-line", inv, "other", "-d", "Disposal", "--price", "0,005").exit_code == 1
    issued = cli("invoice", "issue", inv, "--json").json()
    assert issued["number"] == "2026-000001" and issued["totals"]["total"] == "190.40"
    over = cli("invoice", "pay", "2026-000001", "200")
    assert over.exit_code == 1 and "more than the 190.40 due" in over.stderr
    assert cli("invoice", "pay", "2026-000001", "190.40", "--method", "card").exit_code == 0
    shown = cli("invoice", "show", "2026-000001", "--json").json()
    assert shown["status"] == "paid" and shown["payments"][0]["method"] == "card"
    assert cli("invoice", "add-line", inv, "labour").exit_code == 3
    out = tmp_path / "inv.pdf"
    assert cli("invoice", "pdf", "2026-000001", "--out", str(out)).exit_code == 0
    assert out.read_bytes().startswith(b"%PDF-")
    listed = cli("invoice", "list", "--json").json()
    assert [row["number"] for row in listed] == ["2026-000001"]


def test_cli_quote_flow(cli) -> None:
    customer = customers.add_customer("Anna Schmidt", email="anna@example.com")
    quote = str(cli("quote", "create", "--customer", str(customer.id), "--json").json()["id"])
    assert cli("quote", "add-line", quote, "labour", "--qty", "1").exit_code == 0
    assert cli("quote", "add-line", quote, "other", "-d", "Tyres", "--price", "350").exit_code == 0
    edited = cli("quote", "edit-line", quote, "2", "--price", "400", "-d", "Four tyres", "--json").json()
    assert [(x["description"], x["amount"]) for x in edited["lines"]][1] == ("Four tyres", "400.00")
    refused = cli("quote", "edit-line", quote, "2", "--qty", "0")
    assert refused.exit_code == 1 and "quantity" in refused.stderr
    assert cli("quote", "send", quote).exit_code == 0
    assert cli("quote", "accept", quote, "--line", "2").exit_code == 0
    done = cli("quote", "decline", quote, "--json").json()
    assert done["status"] == "accepted" and done["accepted"]["total"] == "476.00"
    assert cli("quote", "list", "--status", "accepted", "--json").json()[0]["total"] == "583.10"
    assert cli("quote", "accept", quote).exit_code == 3


def test_concurrent_issue_gives_gapless_unique_numbers(db) -> None:
    """Eight processes issue eight drafts at the same moment: numbers 1..8, none twice, none missing."""
    customer = customers.add_customer("Race Customer", email="race@example.com")
    drafts = [_invoice(customer.id, f"{i}.00").id for i in range(1, 9)]

    def issue(invoice_id: int):  # type: ignore[no-untyped-def]
        return run_garage_process(db.url, "invoice", "issue", str(invoice_id), "--json")

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(issue, drafts))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    numbers = sorted(invoices.get_invoice(i).number for i in drafts)
    assert numbers == [f"2026-{n:06d}" for n in range(1, 9)]
    assert invoices.number_gaps(2026) == []


def test_db_check_reports_a_gap_in_invoice_numbers(shop_data) -> None:
    from shop.models import Invoice
    from shop.ops import checks

    customer, _, _ = shop_data
    first = invoices.issue(_invoice(customer.id, "1.00").id)
    invoices.issue(_invoice(customer.id, "2.00").id)
    assert checks.run_checks(["invoice_numbers"]).ok
    Invoice.update(sequence=3, number="2026-000003").where(Invoice.id == first.id).execute()
    assert checks.run_checks(["invoice_numbers"]).problems == [
        "invoice_numbers: invoice 2026: 2 numbered, 2 distinct, highest 3"
    ]


def test_a_net_price_with_tax_follows_the_one_rounding_rule() -> None:
    from shop.amounts import with_tax

    assert with_tax(D("89.90"), D("19")) == D("106.98")  # 17.081 → 17.08
    assert with_tax(D("10.05"), D("19")) == D("11.96")  # 1.9095 → 1.91, half up
    assert with_tax(D("0.50"), D("7")) == D("0.54")  # 0.035 → 0.04, half up
    assert with_tax(D("100.00"), D("0")) == D("100.00")
