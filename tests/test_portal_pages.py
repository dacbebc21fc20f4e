"""Portal pages over HTTP (WebTest): public pages, cars, headers, error pages, escaping, IDOR."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from shop import accounts, catalog, settings, vehicles
from tests.portal_support import Browser, errors, make_customer, text

pytest_plugins = ["tests.portal_support"]

XSS = '<script>alert("x")</script>'


@pytest.fixture
def priced(db) -> None:  # type: ignore[no-untyped-def]
    catalog.add_category("Maintenance")
    catalog.add_category("Tyres")
    catalog.add_service("Oil change", "Maintenance", 45, Decimal("89.90"), description="Oil and filter")
    catalog.add_service("Tyre change", "Tyres", 30, Decimal("40.00"))


def test_landing_page_names_the_shop_and_offers_booking(browser: Browser) -> None:
    settings.set_many({"shop.name": "Kessler Autoservice", "shop.address": "Werkstraße 12, Berlin"})
    page = browser.get("/")
    assert "Kessler Autoservice" in text(page) and "Werkstraße 12, Berlin" in page.text
    assert page.html.find("a", href="/book") is not None


def test_shop_details_hours_and_about_text_show_changes_at_once(browser: Browser) -> None:
    from shop.scheduling import calendar

    calendar.set_hours("mon-fri", "08:00-17:00")
    assert "Kessler" not in text(browser.get("/")) and "08:00–17:00" in text(browser.get("/"))  # now remembered
    settings.set_many({"shop.name": "Kessler", "portal.about": "First text."})
    calendar.set_hours("mon", "09:00-12:00")
    landing = text(browser.get("/"))
    assert "Kessler" in landing and "09:00–12:00" in landing
    settings.set_value("portal.about", "Second text.")
    assert "Second text." in text(browser.get("/about"))


def test_about_page_shows_the_text_from_settings(browser: Browser) -> None:
    settings.set_value("portal.about", "Family shop since 1987.\n\nWe fix every make.")
    page = browser.get("/about")
    paragraphs = [p.get_text() for p in page.html.find("main").find_all("p")]
    assert "Family shop since 1987." in paragraphs and "We fix every make." in paragraphs


def test_services_page_lists_prices_and_durations_by_category(browser: Browser, priced) -> None:
    page = browser.get("/services")
    headings = [h.get_text() for h in page.html.find_all("h2")]
    assert headings[:2] == ["Maintenance", "Tyres"]
    body = text(page)
    assert "Oil change" in body and "45 min" in body and "Oil and filter" in body
    # Kept net (89.90), shown as the customer pays it: 89.90 + 17.08 VAT (17.081 rounded half up).
    assert "Prices include 19% VAT." in body and "106.98 €" in body and "89.90 €" not in body


def test_every_response_carries_the_security_headers(browser: Browser) -> None:
    for path in ["/", "/login", "/static/site.css", "/no-such-page"]:
        response = browser.get(path, expect_errors=True)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_or_style(browser: Browser) -> None:
    for path in ["/", "/login", "/signup", "/services", "/about", "/forgot"]:
        page = browser.get(path)
        assert all(tag.get("src") for tag in page.html.find_all("script"))
        assert page.html.find("style") is None and page.html.find(attrs={"style": True}) is None
        assert page.html.find(attrs={"onclick": True}) is None


def test_unknown_page_gets_a_friendly_404(browser: Browser) -> None:
    page = browser.get("/no-such-page", status=404)
    assert "Page not found" in text(page) and "<html" in page.text


def test_a_crash_shows_a_friendly_page_without_traceback(db, capsys) -> None:
    from customer_site import create_app

    wrapped = create_app()

    @wrapped.bottle.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret detail")

    page = Browser(wrapped).get("/boom", status=500, expect_errors=True)
    assert "Something went wrong" in page.text
    assert "secret detail" not in page.text and "Traceback" not in page.text


def test_too_large_request_body_is_refused(browser: Browser) -> None:
    response = browser.post("/login", {"email": "a" * 300_000}, status=413)
    assert response.status_int == 413


def test_script_payloads_in_every_text_field_come_back_escaped(browser: Browser, mailbox) -> None:
    make_customer(mailbox, "anna@example.com")
    browser.log_in("anna@example.com")
    browser.submit_form(browser.get("/account/profile"), "profile-form", name=XSS, address=XSS)
    browser.submit_form(browser.get("/cars/new"), "car_form-form", make=XSS, model=XSS, colour=XSS)
    for path in ["/account", "/cars", "/account/profile"]:
        page = browser.get(path)
        assert XSS not in page.text and "&lt;script&gt;" in page.text
    stranger = Browser(browser.app)
    refused = stranger.submit_form(stranger.get("/signup"), "signup-form", name=XSS, email=XSS, phone=XSS, password="x")
    assert XSS not in refused.text


def test_add_and_edit_a_car(browser: Browser, mailbox) -> None:
    customer_id = make_customer(mailbox, "anna@example.com")
    browser.log_in("anna@example.com")
    added = browser.submit_form(
        browser.get("/cars/new"),
        "car_form-form",
        make="Volkswagen",
        model="Golf",
        year="2019",
        plate="B-AB 123",
        mileage="42000",
    )
    assert added.location.endswith("/cars?done=car_added")
    car = vehicles.list_vehicles(customer_id=customer_id)[0]
    assert (car.make, car.model, car.year, car.plate, car.mileage) == ("Volkswagen", "Golf", 2019, "B AB 123", 42000)
    page = browser.get(f"/cars/{car.id}")
    saved = browser.submit_form(page, "car_form-form", colour="Blue", mileage="45000")
    assert saved.location.endswith("/cars?done=car_saved")
    assert vehicles.get_vehicle(car.id).colour == "Blue"


def test_a_mileage_written_with_a_thousands_point_is_read_as_kilometres(browser: Browser, mailbox) -> None:
    customer_id = make_customer(mailbox, "anna@example.com")
    browser.log_in("anna@example.com")
    added = browser.submit_form(browser.get("/cars/new"), "car_form-form", make="VW", model="Golf", mileage="12.000")
    assert added.location.endswith("/cars?done=car_added")
    assert vehicles.list_vehicles(customer_id=customer_id)[0].mileage == 12000
    assert "12,000 km" in text(added.follow())


def test_bad_car_input_names_the_field_and_stores_nothing(browser: Browser, mailbox) -> None:
    customer_id = make_customer(mailbox, "anna@example.com")
    browser.log_in("anna@example.com")
    page = browser.submit_form(
        browser.get("/cars/new"), "car_form-form", make="", model="Golf", year="1850", vin="123", mileage="-5"
    )
    found = errors(page)
    assert set(found) == {"make", "year", "vin", "mileage"}
    assert "1850" in found["year"]
    assert vehicles.list_vehicles(customer_id=customer_id) == []


def test_a_lower_mileage_than_recorded_is_refused(browser: Browser, mailbox) -> None:
    customer_id = make_customer(mailbox, "anna@example.com")
    actor = accounts.get_account(_actor(customer_id)).actor()
    car = accounts.add_my_car(actor, make="VW", model="Golf", mileage="50000")
    browser.log_in("anna@example.com")
    page = browser.submit_form(browser.get(f"/cars/{car.id}"), "car_form-form", mileage="1000")
    assert errors(page)["mileage"] == (
        "Mileage (km): 1000 km is lower than the last reading we have (50000 km); "
        "if your dashboard really shows less, please call the shop to correct it"
    )  # not the staff wording "store it only as a correction", which a customer cannot do
    assert vehicles.get_vehicle(car.id).mileage == 50000


def _actor(customer_id: int):  # type: ignore[no-untyped-def]
    from shop.auth import Actor, Role

    return Actor(role=Role.CUSTOMER, name="t", customer_id=customer_id)


def test_another_customers_car_is_404_for_reading_and_writing(browser: Browser, mailbox) -> None:
    other_id = make_customer(mailbox, "bob@example.com", name="Bob", phone="030 5555555")
    theirs = vehicles.add_vehicle(other_id, "Opel", "Astra", plate="B-XY 999")
    make_customer(mailbox, "anna@example.com")
    browser.log_in("anna@example.com")
    browser.get(f"/cars/{theirs.id}", status=404)
    csrf = browser.get("/cars/new").html.find("input", {"name": "csrf_token"})["value"]
    browser.post(f"/cars/{theirs.id}", {"csrf_token": csrf, "make": "Hacked", "model": "X"}, status=404)
    assert vehicles.get_vehicle(theirs.id).make == "Opel"
    browser.get("/cars/999999", status=404)
    browser.get("/cars/abc", status=404)


def test_static_files_are_served_with_caching(browser: Browser) -> None:
    css = browser.get("/static/site.css")
    assert css.content_type == "text/css" and css.headers["Cache-Control"] == "public, max-age=3600"
    assert browser.get("/static/../web.py", status=[403, 404]).status_int in (403, 404)


def test_pages_link_static_files_by_content_hash_so_browsers_keep_them(browser: Browser) -> None:
    href = browser.get("/").html.find("link", rel="stylesheet")["href"]
    assert href.startswith("/static/site.css?v=") and len(href) == len("/static/site.css?v=") + 12
    css = browser.get(href)
    assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    again = browser.get(href, headers={"If-None-Match": css.headers["ETag"]}, status=304)
    assert again.body == b""
    stale = browser.get("/static/site.css?v=000000000000")  # an old page's link: served, kept only an hour
    assert stale.headers["Cache-Control"] == "public, max-age=3600"


def test_account_pages_are_not_cached(browser: Browser, mailbox) -> None:
    make_customer(mailbox, "anna@example.com")
    browser.log_in("anna@example.com")
    assert browser.get("/account").headers["Cache-Control"] == "no-store"


def test_bottle_signed_cookies_are_never_used() -> None:
    from pathlib import Path

    portal = "\n".join(p.read_text() for p in (Path(__file__).parent.parent / "customer_site").rglob("*.py"))
    assert "cookie(" in portal  # the check below looks at real cookie calls
    assert re.search(r"(get|set)_cookie\([^)]*secret", portal) is None


def test_a_car_added_with_only_a_vin_gets_its_make_from_the_vin(browser: Browser, mailbox) -> None:
    customer_id = make_customer(mailbox, "anna@example.com")
    browser.log_in("anna@example.com")
    done = browser.submit_form(
        browser.get("/cars/new"), "car_form-form", make="", model="Golf", vin="WVWZZZ1KZ6W612345"
    )
    assert done.status_int == 303, errors(done)
    car = vehicles.list_vehicles(customer_id=customer_id)[0]
    assert car.make and "volkswagen" in car.make.lower()


def test_python_m_customer_site_serves_the_portal_as_a_real_process(database_url) -> None:
    import http.client
    import os
    import socket
    import subprocess
    import sys
    import time

    from tests.conftest import NOW, ROOT

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "GARAGE_NOW": NOW.isoformat(), "GARAGE_PORTAL_PORT": str(port)}
    server = subprocess.Popen(
        [sys.executable, "-m", "customer_site", "--db", database_url.url],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        status = None
        for _ in range(200):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/services")
                response = conn.getresponse()
                status, body = response.status, response.read()
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.05)
        assert status == 200, server.stdout.read().decode() if server.poll() is not None else "no answer"
        assert b"Services and prices" in body
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_error_summary_links_point_at_elements_that_exist(browser: Browser, mailbox) -> None:
    customer_id = make_customer(mailbox, "anna@example.com")
    vehicles.add_vehicle(customer_id, "VW", "Golf")
    browser.log_in("anna@example.com")
    page = browser.get("/book/calendar")
    assert page.html.select("#error-summary a")
    for link in page.html.select("#error-summary a"):
        assert page.html.find(id=link["href"].lstrip("#")) is not None, link["href"]


def test_the_session_cookie_is_found_among_other_cookies() -> None:
    from customer_site.web import session_cookie

    assert session_cookie("a=1; garage_session=tok-en_1; b=2") == "tok-en_1"
    assert session_cookie('garage_session="quoted"') == "quoted"
    assert session_cookie("xgarage_session=no; other=1") is None
    assert session_cookie("garage_session=") is None and session_cookie("") is None
