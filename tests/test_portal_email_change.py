"""Changing the log-in e-mail on the portal: a link to the new address, a notice to the old, rules on the tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shop import accounts, customers
from shop.models import AccountToken
from shop.notifications import outbox
from tests.portal_support import PASSWORD, Browser, errors, make_customer, text

pytest_plugins = ["tests.portal_support"]


@pytest.fixture
def anna(browser: Browser, mailbox) -> int:  # type: ignore[no-untyped-def]
    customer_id = make_customer(mailbox, "anna@example.com")
    browser.log_in("anna@example.com")
    return customer_id


def ask(browser: Browser, new_email: str, password: str = PASSWORD, status: int | None = None):  # type: ignore[no-untyped-def]
    return browser.submit_form(browser.get("/account/email"), "email-form", status, email=new_email, password=password)


def open_link(browser: Browser, token: str):  # type: ignore[no-untyped-def]
    """What a customer does with the e-mailed link: open the page, press the button."""
    page = browser.get(f"/account/email/confirm?token={token}")
    if "email-confirm-form" not in page.forms:
        return page
    return page.forms["email-confirm-form"].submit()


def test_the_new_address_counts_only_after_its_link_is_opened(browser: Browser, anna, mailbox) -> None:
    page = browser.get("/account/profile")
    assert page.html.find("a", href="/account/email") is not None
    sent = ask(browser, "Anna.New@Example.com")
    assert sent.status_int == 303 and "done=email_link_sent" in sent.location
    waiting = sent.follow()
    assert "link was sent to anna.new@example.com" in text(waiting)
    assert accounts.get_account(accounts.Account(0, anna, "", "", True, None).actor()).email == "anna@example.com"
    [event] = mailbox.email_changes
    assert (event.old_email, event.new_email) == ("anna@example.com", "anna.new@example.com")
    confirm = browser.get(f"/account/email/confirm?token={event.token}")
    assert "anna.new@example.com" in text(confirm)  # the page says what it will set; opening it changes nothing
    assert customers.get_customer(anna).email == "anna@example.com"
    done = confirm.forms["email-confirm-form"].submit()
    assert done.status_int == 303 and "done=email_changed" in done.location
    assert customers.get_customer(anna).email == "anna.new@example.com"
    assert "anna.new@example.com" in text(browser.get("/account"))
    browser.post("/logout", {"csrf_token": browser.csrf("/account")})
    browser.log_in("anna.new@example.com")
    other = Browser(browser.app, extra_environ={"REMOTE_ADDR": "203.0.113.8"})
    old_login = other.submit_form(other.get("/login"), "login-form", email="anna@example.com", password=PASSWORD)
    assert old_login.status_int == 200 and errors(old_login)["password"] == f"Password: {accounts.LOGIN_FAILED}"


def test_the_link_goes_to_the_new_address_and_a_notice_without_it_to_the_old(browser: Browser, anna) -> None:
    ask(browser, "anna.new@example.com")
    by_kind = {m.kind: m for m in outbox.list_messages()}
    confirm, notice = by_kind["email_change_confirm"], by_kind["email_change_notice"]
    assert confirm.recipient == "anna.new@example.com" and notice.recipient == "anna@example.com"
    assert "/account/email/confirm?token=" in outbox.get_body(confirm.id).body_text
    notice_text = outbox.get_body(notice.id).body_text
    assert "token" not in notice_text and "anna.new@example.com" not in notice_text
    assert "a•••@example.com" in notice_text


def test_a_link_works_once(browser: Browser, anna, mailbox) -> None:
    ask(browser, "anna.new@example.com")
    token = mailbox.email_change_token("anna.new@example.com")
    assert open_link(browser, token).status_int == 303
    again = open_link(browser, token)
    assert again.status_int == 200 and "invalid, used or expired" in again.html.find(id="token-error").text
    replay = browser.post("/account/email/confirm", {"csrf_token": browser.csrf("/account"), "token": token})
    assert "invalid, used or expired" in text(replay)


def test_a_link_expires_after_a_day(browser: Browser, anna, mailbox, frozen_clock) -> None:
    ask(browser, "anna.new@example.com")
    token = mailbox.email_change_token("anna.new@example.com")
    frozen_clock.advance(accounts.EMAIL_CHANGE_LIFETIME + timedelta(seconds=1))
    expired = open_link(browser, token)
    assert "invalid, used or expired" in text(expired)
    assert customers.get_customer(anna).email == "anna@example.com"


def test_only_the_newest_link_works(browser: Browser, anna, mailbox, frozen_clock) -> None:
    ask(browser, "first@example.com")
    frozen_clock.advance(accounts.EMAIL_CHANGE_GAP + timedelta(seconds=1))
    ask(browser, "second@example.com")
    assert "invalid, used or expired" in text(open_link(browser, mailbox.email_change_token("first@example.com")))
    assert open_link(browser, mailbox.email_change_token("second@example.com")).status_int == 303
    assert customers.get_customer(anna).email == "second@example.com"


def test_tokens_are_stored_only_hashed(browser: Browser, anna, mailbox) -> None:
    ask(browser, "anna.new@example.com")
    token = mailbox.email_change_token("anna.new@example.com")
    stored = [r.token_hash for r in AccountToken.select().where(AccountToken.purpose == "email")]
    assert stored and token not in stored and all(len(h) == 64 for h in stored)


def test_an_address_another_customer_uses_is_refused_with_the_same_words_whoever_has_it(
    browser: Browser, anna, mailbox
) -> None:
    make_customer(mailbox, "bob@example.com", name="Bob Stone", phone="030 5555555")
    customers.add_customer("Carla Weiss", email="carla@example.com")  # a customer without a portal account
    refused = [ask(browser, address) for address in ("bob@example.com", "Carla@example.com")]
    assert [r.status_int for r in refused] == [200, 200]
    words = {errors(r)["email"] for r in refused}
    assert words == {f"New e-mail address: {accounts.EMAIL_TAKEN}"}
    assert all("Bob" not in text(r) and "Carla" not in text(r) for r in refused)
    assert mailbox.email_changes == [] and not [m for m in outbox.list_messages() if m.kind.startswith("email_change")]
    assert refused[0].html.find("input", id="email")["aria-describedby"].startswith("email-error")


def test_an_address_taken_after_the_link_was_sent_is_refused_when_the_link_is_opened(
    browser: Browser, anna, mailbox
) -> None:
    ask(browser, "wanted@example.com")
    make_customer(mailbox, "wanted@example.com", name="Bob Stone", phone="030 5555555")
    page = open_link(browser, mailbox.email_change_token("wanted@example.com"))
    assert page.status_int == 200 and "taken by another account since the link was sent" in text(page)
    assert "Bob" not in text(page) and customers.get_customer(anna).email == "anna@example.com"


def test_the_form_needs_the_current_password_and_a_valid_new_address(browser: Browser, anna, mailbox) -> None:
    page = ask(browser, "not-an-address", password="wrong password")
    assert set(errors(page)) == {"email", "password"}
    assert page.html.find("input", id="email")["value"] == "not-an-address"
    assert page.html.find("input", id="password")["value"] == ""
    same = ask(browser, "ANNA@example.com")
    assert errors(same)["email"] == "New e-mail address: is already the address of your account"
    assert mailbox.email_changes == []


def test_asking_again_at_once_is_refused_so_the_form_cannot_flood_a_mailbox(browser: Browser, anna, mailbox) -> None:
    ask(browser, "anna.new@example.com")
    again = ask(browser, "someone@example.com")
    assert "please wait a minute" in errors(again)["email"]
    assert len(mailbox.email_changes) == 1


def test_the_change_form_needs_csrf_and_a_log_in(browser: Browser, anna, mailbox) -> None:
    browser.post("/account/email", {"email": "x@example.com", "password": PASSWORD}, status=403)
    browser.post("/logout", {"csrf_token": browser.csrf("/account")})
    assert "/login" in browser.get("/account/email").location
    ask_anonymous = browser.post(
        "/account/email", {"csrf_token": browser.csrf("/login"), "email": "x@example.com", "password": PASSWORD}
    )
    assert ask_anonymous.status_int == 303 and "/login" in ask_anonymous.location
    assert mailbox.email_changes == []


def test_the_confirm_post_needs_csrf(browser: Browser, anna, mailbox) -> None:
    ask(browser, "anna.new@example.com")
    token = mailbox.email_change_token("anna.new@example.com")
    browser.post("/account/email/confirm", {"token": token}, status=403)
    assert customers.get_customer(anna).email == "anna@example.com"


def test_the_link_works_on_another_device_without_a_log_in(browser: Browser, anna, mailbox) -> None:
    ask(browser, "anna.new@example.com")
    phone = Browser(browser.app, extra_environ={"REMOTE_ADDR": "203.0.113.9"})
    done = open_link(phone, mailbox.email_change_token("anna.new@example.com"))
    assert done.status_int == 303 and done.location.endswith("/login?done=email_changed")
    assert "Use the new one to log in" in text(done.follow())
    assert customers.get_customer(anna).email == "anna.new@example.com"
