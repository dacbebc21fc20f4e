"""Booking, moving, cancelling and finishing appointments sends the right messages; reminders never double."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from icalendar import Calendar

from shop import booking, settings
from shop.notifications import outbox, preferences, reminders
from shop.notifications.sender import send_due
from tests.conftest import NOW, ROOT
from tests.scheduling_helpers import make_shop
from tests.smtp import SmtpServer

SHOP = {
    "shop.name": "Kessler Autoservice",
    "shop.address": "Werkstraße 12, 10115 Berlin",
    "shop.phone": "+49 30 1234567",
    "shop.email": "werkstatt@kessler-auto.example",
    "portal.base_url": "https://portal.kessler-auto.example",
}


@pytest.fixture
def smtp(db):  # type: ignore[no-untyped-def]
    server = SmtpServer().start()
    settings.set_many({**server.settings(), **SHOP})
    yield server
    server.stop()


def _invite(received) -> Calendar:  # type: ignore[no-untyped-def]
    [part] = [p for p in received.message.walk() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_content())


def test_cli_booking_sends_a_confirmation_with_a_valid_invite(smtp, cli) -> None:
    shop = make_shop()
    args = ["book", "--customer", str(shop.customer_id), "--car", str(shop.car_id), "--service", "Oil change"]
    appointment_id = int(cli(*args, "--at", "2026-11-24 10:00").stdout.strip())
    sent = cli("notify", "send", "--json")
    assert sent.exit_code == 0 and sent.json()["sent"] == 1, sent.stderr
    [got] = smtp.received
    msg = got.message
    assert got.rcpt_tos == ["anna@example.com"]
    assert msg["Subject"] == "Your appointment at Kessler Autoservice on Tue 24 Nov 10:00"
    text = msg.get_body(("plain",)).get_content()
    for expected in (
        "Hello Anna Berg",
        "Tuesday 24 November 2026, 10:00 (Europe/Berlin)",
        "VW Golf",
        "Oil change",
        "+49 30 1234567",
        "Werkstraße 12, 10115 Berlin",
        f"https://portal.kessler-auto.example/appointments/{appointment_id}",
    ):
        assert expected in text
    cal = _invite(got)
    [event] = cal.walk("VEVENT")
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == f"appointment-{appointment_id}@kessler-auto.example"
    assert int(event["SEQUENCE"]) == 0
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event.decoded("DTSTART").isoformat() == "2026-11-24T10:00:00+01:00"
    assert event.decoded("DTEND").isoformat() == "2026-11-24T11:00:00+01:00"
    assert str(event["LOCATION"]) == "Werkstraße 12, 10115 Berlin"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert [p.get_filename() for p in msg.walk() if p.get_filename()] == ["invite.ics"]


def test_reschedule_updates_and_cancel_withdraws_the_same_calendar_entry(smtp) -> None:
    shop = make_shop()
    appointment = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 10:00")
    booking.reschedule(appointment.id, "2026-11-25 13:00")
    booking.cancel(appointment.id, reason="car sold")
    assert send_due().sent == 3
    booked, moved, cancelled = (_invite(r) for r in smtp.received)
    uids = {str(c.walk("VEVENT")[0]["UID"]) for c in (booked, moved, cancelled)}
    assert len(uids) == 1
    assert [int(c.walk("VEVENT")[0]["SEQUENCE"]) for c in (booked, moved, cancelled)] == [0, 1, 2]
    assert [str(c["METHOD"]) for c in (booked, moved, cancelled)] == ["REQUEST", "REQUEST", "CANCEL"]
    assert moved.walk("VEVENT")[0].decoded("DTSTART").isoformat() == "2026-11-25T13:00:00+01:00"
    assert str(cancelled.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    subjects = [r.message["Subject"] for r in smtp.received]
    assert subjects[1] == "Your appointment at Kessler Autoservice moved to Wed 25 Nov 13:00"
    assert "Tuesday 24 November 2026, 10:00" in smtp.received[1].message.get_body(("plain",)).get_content()
    assert subjects[2].endswith("is cancelled")


def test_finished_work_tells_the_customer_the_car_is_ready_but_check_in_does_not(smtp) -> None:
    shop = make_shop()
    appointment = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-23 10:00")
    for status in ("checked_in", "in_progress", "completed"):
        booking.set_status(appointment.id, status)
    kinds = [m.kind for m in outbox.list_messages()]
    assert sorted(kinds) == ["appointment_booked", "appointment_ready"]
    send_due()
    assert smtp.received[-1].message["Subject"] == "Your VW Golf (B AB 1234) is ready for pick-up"


def test_customer_who_chose_none_gets_no_booking_mail(smtp) -> None:
    shop = make_shop()
    preferences.set_preferences(shop.customer_id, channel="none")
    booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 10:00")
    assert outbox.list_messages() == []


def _reminder_keys() -> list[str]:
    return sorted(m.dedupe_key or "" for m in outbox.list_messages(kind="appointment_reminder"))


def test_reminders_are_queued_once_per_offset_and_again_only_after_a_move(smtp, frozen_clock, cli) -> None:
    shop = make_shop()
    appointment = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 10:00")  # 09:00 UTC
    assert reminders.queue_reminders().queued == 0  # 26 h ahead: not yet
    frozen_clock.set(NOW + timedelta(hours=3))  # 23 h ahead: the 24 h reminder
    first = cli("reminders", "queue", "--json")
    assert first.exit_code == 0 and first.json()["queued"] == 1, first.stderr
    assert cli("reminders", "queue", "--json").json() == {"considered": 1, "queued": 0, "already": 1, "skipped": 0}
    due = cli("reminders", "due", "--json").json()
    assert [(d["appointment_id"], d["offset"], d["state"]) for d in due] == [(appointment.id, "24h", "queued")]
    assert _reminder_keys() == [f"reminder:appointment:{appointment.id}:r0:24h"]
    send_due()
    body = smtp.received[-1].message.get_body(("plain",)).get_content()
    assert "a reminder of your appointment tomorrow at 10:00" in body
    booking.reschedule(appointment.id, "2026-11-24 15:00")
    frozen_clock.set(NOW + timedelta(hours=24))  # 07:00 UTC Tue: 7 h before the new start -> 24 h window
    assert reminders.queue_reminders().queued == 1
    frozen_clock.set(NOW + timedelta(hours=29))  # 1 h before: the 2 h reminder
    assert reminders.queue_reminders().queued == 1
    assert _reminder_keys() == [
        f"reminder:appointment:{appointment.id}:r0:24h",
        f"reminder:appointment:{appointment.id}:r1:24h",
        f"reminder:appointment:{appointment.id}:r1:2h",
    ]


def test_cancelled_appointment_drops_its_pending_reminder_and_gets_no_new_one(db, frozen_clock) -> None:
    shop = make_shop()
    appointment = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 10:00")
    frozen_clock.set(NOW + timedelta(hours=3))
    assert reminders.queue_reminders().queued == 1
    booking.cancel(appointment.id)
    [reminder] = outbox.list_messages(kind="appointment_reminder")
    assert reminder.status == "dropped"
    assert reminders.queue_reminders().considered == 0
    assert reminders.due() == []


def test_opted_out_customer_gets_no_reminder(db, frozen_clock) -> None:
    shop = make_shop()
    preferences.set_preferences(shop.customer_id, reminders=False)
    booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 10:00")
    frozen_clock.set(NOW + timedelta(hours=3))
    assert reminders.queue_reminders().skipped == 1
    assert [d.state for d in reminders.due()] == ["opted_out"]
    assert outbox.list_messages(kind="appointment_reminder") == []


def test_concurrent_reminder_runs_queue_each_reminder_once(db) -> None:
    shop = make_shop(bays=3)
    for hour in ("10:00", "11:00", "14:00"):
        booking.book(shop.customer_id, shop.car_id, [shop.oil], f"2026-11-24 {hour}")
        booking.book(shop.other_customer_id, shop.other_car_id, [shop.quick], f"2026-11-24 {hour}")
    later = (NOW + timedelta(hours=8)).isoformat()  # every appointment is inside the 24 h window
    procs = [
        subprocess.Popen(
            [sys.executable, str(ROOT / "cli.py"), "--db", db.url, "reminders", "queue", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "GARAGE_NOW": later},
        )
        for _ in range(8)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outputs]
    assert sum(__import__("json").loads(o[0])["queued"] for o in outputs) == 6
    keys = _reminder_keys()
    assert len(keys) == 6 and len(set(keys)) == 6


def test_a_failing_notification_rule_never_undoes_the_booking(db, monkeypatch) -> None:
    from shop import audit
    from shop.notifications import rules

    shop = make_shop()

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("template exploded")

    monkeypatch.setattr(rules, "notify", broken)
    appointment = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 10:00")
    assert booking.get_appointment(appointment.id).status == "scheduled"
    assert outbox.list_messages() == []
    [entry] = [e for e in audit.history() if e.action == "notify.error"]
    assert entry.entity == "AppointmentBooked" and "template exploded" in entry.details["error"]


def test_booking_confirmation_carries_the_booked_values_and_invite_without_reading_the_appointment_back(
    smtp, monkeypatch
) -> None:
    from shop import audit

    shop = make_shop()

    def no_read_back(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the confirmation read the appointment back")

    monkeypatch.setattr(booking, "get_appointment", no_read_back)
    appointment = booking.book(shop.customer_id, shop.car_id, [shop.oil, shop.quick], "2026-11-24 10:00")
    monkeypatch.undo()
    assert [e.details for e in audit.history() if e.action == "notify.error"] == []
    assert send_due().sent == 1
    [got] = smtp.received
    assert got.message["Subject"] == "Your appointment at Kessler Autoservice on Tue 24 Nov 10:00"
    text = got.message.get_body(("plain",)).get_content()
    for expected in (
        "Hello Anna Berg",
        "Tuesday 24 November 2026, 10:00 (Europe/Berlin)",
        "VW Golf (B AB 1234)",
        "Oil change, Wiper blades",
        f"https://portal.kessler-auto.example/appointments/{appointment.id}",
    ):
        assert expected in text
    cal = _invite(got)
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == f"appointment-{appointment.id}@kessler-auto.example"
    assert int(event["SEQUENCE"]) == 0 and str(cal["METHOD"]) == "REQUEST"
    assert event.decoded("DTSTART").isoformat() == "2026-11-24T10:00:00+01:00"
    assert event.decoded("DTEND").isoformat() == "2026-11-24T11:30:00+01:00"
    assert str(event["SUMMARY"]) == "Kessler Autoservice: VW Golf (B AB 1234) (Oil change, Wiper blades)"
    assert str(event["ATTENDEE"]) == "mailto:anna@example.com"


def test_appointment_events_carry_what_a_read_in_the_same_transaction_returns(db) -> None:
    from dataclasses import replace

    from shop import events
    from shop.event_types import AppointmentBooked, AppointmentCancelled, AppointmentRescheduled

    shop = make_shop()
    seen: list[tuple[object, object]] = []

    def compare(event) -> None:  # type: ignore[no-untyped-def]
        seen.append((event, replace(booking.get_appointment(event.appointment_id), timeline=())))

    kinds = (AppointmentBooked, AppointmentRescheduled, AppointmentCancelled)
    for kind in kinds:
        events.subscribe(kind)(compare)
    try:
        appointment = booking.book(
            shop.customer_id, shop.car_id, [shop.brakes, shop.oil], "2026-11-24 08:30", notes="  key at the desk "
        )
        booking.reschedule(appointment.id, "2026-11-25 13:00")
        booking.cancel(appointment.id, reason="car sold")
    finally:
        for kind in kinds:
            events._subscribers[kind].remove(compare)
    assert [type(event).__name__ for event, _ in seen] == [k.__name__ for k in kinds]
    for event, read in seen:
        assert event.appointment == read  # type: ignore[attr-defined]
    assert seen[0][1].notes == "key at the desk" and seen[2][1].status == "cancelled"
    # The carried appointment stays out of the event's repr (what a failing rule writes to the audit trail).
    assert repr(seen[0][0]) == f"AppointmentBooked(appointment_id={appointment.id})"


def test_each_confirmation_uses_the_settings_and_the_admins_template_as_they_are_at_that_booking(smtp) -> None:
    from shop.notifications import templates

    shop = make_shop()
    booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 10:00")
    settings.set_value("shop.name", "Kessler & Sohn")
    templates.set_template("appointment_booked", "subject", "Booked for ${start_short} at ${shop_name}")
    booking.book(shop.other_customer_id, shop.other_car_id, [shop.oil], "2026-11-24 13:00")
    assert send_due().sent == 2
    assert sorted(r.message["Subject"] for r in smtp.received) == [
        "Booked for Tue 24 Nov 13:00 at Kessler & Sohn",
        "Your appointment at Kessler Autoservice on Tue 24 Nov 10:00",
    ]
