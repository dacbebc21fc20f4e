"""End-to-end in headless Chromium (Playwright): sign up, add a car, book on the calendar, reschedule, cancel,
at phone and desktop sizes, with axe-core accessibility checks on every page (logged out, logged in, errors).

The portal runs under waitress in a thread of the test process on a fresh SQLite database; the
frozen test clock is the server's clock too. Screenshots go to $GARAGE_SCREENSHOT_DIR (default
.screenshots/ in the repository) for review.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from shop import catalog, settings
from shop.auth import Actor, Role
from shop.db import close_database, open_database
from shop.scheduling import calendar
from tests.conftest import ROOT, missing
from tests.portal_support import PASSWORD, Mailbox

pytest_plugins = ["tests.portal_support"]
pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("GARAGE_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SHOTS = Path(os.environ.get("GARAGE_SCREENSHOT_DIR", ROOT / ".screenshots"))
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SIZES = {"phone": (390, 844), "desktop": (1280, 800)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path, mailbox: Mailbox) -> Iterator[str]:
    """The portal under waitress on a free loopback port, over a shop with hours, a bay and services."""
    import waitress.server

    from customer_site import create_app

    open_database(f"sqlite:///{tmp_path / 'portal.db'}", create=True)
    settings.set_many({"shop.name": "Kessler Autoservice", "shop.address": "Werkstraße 12, 10115 Berlin"})
    calendar.set_hours("mon-fri", "08:00-12:00,13:00-17:00")
    calendar.add_bay("Bay 1")
    catalog.add_category("Maintenance")
    catalog.add_service("Oil change", "Maintenance", 60, Decimal("89.00"), description="Oil and filter")
    catalog.add_service("Tyre change", "Maintenance", 30, Decimal("39.00"))
    port = _free_port()
    httpd = waitress.server.create_server(create_app(), host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=httpd.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    httpd.close()
    thread.join(timeout=5)
    close_database()


@pytest.fixture
def chromium() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        missing("chromium", f"{CHROMIUM} not found; apt-get install chromium or set GARAGE_TEST_CHROMIUM")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class Checker:
    """Runs axe on each page visited and keeps the serious findings."""

    def __init__(self, size: str) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.size = size
        self.problems: list[str] = []
        self.console: list[str] = []

    def check(self, page, name: str) -> None:  # type: ignore[no-untyped-def]
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{self.size}-{name}.png"), full_page=True)
        result = self.axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        assert result.response["testEngine"]["name"] == "axe-core"
        for violation in result.response["violations"]:
            targets = [n["target"] for n in violation["nodes"]][:3]
            self.problems.append(f"{name}: {violation['id']} ({violation['impact']}): {violation['help']} {targets}")


@pytest.fixture(params=list(SIZES))
def size(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def tab(chromium, size: str) -> Iterator[tuple[object, Checker]]:  # type: ignore[no-untyped-def]
    """A page at the test's size with an axe checker; JavaScript console errors fail the test."""
    width, height = SIZES[size]
    context = chromium.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    checker = Checker(size)
    page.on(
        "console", lambda msg: checker.console.append(f"{msg.text} {msg.location}") if msg.type == "error" else None
    )
    yield page, checker
    context.close()
    assert checker.console == []
    assert checker.problems == []


@pytest.fixture
def anna(server: str, mailbox: Mailbox) -> dict[str, int]:
    """A confirmed customer with a car (made through the services, not the browser)."""
    from shop import vehicles
    from tests.portal_support import make_customer

    customer_id = make_customer(mailbox, "anna@example.com")
    car = vehicles.add_vehicle(customer_id, "Volkswagen", "Golf", plate="B-AB 123")
    return {"customer": customer_id, "car": car.id, "oil": catalog.get_service("Oil change").id}


def log_in(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/login")
    page.get_by_label("E-mail").fill("anna@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/account")


def test_sign_up_confirm_and_log_in_in_chromium(server: str, tab, mailbox: Mailbox) -> None:  # type: ignore[no-untyped-def]
    page, checker = tab
    page.goto(server + "/")
    checker.check(page, "01-landing")
    page.goto(server + "/services")
    checker.check(page, "02-services")
    page.goto(server + "/about")
    checker.check(page, "02b-about")
    page.goto(server + "/signup")
    checker.check(page, "03-signup")
    page.get_by_label("Name").fill("Anna Berg")
    page.get_by_label("E-mail").fill("not an email")
    page.get_by_label("Phone").fill("12")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    assert page.locator("#email-error").is_visible()
    checker.check(page, "04-signup-errors")
    page.get_by_label("E-mail").fill("anna@example.com")
    page.get_by_label("Phone").fill("030 1234567")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    assert "sent you an e-mail" in page.inner_text("main")
    checker.check(page, "05-login-after-signup")
    page.goto(server + f"/verify?token={mailbox.verify_token('anna@example.com')}")
    checker.check(page, "05b-verify")
    page.get_by_role("button", name="Confirm my e-mail").click()
    page.get_by_label("E-mail").fill("anna@example.com")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    assert "Wrong e-mail or password" in page.inner_text("main")
    checker.check(page, "06-login-error")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/account")
    checker.check(page, "07-account")


def test_add_a_car_and_book_on_the_calendar_in_chromium(server: str, tab, anna) -> None:  # type: ignore[no-untyped-def]
    page, checker = tab
    log_in(page, server)
    page.get_by_role("link", name="Add a car").click()
    page.get_by_label("Make").fill("Opel")
    page.get_by_label("Model").fill("Corsa")
    page.get_by_label("Year").fill("1850")
    page.get_by_role("button", name="Save").click()
    checker.check(page, "08-car-error")
    page.get_by_label("Year").fill("2019")
    page.get_by_role("button", name="Save").click()
    assert "Your car is added" in page.inner_text("main")
    # Services, then the calendar; a day's times load in place (JavaScript).
    page.get_by_role("link", name="Book a service").first.click()
    page.get_by_label("Volkswagen Golf").check()
    checker.check(page, "09-book")
    page.get_by_label("Oil change").check()
    page.get_by_role("button", name="Show free days").click()
    checker.check(page, "10-calendar")
    day = page.locator('a.day[data-date="2026-11-24"]')
    url_before = page.url
    day.click()
    page.locator("#times input[name=start]").first.wait_for()
    assert page.url.split("?")[0] == url_before.split("?")[0]  # same page, no navigation
    assert page.locator('a.day[aria-current="date"]').get_attribute("data-date") == "2026-11-24"
    checker.check(page, "11-calendar-times")
    # Keyboard: the arrow key moves to the next free day, Enter loads its times and focuses them.
    day.focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.dataset.date") == "2026-11-25"
    page.keyboard.press("Enter")
    page.locator("#times-title", has_text="Wednesday 25 November 2026").wait_for()
    page.get_by_label("09:00").check()
    page.get_by_role("button", name="Continue").click()
    checker.check(page, "12-review")
    page.get_by_role("button", name="Book now").click()
    assert "Your appointment is booked" in page.inner_text("main")
    assert "Wed 25 Nov 2026, 09:00" in page.inner_text("main")
    checker.check(page, "13-confirmation")
    page.get_by_role("link", name="My appointments").first.click()
    assert "Wed 25 Nov 2026, 09:00" in page.inner_text("main")
    checker.check(page, "14-appointments")


def test_reschedule_and_cancel_in_chromium(server: str, tab, anna) -> None:  # type: ignore[no-untyped-def]
    from shop import booking

    booking.book(anna["customer"], anna["car"], [anna["oil"]], "2026-11-25 09:00")
    page, checker = tab
    log_in(page, server)
    page.goto(server + "/appointments")
    page.get_by_role("link", name="Wed 25 Nov 2026, 09:00").click()
    page.get_by_role("link", name="Move to another time").click()
    page.locator('a.day[data-date="2026-11-26"]').click()
    page.get_by_label("10:00").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Move my appointment").click()
    assert "Your appointment is moved" in page.inner_text("main")
    assert "Thu 26 Nov 2026, 10:00" in page.inner_text("main")
    checker.check(page, "15-rescheduled")
    page.get_by_role("link", name="Cancel appointment").click()
    checker.check(page, "16-cancel")
    page.get_by_role("button", name="Yes, cancel it").click()
    assert "Your appointment is cancelled" in page.inner_text("main")
    assert "Status: Cancelled" in page.inner_text("main")
    checker.check(page, "17-cancelled")


def test_booking_works_without_javascript_in_chromium(server: str, chromium, anna, size: str) -> None:  # type: ignore[no-untyped-def]
    width, height = SIZES[size]
    context = chromium.new_context(viewport={"width": width, "height": height}, java_script_enabled=False)
    page = context.new_page()
    log_in(page, server)
    page.goto(server + "/book")
    page.get_by_label("Oil change").check()
    page.get_by_role("button", name="Show free days").click()
    page.locator('a.day[data-date="2026-11-27"]').click()
    assert "date=2026-11-27" in page.url
    page.get_by_label("08:00").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Book now").click()
    assert "Your appointment is booked" in page.inner_text("main")
    context.close()


def test_phone_layout_has_no_horizontal_scroll(server: str, chromium) -> None:
    context = chromium.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    for path in ["/", "/services", "/signup", "/login", "/about", "/times", "/times?service=1&date=2026-11-25"]:
        page.goto(server + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, path
    context.close()


def test_document_lists_on_a_phone_show_every_column_without_sideways_scrolling(server: str, chromium, history) -> None:  # type: ignore[no-untyped-def]
    """Invoices, quotes and past visits at 390 px: each row is a card whose every cell, with its column
    name, lies inside the screen (before, the PDF link and the quote total were off the right edge, and
    a hidden "as PDF" label made the whole page scroll sideways)."""
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, server)
    for path in ["/invoices", "/quotes", "/appointments"]:
        page.goto(server + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, path
        cells = page.locator("table.stack tbody td")
        assert cells.count() > 0, path
        for index in range(cells.count()):
            cell = cells.nth(index)
            box = cell.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (path, cell.inner_text())
            label = cell.evaluate("td => getComputedStyle(td, '::before').content")
            assert label == f'"{cell.get_attribute("data-label")}"', (path, label)
    for path in [f"/invoices/{history['invoice']}", f"/quotes/{history['quote']}"]:  # one document, "excl. VAT" heads
        page.goto(server + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, path
        assert page.locator("main .table-scroll").evaluate("box => box.scrollWidth <= box.clientWidth"), path
    context.close()


def test_the_month_arrows_sit_on_one_row_beside_each_other_on_a_phone_and_by_the_title_on_a_desk(
    server: str, chromium, anna
) -> None:  # type: ignore[no-untyped-def]
    """At 390 px "‹ November December 2026 January ›" does not fit one line: the title goes on top and the
    two arrows share the row below (before, "January ›" dropped alone onto a third line). On a desktop
    the arrows frame the title, no farther out than the calendar (before, "next" sat at the window edge)."""
    for width, height in SIZES.values():
        context = chromium.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        log_in(page, server)
        page.goto(server + f"/book/calendar?car={anna['car']}&service={anna['oil']}&month=2026-12")
        title = page.locator("#month-title").bounding_box()
        prev = page.locator("a[rel=prev]").bounding_box()
        following = page.locator("a[rel=next]").bounding_box()
        table = page.locator("#calendar").bounding_box()
        assert prev["y"] == following["y"]  # one row
        assert following["x"] + following["width"] <= table["x"] + table["width"] + 1
        assert prev["x"] >= table["x"] - 1
        if width < 480:
            assert title["y"] + title["height"] <= prev["y"]  # title above the arrows
        else:
            assert prev["x"] + prev["width"] <= title["x"] <= title["x"] + title["width"] <= following["x"]
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        context.close()


@pytest.fixture
def history(server: str, mailbox: Mailbox, anna) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Anna's completed visit with an issued invoice, a sent quote and a pending password reset."""
    from shop import accounts, booking, invoices, jobs, quotes

    done = booking.book(anna["customer"], anna["car"], [anna["oil"]], "2026-11-24 08:00")
    job = jobs.check_in(done.id, mileage=42000)
    jobs.set_status(job.id, "in_progress")
    jobs.set_status(job.id, "completed")
    invoice = invoices.issue(jobs.create_invoice(job.id).id)
    draft = quotes.create_quote(anna["customer"], anna["car"])
    quotes.add_line(draft.id, "service", service=anna["oil"])
    quote = quotes.send(draft.id)
    accounts.request_password_reset("anna@example.com")
    me = Actor(role=Role.CUSTOMER, name="anna@example.com", customer_id=anna["customer"])
    accounts.request_email_change(me, "anna.berg@example.org", PASSWORD)
    return {**anna, "done": done.id, "invoice": invoice.id, "quote": quote.id,
            "reset": mailbox.reset_token("anna@example.com"),
            "email": mailbox.email_change_token("anna.berg@example.org")}  # fmt: skip


def test_logged_out_pages_pass_axe(server: str, tab, history) -> None:  # type: ignore[no-untyped-def]
    page, checker = tab
    for path, name in [
        ("/forgot", "20-forgot"),
        (f"/reset?token={history['reset']}", "21-reset"),
        ("/reset?token=bad", "22-reset-bad"),
        ("/reviews", "23-reviews-empty"),
        (f"/account/email/confirm?token={history['email']}", "38-email-confirm"),
        ("/account/email/confirm?token=bad", "39-email-confirm-bad"),
        ("/no-such-page", "18-not-found"),
        ("/times", "40-times"),
        (f"/times?service={history['oil']}&date=2026-11-25", "41-times-day"),
        (f"/times?service={history['oil']}&date=2026-11-28", "42-times-day-none"),
        (f"/times?service={history['oil']}&date=2026-11-20", "43-times-past"),
    ]:
        page.goto(server + path)
        checker.check(page, name)
    checker.console = [c for c in checker.console if "no-such-page" not in c]


def test_account_pages_pass_axe_with_their_error_states(server: str, tab, history) -> None:  # type: ignore[no-untyped-def]
    page, checker = tab
    log_in(page, server)
    for path, name in [
        ("/account/profile", "24-profile"),
        ("/account/password", "25-password"),
        ("/cars", "26-cars"),
        (f"/cars/{history['car']}", "27-car-edit"),
        ("/account/email", "40-email-change"),
    ]:
        page.goto(server + path)
        checker.check(page, name)
    page.goto(server + "/account/email")
    page.get_by_label("New e-mail address").fill("not an address")
    page.get_by_role("button", name="Send confirmation link").click()
    checker.check(page, "41-email-change-errors")
    page.goto(server + "/account/password")
    page.get_by_label("Current password").fill("wrong")
    page.get_by_role("button", name="Change password").click()
    checker.check(page, "35-password-errors")


def test_document_pages_pass_axe_with_their_error_states(server: str, tab, history) -> None:  # type: ignore[no-untyped-def]
    page, checker = tab
    log_in(page, server)
    for path, name in [
        ("/quotes", "28-quotes"),
        (f"/quotes/{history['quote']}", "29-quote"),
        ("/quotes/new", "30-quote-request"),
        ("/invoices", "31-invoices"),
        (f"/invoices/{history['invoice']}", "32-invoice"),
        (f"/appointments/{history['done']}", "33-completed-appointment"),
        (f"/appointments/{history['done']}/review", "34-review-form"),
    ]:
        page.goto(server + path)
        checker.check(page, name)
    page.goto(server + "/quotes/new")
    page.get_by_role("button", name="Send request").click()
    checker.check(page, "36-quote-request-errors")
    page.goto(server + f"/appointments/{history['done']}/review")
    page.get_by_role("button", name="Send review").click()
    checker.check(page, "37-review-errors")


def test_booking_a_quote_passes_axe_from_the_quote_to_already_booked(server: str, tab, anna) -> None:  # type: ignore[no-untyped-def]
    """The quote's "Choose a time", the calendar and review carrying it, its "Booked:" state and the refusal."""
    from shop import quotes

    draft = quotes.create_quote(anna["customer"], anna["car"])
    quotes.add_line(draft.id, "service", service=anna["oil"])
    quotes.send(draft.id)
    quote_id = quotes.accept(draft.id).id
    page, checker = tab
    log_in(page, server)
    page.goto(server + "/quotes")
    checker.check(page, "47-quotes-ready-to-book")
    page.goto(server + f"/quotes/{quote_id}")
    checker.check(page, "42-quote-bookable")
    page.get_by_role("link", name="Choose a time").click()
    checker.check(page, "43-quote-calendar")
    page.locator('a.day[data-date="2026-11-24"]').click()
    page.get_by_label("08:00").check()
    page.get_by_role("button", name="Continue").click()
    checker.check(page, "44-quote-review")
    other_tab = page.context.new_page()
    other_tab.goto(page.url)  # the same review open in a second tab, with its own key
    page.get_by_role("button", name="Book now").click()
    assert "Your appointment is booked" in page.inner_text("main")
    page.goto(server + f"/quotes/{quote_id}")
    assert "Booked: Tue 24 Nov 2026, 08:00" in page.inner_text("main")
    checker.check(page, "45-quote-booked")
    page.goto(server + "/quotes")
    assert "Booked Tue 24 Nov 2026, 08:00" in page.inner_text("main")
    checker.check(page, "48-quotes-booked")
    other_tab.get_by_role("button", name="Book now").click()
    assert "This quote is already booked" in other_tab.inner_text("main")
    checker.check(other_tab, "46-quote-already-booked")
    page.goto(server + f"/book/calendar?quote={quote_id}")  # and an old link leads back to the quote
    assert page.url.endswith(f"/quotes/{quote_id}")


def test_a_quote_for_a_car_no_longer_in_the_account_passes_axe(server: str, tab, anna) -> None:  # type: ignore[no-untyped-def]
    """The explanation on the quote page and in the list that replace "Choose a time" once the car is archived."""
    from shop import quotes, vehicles

    draft = quotes.create_quote(anna["customer"], anna["car"])
    quotes.add_line(draft.id, "service", service=anna["oil"])
    quotes.send(draft.id)
    quote_id = quotes.accept(draft.id).id
    vehicles.archive_vehicle(anna["car"])
    page, checker = tab
    log_in(page, server)
    page.goto(server + f"/quotes/{quote_id}")
    assert "no longer in your account" in page.inner_text("main") and "Choose a time" not in page.inner_text("main")
    checker.check(page, "49-quote-car-gone")
    page.goto(server + "/quotes")
    assert "Car no longer in your account" in page.inner_text("main")
    checker.check(page, "50-quotes-car-gone")


def test_removing_a_car_passes_axe_with_its_refusal_and_adding_it_back(server: str, tab, anna) -> None:  # type: ignore[no-untyped-def]
    """The page that asks before a car is removed, its refusal (a visit is booked), then the car added back."""
    from shop import booking

    visit = booking.book(anna["customer"], anna["car"], [anna["oil"]], "2026-11-24 08:00")
    page, checker = tab
    log_in(page, server)
    page.goto(server + "/cars")
    page.get_by_role("link", name="Remove Volkswagen Golf").click()
    checker.check(page, "51-car-remove")
    page.get_by_role("button", name="Yes, remove it").click()
    assert "has an appointment on Tue 24 Nov 2026, 08:00; cancel it first" in page.inner_text("main")
    checker.check(page, "52-car-remove-refused")
    booking.cancel(visit.id)
    page.get_by_role("button", name="Yes, remove it").click()
    assert "removed from your account" in page.inner_text("main")
    checker.check(page, "53-car-removed")
    page.goto(server + "/cars/new")
    page.get_by_label("Model").fill("Golf")
    page.get_by_label("Make").fill("Volkswagen")
    page.get_by_label("Licence plate").fill("B AB 123")
    page.get_by_role("button", name="Save").click()
    assert "it is back in your account, with its history" in page.inner_text("main")
    checker.check(page, "54-car-restored")
