"""A visitor sent to log in who signs up instead still ends where they were going (WebTest)."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from tests import portal_support
from tests.portal_support import PASSWORD, Browser, text

pytest_plugins = ["tests.portal_support"]
shop_open = portal_support.shop_open


def sign_up_from(browser: Browser, login_page) -> object:  # type: ignore[no-untyped-def]
    """Follow the log-in page's "Create an account" link and sign up as Anna; the redirect after it."""
    signup = browser.get(login_page.html.find(id="new-here").find("a")["href"])
    return browser.submit_form(
        signup, "signup-form", name="Anna Berg", email="anna@example.com", phone="030 1234567", password=PASSWORD
    )


def test_book_a_service_survives_signing_up_instead_of_logging_in(browser: Browser, shop_open, mailbox) -> None:
    login = browser.get("/book").follow()
    assert login.html.find(id="new-here").find("a")["href"] == "/signup?next=/book"
    signed_up = sign_up_from(browser, login)
    assert signed_up.status_int == 303 and signed_up.location.endswith("/login?next=/book&done=signed_up")
    after_signup = signed_up.follow()
    assert "sent you an e-mail" in text(after_signup)
    assert after_signup.forms["login-form"]["next"].value == "/book"
    # the e-mailed link, opened in another tab, confirms the address; this tab still knows the way
    browser.submit_form(browser.get(f"/verify?token={mailbox.verify_token('anna@example.com')}"), "verify-form")
    landed = browser.submit_form(after_signup, "login-form", email="anna@example.com", password=PASSWORD)
    assert landed.status_int == 303 and landed.location.endswith("/book")


def test_a_time_picked_on_the_times_page_survives_signing_up(browser: Browser, shop_open, mailbox) -> None:
    page = browser.get(f"/times?service={shop_open['oil']}&date=2026-11-24")
    link = page.html.find("a", attrs={"aria-label": "Book 09:30 on Tuesday 24 November"})
    login = browser.get(link["href"]).follow()
    wanted = login.forms["login-form"]["next"].value
    assert wanted.startswith("/book?") and "2026-11-24" in wanted
    signed_up = sign_up_from(browser, login)
    after_signup = signed_up.follow()
    assert after_signup.forms["login-form"]["next"].value == wanted
    browser.submit_form(browser.get(f"/verify?token={mailbox.verify_token('anna@example.com')}"), "verify-form")
    landed = browser.submit_form(after_signup, "login-form", email="anna@example.com", password=PASSWORD)
    assert unquote(landed.location.split("localhost:80", 1)[-1]) == unquote(wanted)


def test_the_confirmation_page_passes_next_on_to_log_in(browser: Browser, mailbox) -> None:
    browser.submit_form(
        browser.get("/signup"), "signup-form", name="Anna Berg", email="anna@example.com", phone="030 1234567",
        password=PASSWORD,
    )  # fmt: skip
    confirm = browser.get(f"/verify?token={mailbox.verify_token('anna@example.com')}&next=/quotes/new")
    done = browser.submit_form(confirm, "verify-form")
    assert done.location.endswith("/login?next=/quotes/new&done=verified")
    assert done.follow().forms["login-form"]["next"].value == "/quotes/new"


def test_a_failed_sign_up_keeps_next(browser: Browser, mailbox) -> None:
    page = browser.submit_form(browser.get("/signup?next=/book"), "signup-form", name="", email="x", password="short")
    assert page.status_int == 200 and page.forms["signup-form"]["next"].value == "/book"
    already = next(p for p in page.html.find_all("p") if "Already have an account" in p.get_text())
    assert already.find("a")["href"] == "/login?next=/book"


@pytest.mark.parametrize(
    "evil", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_sign_up_never_carries_a_next_off_the_site(browser: Browser, mailbox, evil: str) -> None:
    page = browser.get("/signup", params={"next": evil})
    assert page.forms["signup-form"]["next"].value == "/account"
    forged = page.forms["signup-form"]
    forged["next"] = evil
    for name, value in (("name", "Anna Berg"), ("email", "anna@example.com"), ("phone", "030 1234567")):
        forged[name] = value
    forged["password"] = PASSWORD
    done = forged.submit()
    assert done.location.endswith("/login?done=signed_up")
    confirm = browser.get("/verify", params={"token": mailbox.verify_token("anna@example.com"), "next": evil})
    confirmed = browser.submit_form(confirm, "verify-form")
    assert confirmed.location.endswith("/login?done=verified")


def test_the_emailed_link_opened_in_another_tab_leads_to_log_in_with_next(browser: Browser, shop_open, mailbox) -> None:
    login = browser.get("/book").follow()
    sign_up_from(browser, login)
    # the e-mail link carries only the token; the same browser remembers where the visitor was going
    confirm = browser.get(f"/verify?token={mailbox.verify_token('anna@example.com')}")
    confirmed = browser.submit_form(confirm, "verify-form")
    assert confirmed.location.endswith("/login?next=/book&done=verified")
    assert "garage_next" not in browser.cookies  # used once
    login_again = confirmed.follow()
    landed = browser.submit_form(login_again, "login-form", email="anna@example.com", password=PASSWORD)
    assert landed.status_int == 303 and landed.location.endswith("/book")


@pytest.mark.parametrize("evil", ["//evil.example/x", "https%3A%2F%2Fevil.example%2F", "%2F%5Cevil.example"])
def test_a_forged_remembered_next_leads_nowhere_off_the_site(browser: Browser, mailbox, evil: str) -> None:
    browser.submit_form(
        browser.get("/signup"), "signup-form", name="Anna Berg", email="anna@example.com", phone="030 1234567",
        password=PASSWORD,
    )  # fmt: skip
    browser.set_cookie("garage_next", evil)
    confirm = browser.get(f"/verify?token={mailbox.verify_token('anna@example.com')}")
    assert confirm.forms["verify-form"]["next"].value == "/account"
    assert browser.submit_form(confirm, "verify-form").location.endswith("/login?done=verified")
