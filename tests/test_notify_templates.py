"""Templates, calendar invites, contact preferences, portal messages and the SMS back ends."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
from icalendar import Calendar

from shop import customers, events, settings
from shop.auth import Actor, Role
from shop.db import transaction
from shop.errors import Forbidden, ValidationError
from shop.event_types import CustomerAccountCreated, PasswordResetRequested
from shop.notifications import invites, outbox, preferences, rules, templates
from shop.notifications.sender import send_due
from tests.smtp import SmtpServer


@pytest.fixture
def smtp(db):  # type: ignore[no-untyped-def]
    server = SmtpServer().start()
    settings.set_many({**server.settings(), "shop.name": "Kessler & Sons", "shop.address": "Werkstraße 12, Berlin"})
    yield server
    server.stop()


def _customer(email: str | None = "anna@example.com", phone: str | None = "+4930123456") -> int:
    return customers.add_customer("Anna <Müller>", phone=phone, email=email).id


def test_default_templates_render_every_part_and_escape_html(db) -> None:
    settings.set_value("shop.name", "Kessler & Sons")
    rendered = templates.render(
        "password_reset", {**rules.shop_values(), "customer_name": "Anna <b>", "reset_url": "https://x/r?t=1"}
    )
    assert rendered.subject == "Reset your Kessler & Sons password"
    assert "Hello Anna <b>," in rendered.text and "https://x/r?t=1" in rendered.text
    assert "Hello Anna &lt;b&gt;," in rendered.html and "Kessler &amp; Sons" in rendered.html
    for kind in templates.KINDS:  # every shipped default uses only placeholders its kind knows
        for part in templates.PARTS:
            body = templates.default(kind, part)
            if body:
                templates.check(kind, part, body)


def test_template_with_unknown_placeholder_is_refused_naming_it(cli) -> None:
    result = cli("notify", "template", "set", "appointment_booked", "subject", stdin="See you ${when}\n")
    assert result.exit_code == 1
    assert "unknown placeholder ${when}" in result.stderr and "start_short" in result.stderr
    stray = cli("notify", "template", "set", "appointment_booked", "text", stdin="Costs 5 $ only\n")
    assert stray.exit_code == 1 and "$$" in stray.stderr
    assert cli("notify", "template", "list", "--json").json()[0]["overridden"] == []


def test_admin_override_is_used_and_reset_restores_the_default(cli) -> None:
    changed = cli("notify", "template", "set", "password_reset", "subject", stdin="New password for ${shop_name}\n")
    assert changed.exit_code == 0, changed.stderr
    shown = cli("notify", "template", "show", "password_reset", "--json").json()
    assert shown["subject"] == "New password for ${shop_name}\n" and shown["overridden"] == ["subject"]
    assert templates.render("password_reset", {"shop_name": "Garage"}).subject == "New password for Garage"
    assert cli("notify", "template", "reset", "password_reset").exit_code == 0
    assert templates.render("password_reset", {"shop_name": "Garage"}).subject == "Reset your Garage password"
    unknown = cli("notify", "template", "show", "birthday")
    assert unknown.exit_code == 1 and "no message template 'birthday'" in unknown.stderr


def test_only_admins_change_templates(db) -> None:
    desk = Actor(Role.FRONT_DESK, "desk", staff_id=1)
    with pytest.raises(Forbidden):
        templates.set_template("password_reset", "subject", "x", actor=desk)
    assert templates.list_templates(actor=desk)


def test_invite_has_stable_uid_sequence_method_timezone_and_location(db) -> None:
    start = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    base = invites.Invite(
        uid=invites.appointment_uid(7, "shop.example"),
        sequence=0,
        method="REQUEST",
        start=start,
        end=datetime(2026, 11, 24, 9, 30, tzinfo=UTC),
        summary="Oil change",
        description="Oil change",
        location="Werkstraße 12, Berlin",
        timezone="Europe/Berlin",
        organizer_email="shop@shop.example",
        organizer_name="Kessler",
        attendee_email="anna@example.com",
        attendee_name="Anna",
    )
    cal = Calendar.from_ical(invites.build(base))
    [event] = cal.walk("VEVENT")
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == "appointment-7@shop.example" and int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == start and event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event.decoded("DTSTART").tzinfo is not None and event.decoded("DTSTART").hour == 9  # 09:00 in Berlin
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert str(event["LOCATION"]) == "Werkstraße 12, Berlin"
    cancel = Calendar.from_ical(invites.build(replace(base, method="CANCEL", sequence=2)))
    [cancelled] = cancel.walk("VEVENT")
    assert str(cancel["METHOD"]) == "CANCEL" and str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["UID"]) == str(event["UID"]) and int(cancelled["SEQUENCE"]) == 2


def test_invite_with_the_once_per_zone_vtimezone_equals_icalendars_own_and_keeps_dst_rules(db) -> None:
    """`build` splices a VTIMEZONE serialised once per zone; the file must be what icalendar builds
    itself, summer and winter times must read back right, and each zone must get its own rules."""
    invites.vtimezone.cache_clear()
    summer = invites.Invite(
        uid=invites.appointment_uid(9, "shop.example"),
        sequence=1,
        method="REQUEST",
        start=datetime(2027, 7, 6, 6, 0, tzinfo=UTC),
        end=datetime(2027, 7, 6, 7, 0, tzinfo=UTC),
        summary="Oil change, a long summary that is folded over more than one content line of the file",
        description="Oil change\nCar: VW Golf",
        location="Werkstraße 12, Berlin",
        timezone="Europe/Berlin",
        organizer_email="shop@shop.example",
        organizer_name="Kessler",
        attendee_email="anna@example.com",
        attendee_name="Anna",
        url="https://portal.example/appointments/9",
    )
    winter = replace(summer, start=datetime(2027, 1, 12, 7, 0, tzinfo=UTC), end=datetime(2027, 1, 12, 8, 0, tzinfo=UTC))
    new_york = replace(summer, timezone="America/New_York")
    for invite in (summer, winter, summer, new_york, winter):
        built = invites.build(invite)
        reference = Calendar.from_ical(built)
        [event] = reference.walk("VEVENT")
        reference.subcomponents = [event]  # drop the spliced VTIMEZONE and let icalendar add its own
        reference.add_missing_timezones()
        assert built == reference.to_ical()
        cal = Calendar.from_ical(built)
        [tz] = cal.walk("VTIMEZONE")
        assert str(tz["TZID"]) == invite.timezone
        [event] = cal.walk("VEVENT")
        assert event.decoded("DTSTART") == invite.start
    assert invites.vtimezone.cache_info().misses == 2  # one per zone, however many invites
    berlin = Calendar.from_ical(invites.build(summer)).walk("VTIMEZONE")[0]
    offsets = {(c.name, c["TZOFFSETTO"].to_ical()) for c in berlin.subcomponents}
    assert offsets == {("STANDARD", "+0100"), ("DAYLIGHT", "+0200")}
    assert Calendar.from_ical(invites.build(summer)).walk("VEVENT")[0].decoded("DTSTART").hour == 8  # CEST
    assert Calendar.from_ical(invites.build(winter)).walk("VEVENT")[0].decoded("DTSTART").hour == 8  # CET
    assert Calendar.from_ical(invites.build(new_york)).walk("VEVENT")[0].decoded("DTSTART").hour == 2  # EDT


def test_preferences_are_checked_and_customers_change_only_their_own(cli) -> None:
    no_phone = _customer(phone=None)
    with pytest.raises(ValidationError) as err:
        preferences.set_preferences(no_phone, channel="sms")
    assert "phone number" in str(err.value)
    result = cli("notify", "prefs", str(no_phone), "--no-reminders", "--channel", "none", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["channel"] == "none" and result.json()["reminders"] is False
    other = _customer(email="bob@example.com", phone="+4930999999")
    me = Actor(Role.CUSTOMER, "anna", customer_id=no_phone)
    assert preferences.set_preferences(no_phone, reminders=True, actor=me).reminders is True
    with pytest.raises(Forbidden):
        preferences.set_preferences(other, channel="email", actor=me)
    bad = cli("notify", "prefs", str(other), "--channel", "pigeon")
    assert bad.exit_code == 1 and "channel" in bad.stderr


def test_password_reset_and_account_mails_carry_portal_links_and_roll_back_with_the_cause(smtp) -> None:
    customer_id = _customer()
    settings.set_value("portal.base_url", "https://portal.example/")
    preferences.set_preferences(customer_id, channel="none")  # account mails go anyway: the customer asked

    @transaction
    def request(fail: bool) -> None:
        events.publish(PasswordResetRequested(customer_id, "anna@example.com", "tok123"))
        if fail:
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        request(True)
    assert outbox.list_messages() == []
    request(False)
    transaction(lambda: events.publish(CustomerAccountCreated(customer_id, "anna@example.com")))()
    assert send_due().sent == 2
    by_subject = {r.message["Subject"]: r.message for r in smtp.received}
    reset = by_subject["Reset your Kessler & Sons password"]
    assert "https://portal.example/reset?token=tok123" in reset.get_body(("plain",)).get_content()
    assert "Hello Anna &lt;Müller&gt;," in reset.get_body(("html",)).get_content()
    assert "Welcome to Kessler & Sons" in by_subject


def test_channel_none_suppresses_shop_news_but_routes_fall_back_when_a_channel_cannot_work(db) -> None:
    customer_id = _customer()
    contact = preferences.get_contact(customer_id)
    assert rules.route(contact, "appointment_ready").channel == "email"
    preferences.set_preferences(customer_id, channel="sms")
    contact = preferences.get_contact(customer_id)
    assert rules.route(contact, "appointment_ready").channel == "email"  # no SMS gateway configured
    settings.set_value("sms.gateway", "webhook")
    assert rules.route(contact, "appointment_ready") == rules.Route("sms", "+4930123456")
    assert rules.route(contact, "invoice_issued").channel == "sms"
    preferences.set_preferences(customer_id, channel="none")
    assert rules.route(preferences.get_contact(customer_id), "appointment_ready") is None


class _Webhook(BaseHTTPRequestHandler):
    calls: ClassVar[list[tuple[dict[str, str], dict[str, object]]]] = []
    status = 200

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).calls.append((dict(self.headers), body))
        self.send_response(type(self).status)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook():  # type: ignore[no-untyped-def]
    _Webhook.calls, _Webhook.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), _Webhook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, _Webhook
    server.shutdown()
    server.server_close()


def test_sms_webhook_gets_json_with_token_and_a_5xx_is_retried(db, webhook, frozen_clock) -> None:
    server, handler = webhook
    settings.set_many(
        {
            "sms.gateway": "webhook",
            "sms.webhook_url": f"http://127.0.0.1:{server.server_address[1]}/sms",
            "sms.webhook_token": "tkn",
        }
    )
    handler.status = 503
    message = outbox.enqueue("appointment_ready", "+4930123456", "Ready", "Your car is ready", channel="sms")
    result = send_due()
    assert result.failed == 1 and "503" in outbox.get_message(message).last_error
    handler.status = 200
    frozen_clock.advance(timedelta(hours=1))
    assert send_due().sent == 1
    headers, body = handler.calls[-1]
    assert body == {"to": "+4930123456", "text": "Your car is ready", "message_id": body["message_id"]}
    assert headers["Authorization"] == "Bearer tkn"
    assert body["message_id"] == outbox.get_message(message).message_id
    assert len(handler.calls) == 2


def test_sms_through_an_email_gateway_uses_the_address_pattern(smtp) -> None:
    settings.set_many({"sms.gateway": "email", "sms.email_pattern": "{number}@sms.example.net"})
    outbox.enqueue("appointment_ready", "+4930123456", "Ready", "Your car is ready", channel="sms")
    assert send_due().sent == 1
    [got] = smtp.received
    assert got.rcpt_tos == ["4930123456@sms.example.net"]
    assert got.message.get_body(("plain",)).get_content().strip() == "Your car is ready"
