"""Parts on invoices and stock: a part leaves the shelf once, whether a job or the invoice takes it.

Counter sales are taken when the invoice is issued; parts a job used are not taken again; a booked
quote's parts are left to its job; credit notes put back what their invoice took.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal

import pytest

from shop import booking, customers, inventory, invoices, jobs, quotes, staff
from shop.errors import Conflict
from tests.conftest import run_garage_process
from tests.scheduling_helpers import make_shop

D = Decimal


@dataclass(frozen=True)
class Shop:
    customer: int
    car: int
    appointment: int


@pytest.fixture
def stocked(db) -> Shop:
    """A shop with 10 litres of oil and 5 wiper blades on the shelf and one booked oil change."""
    shop = make_shop(bays=1)
    staff.add_staff("mara", "Mara Schulz", "mechanic", "mara-password-1")
    inventory.add_part("OIL", "Engine oil 5W-30", "14.90", unit_cost="6.00")
    inventory.add_part("WIPER", "Wiper blade 600 mm", "19.90", unit_cost="8.00")
    inventory.receive("OIL", "10")
    inventory.receive("WIPER", "5")
    appointment = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-23 10:00")
    return Shop(shop.customer_id, shop.car_id, appointment.id)


def _on_hand(sku: str) -> Decimal:
    return inventory.get_part(sku).on_hand


def _finished_job(shop: Shop, oil: str, returned: str | None = None) -> int:
    job = jobs.check_in(shop.appointment, mechanic="mara")
    jobs.use_part(job.id, "OIL", oil)
    if returned:
        jobs.return_part(job.id, "OIL", returned)
    jobs.set_status(job.id, "in_progress")
    jobs.set_status(job.id, "completed")
    return job.id


def test_a_counter_sale_takes_its_parts_when_issued_not_while_a_draft(stocked) -> None:
    draft = invoices.create_invoice(stocked.customer)
    invoices.add_line(draft.id, "part", part="WIPER", quantity="2")
    assert _on_hand("WIPER") == D("5.00")
    issued = invoices.issue(draft.id)
    assert _on_hand("WIPER") == D("3.00")
    (move,) = inventory.movements("WIPER", limit=1)
    assert (move.kind, move.quantity, move.reference, move.invoice_id) == (
        "use",
        D("-2.00"),
        f"invoice {issued.number}",
        issued.id,
    )
    assert inventory.verify() == []


def test_not_enough_on_the_shelf_refuses_the_issue_and_leaves_draft_number_and_stock(stocked) -> None:
    draft = invoices.create_invoice(stocked.customer)
    invoices.add_line(draft.id, "part", part="WIPER", quantity="6")
    with pytest.raises(Conflict, match="not enough WIPER in stock: 5 on hand, 6 needed"):
        invoices.issue(draft.id)
    assert invoices.get_invoice(draft.id).status == "draft" and invoices.get_invoice(draft.id).number is None
    assert _on_hand("WIPER") == D("5.00")
    invoices.remove_line(draft.id, 1)
    invoices.add_line(draft.id, "part", part="WIPER", quantity="5")
    assert invoices.issue(draft.id).number == "2026-000001"  # the refused issue left no gap
    assert _on_hand("WIPER") == D("0.00")


def test_parts_used_on_a_job_are_not_taken_again_when_its_invoice_is_issued(stocked) -> None:
    job_id = _finished_job(stocked, "4.5", returned="0.5")
    assert _on_hand("OIL") == D("6.00")
    issued = invoices.issue(jobs.create_invoice(job_id).id)
    assert [(x.kind, x.quantity) for x in issued.lines if x.kind == "part"] == [("part", D("4.00"))]
    assert _on_hand("OIL") == D("6.00")
    assert inventory.taken_for_invoice(issued.id) == {}


def test_extra_parts_sold_on_a_job_invoice_are_taken_and_only_those(stocked) -> None:
    job_id = _finished_job(stocked, "4")
    draft = jobs.create_invoice(job_id)
    invoices.add_line(draft.id, "part", part="OIL", quantity="1")  # a top-up bottle to take home
    invoices.add_line(draft.id, "part", part="WIPER", quantity="2")
    invoices.issue(draft.id)
    assert (_on_hand("OIL"), _on_hand("WIPER")) == (D("5.00"), D("3.00"))
    assert inventory.verify() == []


def test_extras_on_the_invoice_of_a_booked_quote_are_taken_and_quoted_parts_left_to_its_job(stocked) -> None:
    """(Quotes never booked are counter sales: tests/test_quote_link.py.)"""
    quote = quotes.create_for_appointment(stocked.appointment)
    quotes.add_line(quote.id, "part", part="OIL", quantity="4.5")
    quotes.add_line(quote.id, "labour", quantity="1")
    quotes.send(quote.id)
    quotes.accept(quote.id)
    draft = invoices.create_from_quote(quote.id)
    invoices.add_line(draft.id, "part", part="WIPER", quantity="1")
    invoices.issue(draft.id)
    assert (_on_hand("OIL"), _on_hand("WIPER")) == (D("10.00"), D("4.00"))


def test_a_credit_note_puts_back_what_its_invoice_took_so_reissuing_takes_it_once(stocked) -> None:
    draft = invoices.create_invoice(stocked.customer)
    invoices.add_line(draft.id, "part", part="WIPER", quantity="2", unit_price="9.90")  # wrong price
    wrong = invoices.issue(draft.id)
    assert _on_hand("WIPER") == D("3.00")
    note = invoices.credit(wrong.number, "wrong price")
    assert _on_hand("WIPER") == D("5.00")
    (back,) = inventory.movements("WIPER", limit=1)
    assert (back.kind, back.quantity, back.reference) == ("return", D("2.00"), f"credit note {note.number}")
    again = invoices.create_invoice(stocked.customer)
    invoices.add_line(again.id, "part", part="WIPER", quantity="2")
    invoices.issue(again.id)
    assert _on_hand("WIPER") == D("3.00")
    assert inventory.verify() == []


def test_a_credit_note_for_parts_the_customer_keeps_puts_nothing_back(stocked, cli) -> None:  # type: ignore[no-untyped-def]
    draft = invoices.create_invoice(stocked.customer)
    invoices.add_line(draft.id, "part", part="WIPER", quantity="2")
    issued = invoices.issue(draft.id)
    invoices.credit(issued.number, "goodwill", restock=False)
    assert _on_hand("WIPER") == D("3.00")
    second = invoices.create_invoice(stocked.customer)
    invoices.add_line(second.id, "part", part="WIPER", quantity="1")
    number = invoices.issue(second.id).number
    done = cli("invoice", "credit", number, "--reason", "wiper broke on fitting", "--parts-kept", "--json")
    assert done.exit_code == 0, done.stderr
    assert done.json()["kind"] == "credit_note" and _on_hand("WIPER") == D("2.00")
    assert inventory.verify() == []


def test_credit_notes_line_by_line_never_put_back_more_than_the_invoice_took(stocked) -> None:
    job_id = _finished_job(stocked, "4")
    draft = jobs.create_invoice(job_id)
    invoices.add_line(draft.id, "part", part="OIL", quantity="1")
    issued = invoices.issue(draft.id)
    assert _on_hand("OIL") == D("5.00")
    job_oil, extra_oil = [x.position for x in issued.lines if x.kind == "part"]
    invoices.credit(issued.number, "oil not charged", [job_oil])  # 4 credited: only the 1 taken comes back
    assert _on_hand("OIL") == D("6.00")
    invoices.credit(issued.number, "top-up not wanted", [extra_oil])  # nothing left to put back
    assert _on_hand("OIL") == D("6.00")  # the job's 4 litres are in the car
    assert inventory.taken_for_invoice(issued.id) == {}
    assert inventory.verify() == []


def test_cli_issue_without_stock_exits_3_and_names_the_part(stocked, cli) -> None:  # type: ignore[no-untyped-def]
    other = customers.add_customer("Walk In", phone="030 5550000")
    draft = invoices.create_invoice(other.id)
    invoices.add_line(draft.id, "part", part="WIPER", quantity="7")
    result = cli("invoice", "issue", str(draft.id))
    assert result.exit_code == 3
    assert "not enough WIPER in stock: 5 on hand, 7 needed" in result.stderr
    assert cli("stock", "moves", "WIPER", "--json").json()[0]["kind"] == "receive"


def test_desks_racing_to_sell_the_last_units_never_oversell_and_leave_no_number_gap(db, stocked) -> None:
    """Six processes issue six counter sales of one wiper blade while three are left: exactly three succeed."""
    inventory.adjust("WIPER", "-2", "race set-up")
    drafts = []
    for _ in range(6):
        draft = invoices.create_invoice(stocked.customer)
        invoices.add_line(draft.id, "part", part="WIPER", quantity="1")
        drafts.append(draft.id)
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda i: run_garage_process(db.url, "invoice", "issue", str(i)), drafts))
    assert sorted(r.returncode for r in results) == [0, 0, 0, 3, 3, 3], [r.stderr for r in results]
    assert all("not enough WIPER in stock" in r.stderr for r in results if r.returncode == 3)
    numbers = sorted(invoices.get_invoice(i).number or "" for i in drafts)
    assert numbers == ["", "", "", "2026-000001", "2026-000002", "2026-000003"]
    assert _on_hand("WIPER") == D("0.00") and inventory.verify() == []
