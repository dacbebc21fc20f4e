"""The public free-times page: anyone sees when the shop could fit a job in, then books through the usual steps."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shop import booking, catalog, schedule_cache, vehicles
from shop.scheduling import calendar
from tests.portal_support import Browser, errors, make_customer, text

pytest_plugins = ["tests.portal_support"]


def times_shown(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [a.get_text(strip=True) for a in page.html.select("ul.free-times a.slot")]


def test_a_visitor_sees_the_free_times_of_a_day_without_an_account_or_a_cookie(browser: Browser, shop_open) -> None:
    page = browser.get(f"/times?service={shop_open['oil']}&service={shop_open['tyres']}&date=2026-11-24")
    assert "Set-Cookie" not in page.headers
    assert times_shown(page)[:3] == ["08:00", "08:15", "08:30"]
    # 90 minutes of work: the last start before the lunch break is 10:30, the last of the day 15:30.
    assert "10:30" in times_shown(page) and "10:45" not in times_shown(page) and times_shown(page)[-1] == "15:30"
    body = text(page)
    assert "Tuesday 24 November 2026" in body and "about 1 h 30 min" in body
    assert "152.32 € including 19% VAT" in body  # 128.00 net, shown as the customer pays it


@pytest.fixture
def seconds(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The process time the visitors' page cache reads (`schedule_cache.recent`); move it on by hand."""
    now = [1000.0]
    monkeypatch.setattr(schedule_cache, "_monotonic", lambda: now[0])
    return now


def test_the_visitors_page_follows_the_bookings_made_meanwhile_within_a_second(
    browser: Browser, shop_open, mailbox, seconds
) -> None:
    url = f"/times?service={shop_open['oil']}&date=2026-11-24"
    assert times_shown(browser.get(url))[0] == "08:00"
    customer = make_customer(mailbox, "bea@example.com")
    car = vehicles.add_vehicle(customer, "Opel", "Corsa")
    booking.book(customer, car.id, [shop_open["oil"]], "2026-11-24 08:00")
    seconds[0] += 0.5
    assert times_shown(browser.get(url))[0] == "08:00"  # the same page, not asked again within a second
    seconds[0] += 0.6
    shown = times_shown(browser.get(url))
    assert shown[0] == "09:00" and "08:45" not in shown  # one bay: nothing overlaps 08:00-09:00
    browser.log_in("bea@example.com")  # a signed-in customer's page is made for each request
    booking.book(customer, car.id, [shop_open["oil"]], "2026-11-24 09:00")
    assert times_shown(browser.get(url))[0] == "10:00"


def test_the_same_rules_as_booking_apply_notice_weekends_and_the_last_bookable_day(browser: Browser, shop_open) -> None:
    oil = shop_open["oil"]
    today = browser.get(f"/times?service={oil}&date=2026-11-23")  # now 08:00: two hours' notice
    assert times_shown(today)[0] == "10:00"
    assert today.html.find("a", rel="prev") is None  # nothing before today
    saturday = browser.get(f"/times?service={oil}&date=2026-11-28")
    assert times_shown(saturday) == [] and "There is no free time on this day" in text(saturday)
    assert saturday.html.find("a", string="Try the next day")["href"] == f"/times?service={oil}&date=2026-11-29"
    last = browser.get(f"/times?service={oil}&date=2027-01-22")  # 60 days ahead, the default limit
    assert times_shown(last) and last.html.find("a", rel="next") is None


def test_without_a_day_the_page_opens_on_the_first_day_with_free_times(browser: Browser, shop_open) -> None:
    calendar.add_closure("2026-11-23", "2026-11-24", "Stocktaking")
    page = browser.get(f"/times?service={shop_open['oil']}")
    assert "Wednesday 25 November 2026" in text(page) and times_shown(page)[0] == "08:00"


def test_bad_days_and_services_are_explained_next_to_their_fields(browser: Browser, shop_open) -> None:
    oil = shop_open["oil"]
    cases = {
        f"/times?service={oil}&date=next+tuesday": {"date": "Day: please enter a date like 2026-11-25"},
        f"/times?service={oil}&date=2026-11-20": {
            "date": "Day: that day has passed; please choose 2026-11-23 or later"
        },
        f"/times?service={oil}&date=2027-01-23": {
            "date": "Day: we take bookings up to 2027-01-22; please choose an earlier day"
        },
        "/times?service=9999&date=2026-11-24": {"service": "Services: please choose services from the list"},
        "/times?service=oil&date=2026-11-24": {"service": "Services: please choose services from the list"},
        "/times?date=2026-11-24": {"service": "Services: please choose at least one service"},
    }
    for url, expected in cases.items():
        page = browser.get(url)
        assert page.status_int == 200 and errors(page) == expected, url
        assert times_shown(page) == [] and page.forms["times-search"] is not None
    retired = catalog.add_service("Old offer", "Maintenance", 30, Decimal("10.00"))
    catalog.edit_service(retired.id, active=False)
    page = browser.get(f"/times?service={retired.id}&date=2026-11-24")
    assert "no longer be booked online" in errors(page)["service"]


def test_what_a_visitor_typed_is_shown_back_escaped(browser: Browser, shop_open) -> None:
    page = browser.get("/times", params={"service": shop_open["oil"], "date": '<script>alert("x")</script>'})
    assert "<script>alert" not in page.text and page.html.find("input", id="date")["value"].startswith("<script>")


def test_a_chosen_time_leads_through_log_in_to_the_calendar_with_that_day_and_time_picked(
    browser: Browser, shop_open, mailbox
) -> None:
    customer = make_customer(mailbox, "anna@example.com")
    car = vehicles.add_vehicle(customer, "Volkswagen", "Golf", plate="B-AB 123")
    page = browser.get(f"/times?service={shop_open['oil']}&date=2026-11-24")
    link = page.html.find("a", attrs={"aria-label": "Book 09:30 on Tuesday 24 November"})
    login = browser.get(link["href"])
    assert login.status_int == 303 and "/login?next=/book" in login.location
    form = browser.get(login.location).forms["login-form"]
    form["email"], form["password"] = "anna@example.com", "correct horse battery"
    choose = form.submit().follow()
    book_form = choose.forms["book-form"]
    assert book_form["car"].value == str(car.id) and book_form.get("service", index=0).checked
    month = book_form.submit()
    assert "Tuesday 24 November 2026" in text(month)
    picked = month.html.select_one("#times-form input[name=start][checked]")
    assert picked["value"] == "2026-11-24T09:30:00+01:00"
    review = month.forms["times-form"].submit()
    assert "Tue 24 Nov 2026, 09:30" in text(review)


def test_a_signed_in_customer_sees_their_own_menu_on_the_times_page(browser: Browser, shop_open, mailbox) -> None:
    make_customer(mailbox, "anna@example.com")
    url = f"/times?service={shop_open['oil']}&date=2026-11-24"
    assert "My appointments" not in browser.get(url).text  # kept for visitors ...
    browser.log_in("anna@example.com")
    page = browser.get(url)  # ... but never served to a signed-in customer
    assert "My appointments" in page.text and "you choose your car next" in text(page)
    assert times_shown(page)[0] == "08:00"


def test_the_services_and_landing_pages_lead_to_the_free_times(browser: Browser, shop_open) -> None:
    services = browser.get("/services")
    link = services.html.find("a", href=f"/times?service={shop_open['oil']}")
    assert link is not None and "Oil change" in link.get_text()
    assert browser.get("/").html.find("a", href="/times") is not None
    first = browser.get("/times")
    assert first.forms["times-search"] is not None and errors(first) == {} and times_shown(first) == []
