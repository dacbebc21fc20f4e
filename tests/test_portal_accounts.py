"""Portal accounts over HTTP (WebTest): sign-up, confirmation, log-in, sessions, CSRF, throttling, passwords."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shop import accounts, audit, customers, settings
from shop.auth import Actor, Role
from tests.portal_support import PASSWORD, Browser, errors, make_customer, text

pytest_plugins = ["tests.portal_support"]

SESSION = "garage_session"


def session_cookie(browser: Browser) -> str | None:
    return browser.cookies.get(SESSION)


def test_sign_up_confirm_and_log_in_reaches_the_account_page(browser: Browser, mailbox) -> None:
    page = browser.submit_form(
        browser.get("/signup"),
        "signup-form",
        name="Anna Berg",
        email="Anna@Example.com",
        phone="030 1234567",
        password=PASSWORD,
    )
    assert page.status_int == 303 and page.location.endswith("/login?done=signed_up")
    assert "sent you an e-mail" in text(page.follow())
    token = mailbox.verify_token("anna@example.com")
    confirm = browser.get(f"/verify?token={token}")
    done = browser.submit_form(confirm, "verify-form")
    assert done.location.endswith("/login?done=verified")
    home = browser.log_in("anna@example.com").follow()
    assert "Anna Berg" in text(home)
    customer = customers.get_customer(accounts.get_account(_actor_for("anna@example.com")).customer_id)
    assert customer.email == "anna@example.com" and customer.phone == "+49301234567"


def _actor_for(email: str) -> Actor:
    from shop.models import CustomerAccount

    row = CustomerAccount.get(CustomerAccount.email == email)
    return Actor(role=Role.CUSTOMER, name=email, customer_id=row.customer_id)


def test_sign_up_with_bad_fields_shows_each_message_next_to_its_field_and_stores_nothing(browser: Browser) -> None:
    page = browser.submit_form(
        browser.get("/signup"), "signup-form", name="", email="not-an-email", phone="12", password="short"
    )
    assert page.status_int == 200
    found = errors(page)
    assert set(found) == {"name", "email", "phone", "password"}
    assert "must not be empty" in found["name"]
    assert "not a valid e-mail" in found["email"]
    assert found["phone"].endswith("like 030 123456, or with the country code, like +49 30 123456")
    assert "at least 10 characters" in found["password"]
    field = page.html.find("input", {"id": "email"})
    assert field["aria-invalid"] == "true" and "email-error" in field["aria-describedby"]
    assert customers.count_customers() == 0


def test_log_in_is_refused_until_the_email_is_confirmed(browser: Browser, mailbox) -> None:
    accounts.sign_up("Anna Berg", "anna@example.com", "030 1234567", PASSWORD)
    page = browser.submit_form(browser.get("/login"), "login-form", email="anna@example.com", password=PASSWORD)
    assert page.status_int == 200
    assert "confirm your e-mail" in errors(page)["email"]
    assert len(mailbox.created) == 2  # a fresh link was sent


def test_sign_up_links_an_existing_customer_by_email_without_revealing_it(browser: Browser, mailbox) -> None:
    known = customers.add_customer("Anna Berg", "030 1234567", "anna@example.com")
    page = browser.submit_form(
        browser.get("/signup"),
        "signup-form",
        name="Someone",
        email="anna@example.com",
        phone="0301111111",
        password=PASSWORD,
    )
    assert page.location.endswith("/login?done=signed_up")
    account = accounts.verify_email(mailbox.verify_token("anna@example.com"))
    assert account.customer_id == known.id
    assert customers.get_customer(known.id).name == "Anna Berg"  # nothing overwritten


def test_second_sign_up_for_a_registered_email_looks_the_same_and_sends_a_reset_link(browser: Browser, mailbox) -> None:
    make_customer(mailbox, "anna@example.com")
    page = browser.submit_form(
        browser.get("/signup"),
        "signup-form",
        name="Mallory",
        email="anna@example.com",
        phone="030 7654321",
        password="another long password",
    )
    assert page.status_int == 303 and page.location.endswith("/login?done=signed_up")
    assert len(mailbox.resets) == 1
    browser.log_in("anna@example.com", PASSWORD)  # the old password still works


def test_login_failure_says_the_same_for_unknown_email_and_wrong_password(browser: Browser, mailbox) -> None:
    make_customer(mailbox, "anna@example.com")
    wrong = browser.submit_form(browser.get("/login"), "login-form", email="anna@example.com", password="nope nope x")
    unknown = browser.submit_form(browser.get("/login"), "login-form", email="bob@example.com", password="nope nope x")
    assert wrong.status_int == unknown.status_int == 200
    assert errors(wrong) == errors(unknown) == {"password": "Password: Wrong e-mail or password."}


def test_five_failures_lock_the_account_for_a_short_growing_time(browser: Browser, mailbox, frozen_clock) -> None:
    make_customer(mailbox, "anna@example.com")
    for _ in range(4):
        page = browser.submit_form(
            browser.get("/login"), "login-form", email="anna@example.com", password="bad bad bad"
        )
        assert "Wrong e-mail or password" in errors(page)["password"]
    page = browser.submit_form(browser.get("/login"), "login-form", email="anna@example.com", password="bad bad bad")
    assert errors(page)["password"] == (
        "Password: Too many failed attempts. Try again in 1 minute, "
        "or choose a new password with “Forgotten your password?” (that lifts the wait)."
    )
    locked = browser.submit_form(browser.get("/login"), "login-form", email="anna@example.com", password=PASSWORD)
    assert "Too many failed attempts" in errors(locked)["password"]  # even the right password waits
    frozen_clock.advance(timedelta(seconds=31))
    browser.submit_form(browser.get("/login"), "login-form", email="anna@example.com", password="bad bad bad")
    frozen_clock.advance(timedelta(seconds=31))  # the second lock is 60 s
    still = browser.submit_form(browser.get("/login"), "login-form", email="anna@example.com", password=PASSWORD)
    assert "Too many failed attempts" in errors(still)["password"]
    frozen_clock.advance(timedelta(seconds=30))
    browser.log_in("anna@example.com")


def test_lock_never_lasts_longer_than_fifteen_minutes(db, mailbox, frozen_clock) -> None:
    make_customer(mailbox, "anna@example.com")
    for _ in range(40):
        with pytest.raises(accounts.ValidationError):
            accounts.log_in("anna@example.com", "bad bad bad", None)
    with pytest.raises(accounts.Throttled) as caught:
        accounts.log_in("anna@example.com", PASSWORD, None)
    assert caught.value.retry_after <= timedelta(minutes=15)
    frozen_clock.advance(timedelta(minutes=15, seconds=1))
    assert accounts.log_in("anna@example.com", PASSWORD, None).account is not None


def test_unknown_email_is_throttled_exactly_like_a_real_one(db) -> None:
    for _ in range(5):
        with pytest.raises(accounts.ValidationError) as caught:
            accounts.log_in("ghost@example.com", "bad bad bad", None)
    assert isinstance(caught.value, accounts.Throttled)


def test_one_address_trying_many_emails_is_throttled(db) -> None:
    for i in range(20):
        with pytest.raises(accounts.ValidationError) as caught:
            accounts.log_in(f"user{i}@example.com", "bad bad bad", "198.51.100.9")
    assert isinstance(caught.value, accounts.Throttled)
    with pytest.raises(accounts.Throttled):
        accounts.log_in("new@example.com", "bad bad bad", "198.51.100.9")
    with pytest.raises(accounts.ValidationError) as other:
        accounts.log_in("new@example.com", "bad bad bad", "198.51.100.10")
    assert not isinstance(other.value, accounts.Throttled)


def test_login_gives_a_new_session_token_and_logout_kills_it_on_the_server(browser: Browser, mailbox) -> None:
    make_customer(mailbox, "anna@example.com")
    browser.get("/login")
    anonymous = session_cookie(browser)
    assert anonymous
    browser.log_in("anna@example.com")
    logged_in = session_cookie(browser)
    assert logged_in and logged_in != anonymous
    assert accounts.load_session(anonymous) is None
    home = browser.get("/account")
    csrf = home.html.find("input", {"name": "csrf_token"})["value"]
    browser.post("/logout", {"csrf_token": csrf}, status=303)
    assert accounts.load_session(logged_in) is None
    browser.set_cookie(SESSION, logged_in)  # a stolen copy of the cookie is worthless now
    assert browser.get("/account").status_int == 303


def test_session_cookie_is_httponly_samesite_lax_and_secure_over_https(db, mailbox) -> None:
    from customer_site import create_app

    plain = Browser(create_app())
    response = plain.get("/login")
    header = response.headers["Set-Cookie"]
    assert "httponly" in header.lower() and "samesite=lax" in header.lower()
    assert "Secure" not in header
    secure = Browser(create_app(https=True)).get("/login").headers["Set-Cookie"]
    assert "Secure" in secure
    forwarded = Browser(create_app()).get("/login", extra_environ={"wsgi.url_scheme": "https"})
    assert "Secure" in forwarded.headers["Set-Cookie"]


def test_session_token_is_stored_only_as_a_hash(browser: Browser, mailbox) -> None:
    from shop.models import PortalSession

    make_customer(mailbox, "anna@example.com")
    browser.log_in("anna@example.com")
    token = session_cookie(browser)
    assert len(token) >= 43  # 256 bits, urlsafe base64
    stored = [row.token_hash for row in PortalSession.select()]
    assert token not in stored and all(len(h) == 64 for h in stored)


def test_session_ends_after_idle_time_and_after_absolute_time(browser: Browser, mailbox, frozen_clock) -> None:
    make_customer(mailbox, "anna@example.com")
    browser.log_in("anna@example.com")
    frozen_clock.advance(timedelta(minutes=59))
    assert browser.get("/account").status_int == 200
    frozen_clock.advance(timedelta(minutes=61))
    assert browser.get("/account").status_int == 303  # idle for 61 minutes
    browser.log_in("anna@example.com")
    for _ in range(25):
        frozen_clock.advance(timedelta(minutes=58))
        response = browser.get("/account", expect_errors=True)
        if response.status_int == 303:
            break
    assert response.status_int == 303
    assert settings.get_int("portal.session_max_hours") == 24


def test_a_shortened_idle_limit_applies_from_the_next_request(browser: Browser, mailbox, frozen_clock) -> None:
    make_customer(mailbox, "anna@example.com")
    browser.log_in("anna@example.com")
    frozen_clock.advance(timedelta(minutes=20))
    assert browser.get("/account").status_int == 200  # the default limit (60 min) was read and kept
    frozen_clock.advance(timedelta(minutes=20))
    settings.set_value("portal.session_idle_minutes", 15)
    assert browser.get("/account").status_int == 303  # idle for 20 minutes, no waiting for a cache to expire


@pytest.mark.parametrize(
    "path",
    [
        "/login",
        "/signup",
        "/logout",
        "/forgot",
        "/reset",
        "/verify",
        "/account/profile",
        "/account/password",
        "/cars/new",
    ],
)
def test_post_without_a_valid_csrf_token_is_refused_with_403(browser: Browser, mailbox, path: str) -> None:
    make_customer(mailbox, "anna@example.com")
    browser.log_in("anna@example.com")
    before = audit.history(limit=1000)
    assert browser.post(path, {"name": "X"}, status=403).status_int == 403
    assert browser.post(path, {"name": "X", "csrf_token": "forged"}, status=403).status_int == 403
    assert audit.history(limit=1000) == before


def test_csrf_token_of_another_session_is_refused(browser: Browser, db, mailbox) -> None:
    from customer_site import create_app

    other = Browser(create_app())
    stolen = other.csrf("/login")
    browser.get("/login")
    page = browser.post("/login", {"email": "a@example.com", "password": "x", "csrf_token": stolen}, status=403)
    assert "expired" in text(page)


def test_password_reset_is_silent_about_unknown_emails_and_the_link_works_once(browser: Browser, mailbox) -> None:
    make_customer(mailbox, "anna@example.com")
    known = browser.submit_form(browser.get("/forgot"), "forgot-form", email="anna@example.com")
    unknown = browser.submit_form(browser.get("/forgot"), "forgot-form", email="ghost@example.com")
    assert known.status_int == unknown.status_int == 303 and known.location == unknown.location
    token = mailbox.reset_token("anna@example.com")
    assert len(mailbox.resets) == 1
    form = browser.get(f"/reset?token={token}")
    short = browser.submit_form(form, "reset-form", password="short")
    assert "at least 10 characters" in errors(short)["password"]
    done = browser.submit_form(short, "reset-form", password="a brand new password")
    assert done.location.endswith("/login?done=password_reset")
    again = browser.get(f"/reset?token={token}")
    assert "invalid, used or expired" in text(again)
    browser.log_in("anna@example.com", "a brand new password")


def test_reset_link_expires_after_an_hour(browser: Browser, mailbox, frozen_clock) -> None:
    make_customer(mailbox, "anna@example.com")
    accounts.request_password_reset("anna@example.com")
    frozen_clock.advance(timedelta(minutes=61))
    page = browser.get(f"/reset?token={mailbox.reset_token('anna@example.com')}")
    assert "invalid, used or expired" in text(page)


def test_password_reset_logs_out_every_session(browser: Browser, mailbox) -> None:
    make_customer(mailbox, "anna@example.com")
    browser.log_in("anna@example.com")
    accounts.request_password_reset("anna@example.com")
    accounts.reset_password(mailbox.reset_token("anna@example.com"), "a brand new password")
    assert browser.get("/account").status_int == 303


def test_change_password_needs_the_current_one_and_rotates_the_session(browser: Browser, mailbox) -> None:
    make_customer(mailbox, "anna@example.com")
    browser.log_in("anna@example.com")
    other = Browser(browser.app)
    other.log_in("anna@example.com")
    before = session_cookie(browser)
    page = browser.get("/account/password")
    refused = browser.submit_form(page, "password-form", current_password="wrong one!!", new_password="short")
    assert set(errors(refused)) == {"current_password", "new_password"}
    done = browser.submit_form(refused, "password-form", current_password=PASSWORD, new_password="a brand new password")
    assert done.location.endswith("/account?done=password_changed")
    assert session_cookie(browser) != before
    assert browser.get("/account").status_int == 200
    assert other.get("/account").status_int == 303  # the other device is logged out


def test_profile_edit_changes_contact_details_and_refuses_a_bad_phone(browser: Browser, mailbox) -> None:
    customer_id = make_customer(mailbox, "anna@example.com")
    browser.log_in("anna@example.com")
    page = browser.get("/account/profile")
    refused = browser.submit_form(page, "profile-form", name="Anna Weiss", phone="12", address="Hauptstr. 1")
    assert "phone" in errors(refused) and customers.get_customer(customer_id).name == "Anna Berg"
    done = browser.submit_form(refused, "profile-form", phone="030 7654321")
    assert done.location.endswith("/account?done=profile_saved")
    stored = customers.get_customer(customer_id)
    assert (stored.name, stored.phone, stored.address) == ("Anna Weiss", "+49307654321", "Hauptstr. 1")


@pytest.mark.parametrize("path", ["/account", "/account/profile", "/account/password", "/cars", "/cars/new", "/cars/1"])
def test_account_pages_send_anonymous_visitors_to_log_in(browser: Browser, path: str) -> None:
    response = browser.get(path)
    assert response.status_int == 303
    assert "/login?next=" in response.location


def test_next_after_login_only_goes_to_this_site(browser: Browser, mailbox) -> None:
    make_customer(mailbox, "anna@example.com")
    page = browser.get("/login?next=//evil.example/x")
    response = browser.submit_form(page, "login-form", email="anna@example.com", password=PASSWORD)
    assert response.location.endswith("/account")


def test_customer_actor_cannot_change_another_account() -> None:
    with pytest.raises(accounts.Forbidden):
        accounts._own_account(Actor(role=Role.FRONT_DESK, name="desk", staff_id=1))


def test_profile_sets_the_message_channel_and_reminder_choice(browser: Browser, mailbox) -> None:
    from shop.notifications import preferences

    customer_id = make_customer(mailbox, "anna@example.com")
    browser.log_in("anna@example.com")
    page = browser.get("/account/profile")
    form = page.forms["profile-form"]
    assert form["channel"].value == "email" and form["reminders"].checked
    form["channel"] = "sms"
    form["reminders"] = False
    assert form.submit().status_int == 303
    contact = preferences.get_contact(customer_id)
    assert (contact.channel, contact.reminders) == ("sms", False)
    csrf = browser.csrf("/account/profile")
    bad = browser.post(
        "/account/profile",
        {"csrf_token": csrf, "name": "Anna", "phone": "030 1234567", "address": "", "channel": "pigeon"},
    )
    assert "channel" in errors(bad) and preferences.get_contact(customer_id).channel == "sms"


def test_a_first_time_visitor_sent_to_log_in_is_shown_the_way_to_sign_up_first(browser: Browser) -> None:
    page = browser.get("/book").follow()
    assert page.request.path == "/login"
    assert page.html.find(role="status").get_text(strip=True) == "Please log in to continue."
    offer = page.html.find(id="new-here")
    assert offer.find("a")["href"] == "/signup?next=/book"  # signing up instead keeps the way back
    # above the form, where a phone shows it without scrolling
    assert str(page.html).index('id="new-here"') < str(page.html).index('id="login-form"')
