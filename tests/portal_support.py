"""Helpers shared by the portal tests: a WebTest client, captured e-mail tokens, customers with accounts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import webtest

from customer_site import create_app
from shop import accounts, events
from shop.event_types import CustomerAccountCreated, EmailChangeRequested, PasswordResetRequested

PASSWORD = "correct horse battery"


@dataclass
class Mailbox:
    """Tokens the account service published (what the notification e-mails would carry)."""

    created: list[CustomerAccountCreated] = field(default_factory=list)
    resets: list[PasswordResetRequested] = field(default_factory=list)
    email_changes: list[EmailChangeRequested] = field(default_factory=list)

    def verify_token(self, email: str) -> str:
        return [e.token for e in self.created if e.email == email][-1]

    def reset_token(self, email: str) -> str:
        return [e.token for e in self.resets if e.email == email][-1]

    def email_change_token(self, new_email: str) -> str:
        return [e.token for e in self.email_changes if e.new_email == new_email][-1]


_box: Mailbox | None = None


def _on_created(event: CustomerAccountCreated) -> None:
    if _box is not None:
        _box.created.append(event)


def _on_reset(event: PasswordResetRequested) -> None:
    if _box is not None:
        _box.resets.append(event)


def _on_email_change(event: EmailChangeRequested) -> None:
    if _box is not None:
        _box.email_changes.append(event)


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    global _box
    events.subscribe(CustomerAccountCreated)(_on_created)
    events.subscribe(PasswordResetRequested)(_on_reset)
    events.subscribe(EmailChangeRequested)(_on_email_change)
    _box = Mailbox()
    yield _box
    _box = None


class Browser(webtest.TestApp):
    """A WebTest client with the portal's forms as one-liners."""

    def submit_form(self, page: webtest.TestResponse, form_id: str, status: str | int | None = None, **values: str):
        form = page.forms[form_id]
        for name, value in values.items():
            form[name] = value
        return form.submit(status=status) if status is not None else form.submit()

    def csrf(self, path: str = "/login") -> str:
        page = self.get(path)
        return page.html.find("input", {"name": "csrf_token"})["value"]

    def log_in(self, email: str, password: str = PASSWORD) -> webtest.TestResponse:
        response = self.submit_form(self.get("/login"), "login-form", email=email, password=password)
        assert response.status_int == 303, errors(response)
        return response


def errors(response: webtest.TestResponse) -> dict[str, str]:
    """Field -> message shown next to the field."""
    found = {}
    for tag in response.html.select("p.error[id$=-error]"):
        found[tag["id"].removesuffix("-error")] = tag.get_text(" ", strip=True)
    return found


def text(response: webtest.TestResponse) -> str:
    main = response.html.find("main")
    return re.sub(r"\s+", " ", (main or response.html).get_text(" ", strip=True))


@pytest.fixture
def browser(db, mailbox) -> Browser:  # type: ignore[no-untyped-def]
    return Browser(create_app(), extra_environ={"REMOTE_ADDR": "203.0.113.7"})


def make_customer(mailbox: Mailbox, email: str, name: str = "Anna Berg", phone: str = "030 1234567") -> int:
    """A customer with a confirmed portal account; returns the customer id."""
    accounts.sign_up(name, email, phone, PASSWORD)
    account = accounts.verify_email(mailbox.verify_token(email))
    return account.customer_id


@pytest.fixture
def anna_with_golf(browser: Browser, mailbox: Mailbox) -> dict[str, int]:
    """Mon-Fri 08:00-12:00 and 13:00-17:00, one bay, oil change (89.00) and brake pads (189.00);
    Anna logged in with her Golf: ids of customer, car and both services."""
    from decimal import Decimal

    from shop import catalog, vehicles
    from shop.scheduling import calendar

    calendar.set_hours("mon-fri", "08:00-12:00,13:00-17:00")
    calendar.add_bay("Bay 1")
    catalog.add_category("Maintenance")
    oil = catalog.add_service("Oil change", "Maintenance", 60, Decimal("89.00"))
    brakes = catalog.add_service("Brake pads", "Maintenance", 90, Decimal("189.00"))
    customer_id = make_customer(mailbox, "anna@example.com")
    car = vehicles.add_vehicle(customer_id, "Volkswagen", "Golf", plate="B-AB 123")
    browser.log_in("anna@example.com")
    return {"customer": customer_id, "car": car.id, "oil": oil.id, "brakes": brakes.id}


@pytest.fixture
def shop_open(db) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Mon-Fri 08:00-12:00 and 13:00-17:00, one bay, two services (oil change 60 min 89.00, tyre change 30 min
    39.00); the clock stands at Mon 23 Nov 2026 08:00 local."""
    from decimal import Decimal

    from shop import catalog
    from shop.scheduling import calendar

    calendar.set_hours("mon-fri", "08:00-12:00,13:00-17:00")
    calendar.add_bay("Bay 1")
    catalog.add_category("Maintenance")
    oil = catalog.add_service("Oil change", "Maintenance", 60, Decimal("89.00"))
    tyres = catalog.add_service("Tyre change", "Maintenance", 30, Decimal("39.00"))
    return {"oil": oil.id, "tyres": tyres.id}
