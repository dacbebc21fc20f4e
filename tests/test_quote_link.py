"""A quote knows the appointment it was booked as: one visit per quote, one bill per visit.

Before the link, an accepted quote could be booked twice and billed twice (once as the quote,
once as its job); these tests pin the rules that prevent both, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from shop import booking, inventory, invoices, jobs, migrations, quotes, staff
from shop.auth import Actor, Role
from shop.errors import Conflict, Forbidden, NotFound, ValidationError
from tests.conftest import run_garage_process
from tests.scheduling_helpers import Shop, make_shop
from tests.test_migrations import first_version_db  # noqa: F401  (the fixture, for the upgrade test)

D = Decimal


@pytest.fixture
def shop(db) -> Shop:
    made = make_shop(bays=2)
    staff.add_staff("mara", "Mara Schulz", "mechanic", "mara-password-1")
    inventory.add_part("OIL", "Engine oil 5W-30", "14.90", unit_cost="6.00")
    inventory.receive("OIL", "10")
    return made


def _accepted_quote(shop: Shop, oil_litres: str | None = None) -> int:
    quote = quotes.create_quote(shop.customer_id, shop.car_id)
    quotes.add_line(quote.id, "service", service=shop.brakes, unit_price="199.00")  # a quoted price
    if oil_litres:
        quotes.add_line(quote.id, "part", part="OIL", quantity=oil_litres)
    quotes.send(quote.id)
    quotes.accept(quote.id)
    return quote.id


def _done(appointment_id: int, oil_litres: str | None = None) -> int:
    job = jobs.check_in(appointment_id, mechanic="mara")
    if oil_litres:
        jobs.use_part(job.id, "OIL", oil_litres)
    jobs.set_status(job.id, "in_progress")
    jobs.set_status(job.id, "completed")
    return job.id


def test_booking_a_quote_links_it_and_a_second_booking_is_refused_until_the_first_is_cancelled(shop) -> None:
    quote_id = _accepted_quote(shop)
    first = quotes.book_accepted(quote_id, "2026-11-24 09:00")
    assert quotes.get_quote(quote_id).appointment_id == first.id
    with pytest.raises(Conflict, match=rf"already booked as appointment #{first.id} on 2026-11-24 09:00"):
        quotes.book_accepted(quote_id, "2026-11-25 09:00")
    with pytest.raises(Conflict, match="already booked"):  # what a desk looking up free times is told first
        quotes.services_to_book(quote_id)
    booking.cancel(first.id, reason="customer ill")
    assert quotes.services_to_book(quote_id) == [shop.brakes]
    second = quotes.book_accepted(quote_id, "2026-11-25 09:00")
    assert quotes.get_quote(quote_id).appointment_id == second.id != first.id


def test_a_quote_made_for_an_appointment_is_linked_and_not_booked_a_second_time(shop) -> None:
    visit = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 09:00")
    quote = quotes.create_for_appointment(visit.id)
    assert quote.appointment_id == visit.id
    quotes.send(quote.id)
    quotes.accept(quote.id)
    with pytest.raises(Conflict, match=f"already booked as appointment #{visit.id}"):
        quotes.book_accepted(quote.id, "2026-11-25 09:00")


def test_a_job_booked_from_a_quote_is_billed_once_whichever_invoice_comes_first(shop) -> None:
    quote_id = _accepted_quote(shop)
    job_id = _done(quotes.book_accepted(quote_id, "2026-11-24 09:00").id)
    from_job = jobs.create_invoice(job_id)
    with pytest.raises(Conflict, match=f"already has invoice draft #{from_job.id}"):
        invoices.create_from_quote(quote_id)
    invoices.issue(from_job.id)
    invoices.credit(from_job.id, "billed the booked price, not the quoted one")
    from_quote = invoices.create_from_quote(quote_id)  # the credited job invoice no longer counts
    assert [(x.description, x.unit_price) for x in from_quote.lines] == [("Brake pads", D("199.00"))]
    assert jobs.get_job(job_id).invoice == f"draft #{from_quote.id}"
    with pytest.raises(Conflict, match=f"already has invoice draft #{from_quote.id}"):
        jobs.create_invoice(job_id)


def test_the_quote_invoice_of_a_visit_whose_job_is_invoiced_is_refused_even_without_a_quote_mark(shop) -> None:
    """An invoice made for the job before the quote was accepted carries no quote id; the link still finds it."""
    visit = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 09:00")
    quote = quotes.create_for_appointment(visit.id)
    job_id = _done(visit.id)
    invoice = jobs.create_invoice(job_id)  # the quote is still a draft: not billed by this invoice
    assert invoices.get_invoice(invoice.id).quote_id is None
    quotes.send(quote.id)
    quotes.accept(quote.id)
    with pytest.raises(Conflict, match=f"whose job is already invoiced as draft #{invoice.id}"):
        invoices.create_from_quote(quote.id)


def test_a_quote_never_booked_is_a_counter_sale_and_its_parts_leave_the_shelf_when_invoiced(shop) -> None:
    draft = invoices.create_from_quote(_accepted_quote(shop, oil_litres="4.5"))
    assert inventory.get_part("OIL").on_hand == D("10.00")
    issued = invoices.issue(draft.id)
    assert inventory.get_part("OIL").on_hand == D("5.50")
    invoices.credit(issued.id, "returned unopened")
    assert inventory.get_part("OIL").on_hand == D("10.00")


def test_a_booked_quote_counts_what_its_job_used_and_takes_only_the_rest(shop) -> None:
    quote_id = _accepted_quote(shop, oil_litres="4.5")
    _done(quotes.book_accepted(quote_id, "2026-11-24 09:00").id, oil_litres="3")
    assert inventory.get_part("OIL").on_hand == D("7.00")
    invoices.issue(invoices.create_from_quote(quote_id).id)
    assert inventory.get_part("OIL").on_hand == D("5.50")  # 4.5 billed: 3 taken by the job, 1.5 now


def test_quoted_parts_wait_for_the_job_while_the_visit_is_ahead_but_not_after_it_is_cancelled(shop) -> None:
    ahead = _accepted_quote(shop, oil_litres="2")
    quotes.book_accepted(ahead, "2026-11-24 09:00")
    invoices.issue(invoices.create_from_quote(ahead).id)
    assert inventory.get_part("OIL").on_hand == D("10.00")  # the job will take them
    called_off = _accepted_quote(shop, oil_litres="2")
    visit = quotes.book_accepted(called_off, "2026-11-24 13:00")
    booking.cancel(visit.id)
    invoices.issue(invoices.create_from_quote(called_off).id)
    assert inventory.get_part("OIL").on_hand == D("8.00")  # sold over the counter after all


def test_desks_booking_the_same_quote_at_once_get_one_appointment(db, shop) -> None:
    """Six processes book one accepted quote at six different free times: one wins, five are told why."""
    quote_id = _accepted_quote(shop)
    starts = [f"2026-11-{day} {hour}:00" for day in (24, 25) for hour in ("09", "13", "14")]

    def book(start: str):  # type: ignore[no-untyped-def]
        return run_garage_process(db.url, "quote", "book", str(quote_id), "--start", start, "--json")

    with ThreadPoolExecutor(max_workers=len(starts)) as pool:
        results = list(pool.map(book, starts))
    won = [r for r in results if r.returncode == 0]
    lost = [r for r in results if r.returncode != 0]
    assert len(won) == 1, [r.stderr for r in results]
    problems = [(r.returncode, r.stderr[-400:]) for r in lost if r.returncode != 3 or "already booked" not in r.stderr]
    assert problems == []
    active = [a for a in booking.list_appointments(status="scheduled") if a.notes == f"From quote #{quote_id}"]
    assert len(active) == 1 and quotes.get_quote(quote_id).appointment_id == active[0].id


def _customer(customer_id: int) -> Actor:
    return Actor(role=Role.CUSTOMER, name="portal", customer_id=customer_id)


def test_a_customer_books_their_own_accepted_quote_online_and_no_one_elses(shop) -> None:
    quote_id = _accepted_quote(shop)
    assert quotes.get_quote(quote_id).bookable
    with pytest.raises(NotFound):  # another customer's quote does not exist for them
        quotes.book_accepted(quote_id, "2026-11-24 09:00", actor=_customer(shop.other_customer_id))
    with pytest.raises(Forbidden):  # a mechanic may read quotes but not book
        quotes.book_accepted(quote_id, "2026-11-24 09:00", actor=Actor(Role.MECHANIC, "mara", staff_id=1))
    visit = quotes.book_accepted(quote_id, "2026-11-24 09:00", actor=_customer(shop.customer_id))
    assert visit.source == "portal" and [s.service_id for s in visit.services] == [shop.brakes]
    info = quotes.get_quote(quote_id)
    assert info.appointment_id == visit.id and not info.bookable
    assert info.booked_start == visit.start
    with pytest.raises(quotes.NotBookable, match=f"already booked as appointment #{visit.id}"):
        quotes.book_accepted(quote_id, "2026-11-25 09:00", actor=_customer(shop.customer_id))


def test_a_customer_booking_a_quote_keeps_the_online_notice(shop) -> None:
    quote_id = _accepted_quote(shop)
    with pytest.raises(ValidationError, match="too soon: book at least 120 minutes ahead"):  # it is 07:00
        quotes.book_accepted(quote_id, "2026-11-23 08:00", actor=_customer(shop.customer_id))
    assert quotes.get_quote(quote_id).appointment_id is None


def test_the_same_idempotency_key_returns_the_same_appointment_and_a_new_key_is_refused(shop) -> None:
    """A double click on "Book now" is one booking; a second tab with its own key is told the quote is booked."""
    quote_id = _accepted_quote(shop)
    me = _customer(shop.customer_id)
    first = quotes.book_accepted(quote_id, "2026-11-24 09:00", actor=me, idempotency_key="portal:k1")
    again = quotes.book_accepted(quote_id, "2026-11-24 09:00", actor=me, idempotency_key="portal:k1")
    assert again.id == first.id
    with pytest.raises(quotes.NotBookable, match="already booked"):
        quotes.book_accepted(quote_id, "2026-11-24 13:00", actor=me, idempotency_key="portal:k2")
    assert len(booking.list_appointments(status="scheduled")) == 1


def test_a_key_used_for_another_booking_does_not_link_that_booking_to_the_quote(shop) -> None:
    quote_id = _accepted_quote(shop)
    other = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 09:00", idempotency_key="portal:k")
    with pytest.raises(Conflict, match="already used for another booking"):
        quotes.book_accepted(quote_id, "2026-11-25 09:00", idempotency_key="portal:k")
    assert quotes.get_quote(quote_id).appointment_id is None and booking.get_appointment(other.id).notes == ""


def test_a_quote_is_bookable_only_when_accepted_with_a_service_and_not_booked(shop) -> None:
    draft = quotes.create_quote(shop.customer_id, shop.car_id)
    quotes.add_line(draft.id, "service", service=shop.brakes)
    quotes.add_line(draft.id, "other", description="Disposal", unit_price="8.50")
    quotes.send(draft.id)
    assert not quotes.get_quote(draft.id).bookable  # sent, not answered
    quotes.accept(draft.id, [2])
    quotes.decline(draft.id, [1])
    assert quotes.get_quote(draft.id).status == "accepted" and not quotes.get_quote(draft.id).bookable
    booked = _accepted_quote(shop)
    visit = quotes.book_accepted(booked, "2026-11-24 09:00")
    assert not quotes.get_quote(booked).bookable
    booking.cancel(visit.id)
    info = quotes.get_quote(booked)
    assert info.bookable and info.booked_start is None


def test_upgrade_links_quotes_to_appointments_from_their_notes(first_version_db: str) -> None:  # noqa: F811
    """A shop's quotes booked before the link get it back from the notes both sides wrote."""
    from shop.db import database, is_postgres

    migrations.upgrade(until="m0042_appointment_window_index")
    made = make_shop(bays=2)
    p = "%s" if is_postgres() else "?"

    def quote(notes: str) -> int:
        values = (made.customer_id, made.car_id, "accepted", notes, "2026-11-20 08:00:00.000000")
        sql = f"INSERT INTO quote (customer_id, vehicle_id, status, notes, created_at) VALUES ({p}, {p}, {p}, {p}, {p})"
        if is_postgres():
            return database.execute_sql(sql + " RETURNING id", values).fetchone()[0]
        return database.execute_sql(sql, values).lastrowid

    booked = quote("")
    visit = booking.book(
        made.customer_id, made.car_id, [made.brakes], "2026-11-24 09:00", notes=f"From quote #{booked}"
    )
    at_desk = booking.book(made.customer_id, made.car_id, [made.oil], "2026-11-25 09:00")
    made_for = quote(f"Appointment #{at_desk.id}")
    other = booking.book(made.other_customer_id, made.other_car_id, [made.oil], "2026-11-26 09:00")
    not_theirs = quote(f"Appointment #{other.id}")  # names another customer's visit: left alone
    loose = quote("call back about tyres")
    migrations.upgrade()
    linked = {q: quotes.get_quote(q).appointment_id for q in (booked, made_for, not_theirs, loose)}
    assert linked == {booked: visit.id, made_for: at_desk.id, not_theirs: None, loose: None}
