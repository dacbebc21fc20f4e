"""Booking, my appointments, rescheduling and cancelling over HTTP (WebTest), without JavaScript."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from shop import accounts, booking, settings, vehicles
from shop.auth import Actor, Role
from shop.scheduling import calendar
from tests.portal_support import Browser, make_customer, text

pytest_plugins = ["tests.portal_support"]


@pytest.fixture
def anna(browser: Browser, mailbox, shop_open) -> dict[str, int]:  # type: ignore[no-untyped-def]
    customer_id = make_customer(mailbox, "anna@example.com")
    car = vehicles.add_vehicle(customer_id, "Volkswagen", "Golf", plate="B-AB 123")
    browser.log_in("anna@example.com")
    return {"customer": customer_id, "car": car.id, **shop_open}


def actor(customer_id: int) -> Actor:
    return Actor(role=Role.CUSTOMER, name="t", customer_id=customer_id)


def book_through_pages(browser: Browser, anna: dict[str, int], day: str = "2026-11-24", pick: int = 0):  # type: ignore[no-untyped-def]
    month = browser.get(f"/book/calendar?car={anna['car']}&service={anna['oil']}&service={anna['tyres']}")
    link = month.html.find("a", attrs={"data-date": day})
    assert link is not None, f"{day} is not offered"
    times = browser.get(link["href"])
    form = times.forms["times-form"]
    radios = times.html.select("input[name=start]")
    form["start"] = radios[pick]["value"]
    review = form.submit()
    return review


def test_choosing_a_car_and_services_leads_to_a_month_calendar_of_free_days(browser: Browser, anna) -> None:
    page = browser.get("/book")
    form = page.forms["book-form"]
    form.get("service", index=0).checked = True
    month = form.submit()
    assert month.status_int == 200 and "November 2026" in text(month)
    free = [a["data-date"] for a in month.html.select("a.day")]
    # Monday 23rd from 10:00 (2 h notice), then working days; no weekends.
    assert free[:5] == ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"]
    assert "2026-11-28" not in free
    label = month.html.find("a", attrs={"data-date": "2026-11-24"})["aria-label"]
    assert label.startswith("Tuesday 24 November 2026") and "free times" in label


def test_booking_without_javascript_books_and_shows_the_confirmation(browser: Browser, anna) -> None:
    review = book_through_pages(browser, anna)
    assert "Tue 24 Nov 2026, 08:00" in text(review) and "152.32 €" in text(review)
    done = review.forms["confirm-form"].submit()
    assert done.status_int == 303 and "done=booked" in done.location
    confirmation = done.follow()
    assert "Your appointment is booked" in text(confirmation)
    mine = booking.list_appointments(actor=actor(anna["customer"]))
    assert (
        len(mine) == 1
        and mine[0].source == "portal"
        and [s.name for s in mine[0].services]
        == [
            "Oil change",
            "Tyre change",
        ]
    )
    assert "Estimated price 152.32 € (incl. 19% VAT)" in text(confirmation)


def test_the_price_a_customer_is_shown_is_what_the_invoice_for_those_services_charges(browser: Browser, anna) -> None:
    from shop import invoices, jobs

    done = book_through_pages(browser, anna).forms["confirm-form"].submit().follow()
    shown = text(done).split("Estimated price ")[1].split(" €")[0]
    (visit,) = booking.list_appointments(actor=actor(anna["customer"]))
    job = jobs.check_in(visit.id)
    jobs.set_status(job.id, "in_progress")
    jobs.set_status(job.id, "completed")
    assert invoices.issue(jobs.create_invoice(job.id).id).totals.total == Decimal(shown) == Decimal("152.32")


def test_confirming_twice_books_once(browser: Browser, anna) -> None:
    review = book_through_pages(browser, anna)
    first = review.forms["confirm-form"].submit()
    second = review.forms["confirm-form"].submit()
    assert first.location == second.location
    assert len(booking.list_appointments(actor=actor(anna["customer"]))) == 1


def test_a_slot_taken_meanwhile_offers_the_nearest_alternatives(browser: Browser, anna) -> None:
    review = book_through_pages(browser, anna)
    other = vehicles.add_vehicle(anna["customer"], "Opel", "Corsa")
    booking.book(anna["customer"], other.id, [anna["oil"]], "2026-11-24 08:00")
    page = review.forms["confirm-form"].submit()
    assert page.status_int == 200 and "this time was just taken" in text(page)
    choices = [i["value"] for i in page.html.select("#alternatives-form input[name=start]")]
    assert choices and all("2026-11-24" in c for c in choices[:1])
    retry = page.forms["alternatives-form"].submit()
    assert retry.forms["confirm-form"].submit().status_int == 303
    assert len(booking.list_appointments(actor=actor(anna["customer"]))) == 2


def test_the_times_fragment_for_javascript_has_only_the_times(browser: Browser, anna) -> None:
    url = f"/book/calendar?car={anna['car']}&service={anna['oil']}&date=2026-11-24&fragment=times"
    fragment = browser.get(url)
    assert "<html" not in fragment.text and 'name="start"' in fragment.text
    assert fragment.html.select("input[name=start]")[0]["value"].startswith("2026-11-24T08:00")


def test_free_times_of_a_day_follow_bookings_cancellations_and_hours_at_once(browser: Browser, anna, mailbox) -> None:
    url = f"/book/calendar?car={anna['car']}&service={anna['oil']}&date=2026-11-24&fragment=times"

    def starts() -> list[str]:
        return [i["value"][11:16] for i in browser.get(url).html.select("input[name=start]")]

    assert starts()[:2] == ["08:00", "08:15"]  # the answer is now cached
    bob = make_customer(mailbox, "bob@example.com", name="Bob Stone", phone="030 5555555")
    taken = booking.book(bob, vehicles.add_vehicle(bob, "Opel", "Astra").id, [anna["oil"]], "2026-11-24 08:00")
    assert starts()[0] == "09:00"
    booking.cancel(taken.id)
    assert starts()[:2] == ["08:00", "08:15"]
    calendar.set_hours("tue", "14:00-16:00")
    assert starts() == ["14:00", "14:15", "14:30", "14:45", "15:00"]
    settings.set_value("schedule.slot_minutes", "30")
    assert starts() == ["14:00", "14:30", "15:00"]


def test_missing_car_and_services_are_named_next_to_their_fields(browser: Browser, anna) -> None:
    page = browser.get("/book/calendar")
    assert page.html.find(id="car-error") is not None and page.html.find(id="service-error") is not None
    assert booking.list_appointments(actor=actor(anna["customer"])) == []


def test_another_customers_car_cannot_be_booked(browser: Browser, anna, mailbox) -> None:
    bob = make_customer(mailbox, "bob@example.com", name="Bob", phone="030 5555555")
    bobs_car = vehicles.add_vehicle(bob, "Opel", "Astra")
    page = browser.get(f"/book/calendar?car={bobs_car.id}&service={anna['oil']}")
    assert "choose one of your cars" in page.html.find(id="car-error").get_text()
    csrf = browser.csrf("/account")
    form = {
        "csrf_token": csrf,
        "car": str(bobs_car.id),
        "service": str(anna["oil"]),
        "start": "2026-11-24T08:00:00+01:00",
    }
    browser.post("/book", form, status=303)
    assert booking.list_appointments(actor=actor(bob)) == []


def test_an_archived_car_or_a_nonsense_car_id_cannot_be_booked(browser: Browser, anna) -> None:
    url = f"/book/calendar?service={anna['oil']}&date=2026-11-24&fragment=times&car="
    assert browser.get(url + str(anna["car"])).html.select("input[name=start]")
    for bad in ("abc", "-1", "0", "99999999999999999999999", "1e3"):
        assert "please choose one of your cars" in text(browser.get(url + bad))
    vehicles.archive_vehicle(anna["car"])
    refused = browser.get(url + str(anna["car"]))
    assert not refused.html.select("input[name=start]") and "Please add your car first" in text(refused)


def test_booking_post_without_csrf_is_refused(browser: Browser, anna) -> None:
    review = book_through_pages(browser, anna)
    form = review.forms["confirm-form"]
    form["csrf_token"] = "forged"
    form.submit(status=403)
    assert booking.list_appointments(actor=actor(anna["customer"])) == []


def test_my_appointments_lists_upcoming_and_past(browser: Browser, anna, frozen_clock) -> None:
    a = booking.book(anna["customer"], anna["car"], [anna["oil"]], "2026-11-24 08:00")
    page = browser.get("/appointments")
    assert "Tue 24 Nov 2026, 08:00" in text(page)
    booking.set_status(a.id, "checked_in")
    booking.set_status(a.id, "in_progress")
    booking.set_status(a.id, "completed")
    page = browser.get("/appointments")
    assert "No upcoming appointment" in text(page) and "Ready" in text(page)


def test_status_page_follows_the_repair(browser: Browser, anna) -> None:
    a = booking.book(anna["customer"], anna["car"], [anna["oil"]], "2026-11-24 08:00")
    booking.set_status(a.id, "checked_in")
    booking.set_status(a.id, "in_progress")
    page = browser.get(f"/appointments/{a.id}")
    assert "Status: Being repaired" in text(page)
    current = page.html.select_one('.progress [aria-current="step"]').get_text()
    assert current == "Being repaired"
    history = [li.find("strong").get_text() for li in page.html.select(".timeline li")]
    assert history == ["Booked", "Car received", "Being repaired"]


def test_reschedule_moves_the_appointment(browser: Browser, anna) -> None:
    a = booking.book(anna["customer"], anna["car"], [anna["oil"]], "2026-11-25 08:00")
    month = browser.get(f"/appointments/{a.id}/reschedule")
    link = month.html.find("a", attrs={"data-date": "2026-11-26"})
    times = browser.get(link["href"])
    review = times.forms["times-form"].submit()
    assert "Move my appointment" in review.text
    done = review.forms["confirm-form"].submit()
    assert "done=rescheduled" in done.location
    moved = booking.get_appointment(a.id)
    assert moved.start.date().isoformat() == "2026-11-26" and moved.reschedule_count == 1


def test_reschedule_limit_and_cutoff_come_from_the_shop_policy(browser: Browser, anna, frozen_clock) -> None:
    settings.set_value("booking.max_reschedules", "0")
    a = booking.book(anna["customer"], anna["car"], [anna["oil"]], "2026-11-26 08:00")
    page = browser.get(f"/appointments/{a.id}")
    assert "at most 0 times" in text(page) and page.html.find("a", href=f"/appointments/{a.id}/reschedule") is None
    assert browser.get(f"/appointments/{a.id}/reschedule").status_int == 303
    frozen_clock.advance(timedelta(days=2, hours=10))  # Wed 25th 18:00 local: within 24 h
    browser.log_in("anna@example.com")  # the session expired meanwhile
    page = browser.get(f"/appointments/{a.id}")
    assert "until 24 hours before" in text(page)
    assert page.html.find("a", href=f"/appointments/{a.id}/cancel") is None


def test_cancel_within_policy(browser: Browser, anna) -> None:
    a = booking.book(anna["customer"], anna["car"], [anna["oil"]], "2026-11-25 08:00")
    page = browser.get(f"/appointments/{a.id}/cancel")
    done = browser.submit_form(page, "cancel-form", reason="Car sold")
    assert "done=cancelled" in done.location
    assert booking.get_appointment(a.id).status == "cancelled"


def test_cancel_after_the_cutoff_is_refused_with_the_reason(browser: Browser, anna, frozen_clock) -> None:
    a = booking.book(anna["customer"], anna["car"], [anna["oil"]], "2026-11-24 08:00")
    csrf = browser.csrf(f"/appointments/{a.id}")
    frozen_clock.advance(timedelta(minutes=30))  # now 23.5 h before the start
    page = browser.post(f"/appointments/{a.id}/cancel", {"csrf_token": csrf, "reason": ""})
    assert page.status_int == 200 and "24 hours before" in text(page)
    assert booking.get_appointment(a.id).status == "scheduled"


@pytest.mark.parametrize(
    "suffix", ["", "/cancel", "/reschedule", "/reschedule/review?start=2026-11-26T08:00:00%2B01:00"]
)
def test_another_customers_appointment_is_404(browser: Browser, anna, mailbox, suffix: str) -> None:
    bob = make_customer(mailbox, "bob@example.com", name="Bob", phone="030 5555555")
    bobs_car = vehicles.add_vehicle(bob, "Opel", "Astra")
    theirs = booking.book(bob, bobs_car.id, [anna["oil"]], "2026-11-25 08:00")
    browser.get(f"/appointments/{theirs.id}{suffix}", status=404)


@pytest.mark.parametrize("suffix", ["/cancel", "/reschedule"])
def test_posting_to_another_customers_appointment_is_404_and_changes_nothing(
    browser: Browser, anna, mailbox, suffix: str
) -> None:
    bob = make_customer(mailbox, "bob@example.com", name="Bob", phone="030 5555555")
    bobs_car = vehicles.add_vehicle(bob, "Opel", "Astra")
    theirs = booking.book(bob, bobs_car.id, [anna["oil"]], "2026-11-25 08:00")
    csrf = browser.csrf("/account")
    form = {"csrf_token": csrf, "start": "2026-11-26T08:00:00+01:00", "reason": "x"}
    browser.post(f"/appointments/{theirs.id}{suffix}", form, status=404)
    after = booking.get_appointment(theirs.id)
    assert after.status == "scheduled" and after.start.date().isoformat() == "2026-11-25"


@pytest.mark.parametrize("path", ["/book", "/book/calendar", "/book/review", "/appointments", "/appointments/1"])
def test_booking_pages_need_a_log_in(browser: Browser, shop_open, path: str) -> None:
    assert "/login?next=" in browser.get(path).location


def test_the_options_mirror_the_service_policy(anna) -> None:
    a = booking.book(anna["customer"], anna["car"], [anna["oil"]], "2026-11-26 08:00")
    options = accounts.appointment_options(actor(anna["customer"]), booking.get_appointment(a.id))
    assert options.can_cancel and options.can_reschedule and options.upcoming


def test_the_review_page_says_until_when_the_new_booking_can_be_changed_online(browser: Browser, anna) -> None:
    review = book_through_pages(browser, anna, day="2026-11-25")
    terms = review.html.find(id="change-terms")
    assert terms.get_text(" ", strip=True) == (
        "You can move or cancel it online until Tue 24 Nov 2026, 08:00 (24 hours before it starts)."
    )


def test_a_time_inside_the_cutoff_is_flagged_with_the_shops_number_before_booking(browser: Browser, anna) -> None:
    settings.set_value("shop.phone", "+49 30 1234567")
    review = book_through_pages(browser, anna, day="2026-11-23")  # today 10:00, two hours from now
    terms = review.html.find(id="change-terms")
    assert "warning" in terms["class"]
    assert terms.get_text(" ", strip=True) == (
        "This time is less than 24 hours away: once booked, it cannot be moved or cancelled online. "
        "To change it, please call us on +49 30 1234567 ."
    )
    assert terms.find("a")["href"] == "tel:+49301234567"
    assert "confirm-form" in review.forms  # a warning, not a refusal


def test_the_review_of_the_last_allowed_move_says_it_cannot_be_moved_again(browser: Browser, anna) -> None:
    settings.set_value("booking.max_reschedules", "1")
    a = booking.book(anna["customer"], anna["car"], [anna["oil"]], "2026-11-25 08:00")
    review = browser.get(f"/appointments/{a.id}/reschedule/review?start=2026-11-26T08:00:00%2B01:00")
    terms = review.html.find(id="change-terms").get_text(" ", strip=True)
    assert terms.startswith("You can cancel it online until Wed 25 Nov 2026, 08:00 (24 hours before it starts).")
    assert "It cannot be moved online again: to move it, please call" in terms


def test_the_appointment_page_tells_how_to_call_when_it_cannot_be_changed_online(browser: Browser, anna) -> None:
    settings.set_value("shop.phone", "+49 30 1234567")
    a = booking.book(anna["customer"], anna["car"], [anna["oil"]], "2026-11-23 10:00")
    why = browser.get(f"/appointments/{a.id}").html.find(id="why-not")
    assert why.get_text(" ", strip=True) == (
        "Appointments can be changed online until 24 hours before. To change it now, please call us on +49 30 1234567 ."
    )
    assert why.find("a")["href"] == "tel:+49301234567"


def test_the_change_window_follows_the_cutoff_and_the_moves_left(anna) -> None:
    from datetime import datetime

    settings.set_many({"booking.cancel_cutoff_hours": "48", "booking.max_reschedules": "2"})
    start = datetime.fromisoformat("2026-11-26T08:00:00+01:00")
    window = accounts.change_window(start)
    assert (window.until.isoformat(), window.hours, window.open, window.moves_left) == (
        "2026-11-24T08:00:00+01:00", 48, True, 2,
    )  # fmt: skip
    a = booking.book(anna["customer"], anna["car"], [anna["oil"]], "2026-11-30 08:00")
    booking.reschedule(a.id, "2026-12-01 08:00")
    moved = booking.get_appointment(a.id)
    assert accounts.change_window(start, moving=moved).moves_left == 0  # one move made, this is the second
    assert not accounts.change_window(datetime.fromisoformat("2026-11-24T10:00:00+01:00")).open


def test_a_move_shows_its_old_and_new_time_in_words_and_never_the_staff_note(browser: Browser, anna) -> None:
    a = booking.book(anna["customer"], anna["car"], [anna["oil"]], "2026-11-25 08:00")
    booking.reschedule(a.id, "2026-11-26 09:00", note="customer was rude on the phone")
    page = browser.get(f"/appointments/{a.id}")
    steps = [li.get_text(" ", strip=True) for li in page.html.select("ol.timeline li")]
    assert steps == [
        "Booked Mon 23 Nov 2026, 08:00",
        "Moved Mon 23 Nov 2026, 08:00 from Wed 25 Nov 2026, 08:00 to Thu 26 Nov 2026, 09:00",
    ]
    assert "rude" not in page.text and "2026-11-25" not in text(page)


def test_the_history_of_another_customers_appointment_is_not_given(anna, mailbox) -> None:
    from shop.errors import NotFound

    bob = make_customer(mailbox, "bob@example.com", name="Bob", phone="030 5555555")
    theirs = booking.book(bob, vehicles.add_vehicle(bob, "Opel", "Astra").id, [anna["oil"]], "2026-11-25 08:00")
    with pytest.raises(NotFound):
        accounts.customer_history(actor(anna["customer"]), booking.get_appointment(theirs.id))


def test_a_customer_without_a_car_adds_one_and_comes_straight_back_to_book_with_it_chosen(
    browser: Browser, mailbox, shop_open
) -> None:
    customer_id = make_customer(mailbox, "nina@example.com", name="Nina Neu")
    browser.log_in("nina@example.com")
    book = browser.get(f"/book?service={shop_open['oil']}")
    link = book.html.select_one("p.warning a")["href"]
    assert link == "/cars/new?back=%2Fbook%3Fservice%3D" + str(shop_open["oil"])
    form = browser.get(link)
    assert form.html.find("a", string="Cancel")["href"] == f"/book?service={shop_open['oil']}"
    saved = browser.submit_form(form, "car_form-form", make="Opel", model="Corsa")
    car = vehicles.list_vehicles(customer_id=customer_id)[0]
    assert saved.location.endswith(f"/book?service={shop_open['oil']}&car={car.id}&done=car_added")
    again = saved.follow()
    assert "Your car is added" in text(again)
    assert again.html.find(id=f"car-{car.id}").has_attr("checked")
    assert again.html.find(id=f"service-{shop_open['oil']}").has_attr("checked")


@pytest.mark.parametrize("back", ["https://evil.example/book", "//evil.example/book", "/account", "/cars/new"])
def test_adding_a_car_returns_only_to_the_booking_or_quote_pages(browser: Browser, anna, back: str) -> None:
    from urllib.parse import quote

    form = browser.get(f"/cars/new?back={quote(back)}")
    assert form.html.find("input", {"name": "back"}) is None
    csrf = form.html.find("input", {"name": "csrf_token"})["value"]
    saved = browser.post("/cars/new", {"csrf_token": csrf, "make": "Opel", "model": "Corsa", "back": back})
    assert saved.location.endswith("/cars?done=car_added")


def test_a_cancelled_future_visit_is_listed_under_past_and_cancelled(browser: Browser, anna) -> None:
    a = booking.book(anna["customer"], anna["car"], [anna["oil"]], "2026-11-26 08:00")
    booking.cancel(a.id, "plans changed")
    page = browser.get("/appointments")
    assert [h.get_text(strip=True) for h in page.html.select("main h2")] == ["Upcoming", "Past and cancelled"]
    assert "No upcoming appointment" in text(page)
    row = page.html.select_one("table.stack tbody tr")
    assert row.select_one("td[data-label=Status]").get_text(strip=True) == "Cancelled"
