"""A customer's history (visits past and upcoming, quotes, invoices paid or not, reviews) in a few queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playhouse.test_utils import count_queries

from shop import booking, history, invoices, jobs, quotes, reviews
from shop.auth import Actor, Role
from shop.errors import Forbidden, NotFound
from tests.scheduling_helpers import Shop, make_shop

MECHANIC = Actor(Role.MECHANIC, "max")
DESK = Actor(Role.FRONT_DESK, "desk")


def completed_visit(customer_id: int, car_id: int, service: int, at: str, paid: bool) -> tuple[int, int]:
    """A visit done and invoiced (paid in full or not at all): (appointment id, invoice id)."""
    appointment = booking.book(customer_id, car_id, [service], at)
    job = jobs.check_in(appointment.id, mileage=42000)
    jobs.set_status(job.id, "in_progress")
    jobs.set_status(job.id, "completed")
    issued = invoices.issue(jobs.create_invoice(job.id).id)
    if paid:
        invoices.pay(issued.id, issued.due)
    return appointment.id, issued.id


def reviewed(customer_id: int, appointment_id: int, rating: int, comment: str) -> None:
    reviews.submit_review(appointment_id, rating, comment, actor=Actor(Role.CUSTOMER, "c", customer_id=customer_id))


def sent_quote(customer_id: int, car_id: int, service: int) -> int:
    draft = quotes.create_quote(customer_id, car_id)
    quotes.add_line(draft.id, "service", service=service)
    return quotes.send(draft.id).id


@pytest.fixture
def shop(db) -> Shop:  # type: ignore[no-untyped-def]
    return make_shop(bays=1)


def test_history_splits_visits_and_shows_quotes_invoices_paid_or_not_and_reviews(shop: Shop) -> None:
    first, paid_invoice = completed_visit(shop.customer_id, shop.car_id, shop.oil, "2026-11-23 09:00", paid=True)
    second, unpaid_invoice = completed_visit(shop.customer_id, shop.car_id, shop.brakes, "2026-11-24 09:00", False)
    cancelled = booking.book(shop.customer_id, shop.car_id, [shop.quick], "2026-11-25 09:00")
    booking.cancel(cancelled.id, "car sold")
    ahead = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-30 09:00")
    quote_id = sent_quote(shop.customer_id, shop.car_id, shop.brakes)
    reviewed(shop.customer_id, first, 5, "Quick and friendly")
    completed_visit(shop.other_customer_id, shop.other_car_id, shop.oil, "2026-11-23 13:00", paid=False)

    seen = history.customer_history(shop.customer_id, actor=DESK)

    assert [a.id for a in seen.upcoming] == [ahead.id]
    assert [(a.id, a.status) for a in seen.past] == [
        (cancelled.id, "cancelled"),
        (second, "completed"),
        (first, "completed"),
    ]
    assert seen.past_total == 3
    assert [(q.id, q.status) for q in seen.quotes or ()] == [(quote_id, "sent")]
    assert [(i.id, i.status, history.is_unpaid(i)) for i in seen.invoices or ()] == [
        (unpaid_invoice, "issued", True),
        (paid_invoice, "paid", False),
    ]
    owed = invoices.get_invoice(unpaid_invoice).due
    assert owed > 0 and seen.unpaid == owed
    assert [(r.appointment_id, r.rating, r.comment) for r in seen.reviews or ()] == [(first, 5, "Quick and friendly")]


def test_history_is_read_in_the_same_few_queries_however_long_it_is(shop: Shop) -> None:
    """No query per visit, quote, invoice or review: a long history costs what a short one does."""
    for day, paid in (("2026-11-23", True), ("2026-11-24", False), ("2026-11-25", True), ("2026-11-26", False)):
        appointment, _ = completed_visit(shop.customer_id, shop.car_id, shop.oil, f"{day} 09:00", paid)
        reviewed(shop.customer_id, appointment, 4, "")
        sent_quote(shop.customer_id, shop.car_id, shop.brakes)
    booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-30 09:00")
    booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-12-01 09:00")
    appointment, _ = completed_visit(shop.other_customer_id, shop.other_car_id, shop.oil, "2026-11-23 13:00", True)
    reviewed(shop.other_customer_id, appointment, 3, "")
    sent_quote(shop.other_customer_id, shop.other_car_id, shop.brakes)
    booking.book(shop.other_customer_id, shop.other_car_id, [shop.oil], "2026-11-30 13:00")

    with count_queries() as long_history:
        long = history.customer_history(shop.customer_id, actor=DESK)
    with count_queries() as short_history:
        short = history.customer_history(shop.other_customer_id, actor=DESK)

    assert (len(long.past), len(long.upcoming), len(long.invoices or ()), len(long.reviews or ())) == (4, 2, 4, 4)
    assert (len(short.past), len(short.upcoming), len(short.invoices or ()), len(short.reviews or ())) == (1, 1, 1, 1)
    assert long_history.count == short_history.count <= 12


def test_past_visits_are_capped_newest_first_with_the_total_kept(shop: Shop) -> None:
    ids = [
        completed_visit(shop.customer_id, shop.car_id, shop.quick, at, True)[0]
        for at in ("2026-11-23 08:00", "2026-11-23 09:00")
    ]
    seen = history.customer_history(shop.customer_id, actor=DESK, past_limit=1)
    assert [a.id for a in seen.past] == [ids[1]] and seen.past_total == 2


def test_a_mechanic_sees_visits_but_not_invoices(shop: Shop) -> None:
    completed_visit(shop.customer_id, shop.car_id, shop.oil, "2026-11-23 09:00", paid=False)
    seen = history.customer_history(shop.customer_id, actor=MECHANIC)
    assert len(seen.past) == 1 and seen.quotes == () and seen.reviews == ()
    assert seen.invoices is None and seen.unpaid == Decimal("0.00")


def test_customers_may_not_read_a_history_and_an_unknown_customer_is_not_found(shop: Shop) -> None:
    with pytest.raises(Forbidden):
        history.customer_history(shop.customer_id, actor=Actor(Role.CUSTOMER, "c", customer_id=shop.customer_id))
    with pytest.raises(NotFound):
        history.customer_history(999_999, actor=DESK)
