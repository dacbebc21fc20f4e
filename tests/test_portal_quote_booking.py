"""A customer books an accepted quote from the portal (WebTest, no JavaScript): the visit is linked to the quote."""

from __future__ import annotations

import pytest
import webtest

from shop import booking, quotes, vehicles
from shop.auth import Actor, Role
from tests import portal_support
from tests.portal_support import Browser, make_customer, text

pytest_plugins = ["tests.portal_support"]
anna = portal_support.anna_with_golf


def accepted_quote(customer_id: int, car_id: int, anna: dict[str, int]) -> int:
    """Oil change at a quoted 79.00 and brake pads, both accepted."""
    draft = quotes.create_quote(customer_id, car_id)
    quotes.add_line(draft.id, "service", service=anna["oil"], unit_price="79.00")
    quotes.add_line(draft.id, "service", service=anna["brakes"])
    quotes.send(draft.id)
    return quotes.accept(draft.id).id


def review_page(browser: Browser, quote_id: int, day: str = "2026-11-24") -> webtest.TestResponse:
    """From the quote page through the month calendar and the day's times to the review page."""
    page = browser.get(f"/quotes/{quote_id}")
    month = browser.get(page.html.find("a", string="Choose a time")["href"])
    assert "from quote" in text(month) and "Oil change, Brake pads" in text(month)
    times = browser.get(month.html.find("a", attrs={"data-date": day})["href"])
    return times.forms["times-form"].submit()


def bobs_quote(mailbox, anna: dict[str, int]) -> int:  # type: ignore[no-untyped-def]
    bob = make_customer(mailbox, "bob@example.com", name="Bob Stone", phone="030 5555555")
    return accepted_quote(bob, vehicles.add_vehicle(bob, "Opel", "Astra").id, anna)


def test_an_accepted_quote_is_booked_from_its_page_and_then_says_when(browser: Browser, anna) -> None:
    quote_id = accepted_quote(anna["customer"], anna["car"], anna)
    review = review_page(browser, quote_id)
    assert "Tue 24 Nov 2026, 08:00" in text(review) and f"Quote {quote_id}" in text(review)
    assert "Oil change · 94.01 €" in text(review)  # the quoted price (79.00 net, with VAT), not the catalogue's
    done = review.forms["confirm-form"].submit()
    assert done.status_int == 303 and "done=booked" in done.location
    visit_id = int(done.location.split("/appointments/")[1].split("?")[0])
    visit = booking.get_appointment(visit_id)
    assert visit.source == "portal" and [s.name for s in visit.services] == ["Oil change", "Brake pads"]
    assert quotes.get_quote(quote_id).appointment_id == visit_id
    page = browser.get(f"/quotes/{quote_id}")
    assert "Booked: Tue 24 Nov 2026, 08:00" in text(page) and "Choose a time" not in text(page)
    assert page.html.find("a", href=f"/appointments/{visit_id}") is not None


def test_a_booked_quote_cannot_be_booked_again_from_another_tab(browser: Browser, anna) -> None:
    quote_id = accepted_quote(anna["customer"], anna["car"], anna)
    first_tab = review_page(browser, quote_id)
    second_tab = review_page(browser, quote_id, day="2026-11-25")
    first_tab.forms["confirm-form"].submit()
    refused = second_tab.forms["confirm-form"].submit()
    assert refused.status_int == 200 and "This quote is already booked" in text(refused)
    assert f"Quote {quote_id} is booked for Tue 24 Nov 2026, 08:00" in text(refused)
    assert refused.html.find("a", string="See your appointment") is not None and "confirm-form" not in refused.forms
    assert len(booking.list_appointments(status="scheduled")) == 1
    calendar_again = browser.get(f"/book/calendar?quote={quote_id}")  # an old link goes back to the quote
    assert calendar_again.status_int == 303 and calendar_again.location.endswith(f"/quotes/{quote_id}")


def test_confirming_a_quote_twice_books_it_once(browser: Browser, anna) -> None:
    quote_id = accepted_quote(anna["customer"], anna["car"], anna)
    review = review_page(browser, quote_id)
    first = review.forms["confirm-form"].submit()
    second = review.forms["confirm-form"].submit()
    assert first.status_int == second.status_int == 303 and first.location == second.location
    assert len(booking.list_appointments(status="scheduled")) == 1


def test_a_taken_time_offers_other_times_for_the_quote(browser: Browser, anna) -> None:
    quote_id = accepted_quote(anna["customer"], anna["car"], anna)
    review = review_page(browser, quote_id)
    other = vehicles.add_vehicle(anna["customer"], "Opel", "Corsa")
    booking.book(anna["customer"], other.id, [anna["oil"]], "2026-11-24 08:00")
    page = review.forms["confirm-form"].submit()
    assert "this time was just taken" in text(page)
    retry = page.forms["alternatives-form"].submit()
    assert f"Quote {quote_id}" in text(retry)
    assert retry.forms["confirm-form"].submit().status_int == 303
    assert quotes.get_quote(quote_id).appointment_id is not None


def test_a_quote_not_yet_answered_offers_no_time_and_its_calendar_goes_back(browser: Browser, anna) -> None:
    draft = quotes.create_quote(anna["customer"], anna["car"])
    quotes.add_line(draft.id, "service", service=anna["oil"])
    quotes.send(draft.id)
    assert "Choose a time" not in text(browser.get(f"/quotes/{draft.id}"))
    assert browser.get(f"/book/calendar?quote={draft.id}").location.endswith(f"/quotes/{draft.id}")


@pytest.mark.parametrize("step", ["calendar", "times", "review", "confirm"])
def test_another_customers_quote_in_the_booking_steps_is_404(browser: Browser, anna, mailbox, step: str) -> None:
    theirs = bobs_quote(mailbox, anna)
    if step == "calendar":
        browser.get(f"/book/calendar?quote={theirs}", status=404)
    elif step == "times":
        browser.get(f"/book/calendar?quote={theirs}&date=2026-11-24&fragment=times", status=404)
    elif step == "review":
        browser.get(f"/book/review?quote={theirs}&start=2026-11-24T08:00:00%2B01:00", status=404)
    else:
        form = {"csrf_token": browser.csrf("/account"), "quote": str(theirs), "start": "2026-11-24T08:00:00+01:00",
                "key": "k"}  # fmt: skip
        browser.post("/book", form, status=404)
    assert quotes.get_quote(theirs).appointment_id is None
    assert booking.list_appointments(actor=Actor(Role.CUSTOMER, "a", customer_id=anna["customer"])) == []


def test_booking_a_quote_needs_the_csrf_token(browser: Browser, anna) -> None:
    quote_id = accepted_quote(anna["customer"], anna["car"], anna)
    review = review_page(browser, quote_id)
    fields = [(name, value) for name, value in review.forms["confirm-form"].submit_fields() if name != "csrf_token"]
    assert ("quote", str(quote_id)) in fields
    browser.post("/book", fields, status=403)
    assert quotes.get_quote(quote_id).appointment_id is None


def test_a_quote_not_accepted_is_refused_at_confirm_with_the_reason(browser: Browser, anna) -> None:
    draft = quotes.create_quote(anna["customer"], anna["car"])
    quotes.add_line(draft.id, "service", service=anna["oil"])
    quotes.add_line(draft.id, "service", service=anna["brakes"])
    quotes.send(draft.id)
    quotes.accept(draft.id, [1])  # one line still open: the quote is still "sent"
    form = {"csrf_token": browser.csrf("/account"), "quote": str(draft.id), "start": "2026-11-24T08:00:00+01:00",
            "key": "k"}  # fmt: skip
    page = browser.post("/book", form)
    assert "This quote cannot be booked" in text(page) and "only an accepted quote can be booked" in text(page)
    assert booking.list_appointments(status="scheduled") == []


def test_the_quote_list_says_ready_to_book_then_booked_with_links(browser: Browser, anna) -> None:
    quote_id = accepted_quote(anna["customer"], anna["car"], anna)
    draft = quotes.create_quote(anna["customer"], anna["car"])
    quotes.add_line(draft.id, "service", service=anna["oil"])
    waiting = quotes.send(draft.id).id
    listing = browser.get("/quotes")
    ready = listing.html.find(id=f"quote-{quote_id}-booking").find("a")
    assert ready.get_text(" ", strip=True) == f"Ready to book quote {quote_id}"
    assert ready["href"] == f"/book/calendar?quote={quote_id}"
    assert listing.html.find(id=f"quote-{waiting}-booking").get_text(strip=True) == "–"  # not answered: nothing to book
    review_page(browser, quote_id).forms["confirm-form"].submit()
    visit_id = quotes.get_quote(quote_id).appointment_id
    booked = browser.get("/quotes").html.find(id=f"quote-{quote_id}-booking").find("a")
    assert booked.get_text(strip=True) == "Booked Tue 24 Nov 2026, 08:00"
    assert booked["href"] == f"/appointments/{visit_id}"
    booking.cancel(visit_id)
    again = browser.get("/quotes").html.find(id=f"quote-{quote_id}-booking")
    assert "Ready to book" in again.get_text(" ", strip=True)  # a cancelled visit frees the quote again


def test_the_quote_list_shows_the_car_in_escaped_text(browser: Browser, anna) -> None:
    car = vehicles.add_vehicle(anna["customer"], "<b>Opel</b>", "Astra")
    quote_id = accepted_quote(anna["customer"], car.id, anna)
    listing = browser.get("/quotes")
    assert "&lt;b&gt;Opel&lt;/b&gt;" in listing.text and listing.html.find("b", string="Opel") is None
    assert listing.html.find(id=f"quote-{quote_id}-booking").find("a") is not None


@pytest.mark.parametrize("gone", ["archived", "passed on"])
def test_a_quote_for_a_car_no_longer_in_the_account_explains_instead_of_404(
    browser: Browser, anna, mailbox, gone: str
) -> None:
    quote_id = accepted_quote(anna["customer"], anna["car"], anna)
    if gone == "archived":
        vehicles.archive_vehicle(anna["car"])
    else:
        bob = make_customer(mailbox, "bob@example.com", name="Bob Stone", phone="030 5555555")
        vehicles.edit_vehicle(anna["car"], customer_id=bob)
    info = quotes.get_quote(quote_id)
    assert not info.bookable and info.unbookable == "car_gone"
    page = browser.get(f"/quotes/{quote_id}")
    assert "Choose a time" not in text(page)
    assert "The car on this quote is no longer in your account" in text(page) and "call the shop" in text(page)
    assert page.html.find(id="quote-car-gone").find("a", href="/quotes/new") is not None
    assert "Car no longer in your account" in text(browser.get("/quotes"))
    calendar_page = browser.get(f"/book/calendar?quote={quote_id}")  # an old link: back to the explanation
    assert calendar_page.status_int == 303 and calendar_page.location.endswith(f"/quotes/{quote_id}")
    form = {"csrf_token": browser.csrf("/account"), "quote": str(quote_id), "start": "2026-11-24T08:00:00+01:00",
            "key": "k"}  # fmt: skip
    confirm = browser.post("/book", form)
    assert confirm.status_int == 303 and confirm.location.endswith(f"/quotes/{quote_id}")
    assert quotes.get_quote(quote_id).appointment_id is None


def test_staff_booking_a_quote_for_an_archived_car_is_refused_as_not_bookable(anna) -> None:
    quote_id = accepted_quote(anna["customer"], anna["car"], anna)
    vehicles.archive_vehicle(anna["car"])
    with pytest.raises(quotes.NotBookable, match="archived; restore the car if the customer still has it, or quote"):
        quotes.services_to_book(quote_id)
    with pytest.raises(quotes.NotBookable, match="archived"):
        quotes.book_accepted(quote_id, "2026-11-24 08:00")
    listed = next(q for q in quotes.list_quotes() if q.id == quote_id)
    assert not listed.bookable and listed.unbookable == "car_gone"


def test_the_appointment_booked_from_a_quote_links_back_to_it_and_a_plain_one_does_not(browser: Browser, anna) -> None:
    quote_id = accepted_quote(anna["customer"], anna["car"], anna)
    visit_id = int(review_page(browser, quote_id).forms["confirm-form"].submit().location.split("/")[-1].split("?")[0])
    source = browser.get(f"/appointments/{visit_id}").html.find(id="from-quote")
    assert source.get_text(" ", strip=True) == f"Booked from quote {quote_id}"
    assert source.find("a")["href"] == f"/quotes/{quote_id}"
    plain = booking.book(anna["customer"], anna["car"], [anna["oil"]], "2026-11-26 08:00")
    assert browser.get(f"/appointments/{plain.id}").html.find(id="from-quote") is None
