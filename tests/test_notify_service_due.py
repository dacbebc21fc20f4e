"""Service-due reminders: from the invoiced history and mileage, once per due event."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shop import catalog, customers, invoices, vehicles
from shop.notifications import outbox, preferences, service_due
from tests.conftest import NOW


@pytest.fixture
def car(db):  # type: ignore[no-untyped-def]
    person = customers.add_customer("Jürgen Groß", email="jg@example.com")
    car = vehicles.add_vehicle(person.id, "VW", "Golf", plate="B-JG 123", mileage=52000)
    catalog.add_category("Maintenance")
    catalog.add_service("Oil change", "Maintenance", 30, "49.90")
    catalog.add_service("Brake pads", "Maintenance", 60, "120.00")
    service_due.set_interval("Oil change", months=12, km=15000)
    return person, car


def _invoice_oil_change(customer_id: int, vehicle_id: int) -> None:
    doc = invoices.create_invoice(customer_id, vehicle_id)
    invoices.add_line(doc.id, "service", service="Oil change")
    invoices.add_line(doc.id, "service", service="Brake pads")  # no interval: never reminded
    invoices.issue(doc.id)


def test_car_is_due_after_the_months_and_told_once(car, frozen_clock, cli) -> None:
    person, vehicle = car
    _invoice_oil_change(person.id, vehicle.id)
    assert service_due.list_service_due() == []
    frozen_clock.set(NOW + timedelta(days=366))
    [due] = service_due.list_service_due()
    assert (due.service, due.state, due.reason) == ("Oil change", "to_queue", "12 months since 2026-11-23")
    first = cli("reminders", "service-due", "--json")
    assert first.exit_code == 0 and first.json()["queued"] == 1, first.stderr
    assert cli("reminders", "service-due", "--json").json()["queued"] == 0
    [message] = outbox.list_messages(kind="service_due")
    body = outbox.get_body(message.id)
    assert body.subject == "Your VW Golf (B JG 123) is due for: Oil change"
    assert "last done on 2026-11-23 at 52,000 km" in body.body_text
    listed = cli("reminders", "service-due", "--list", "--json").json()
    assert [d["state"] for d in listed] == ["queued"]


def test_mileage_makes_a_car_due_early_and_a_new_service_starts_the_next_interval(car, frozen_clock) -> None:
    person, vehicle = car
    _invoice_oil_change(person.id, vehicle.id)
    frozen_clock.advance(timedelta(days=90))
    vehicles.record_mileage(vehicle.id, 67100)
    assert service_due.queue_service_due().queued == 1
    [message] = outbox.list_messages(kind="service_due")
    assert "15,100 km since the last one" in outbox.get_body(message.id).body_text
    _invoice_oil_change(person.id, vehicle.id)  # done again at 67,100 km
    assert service_due.list_service_due() == []
    vehicles.record_mileage(vehicle.id, 82200)
    assert service_due.queue_service_due().queued == 1
    assert len(outbox.list_messages(kind="service_due")) == 2


def test_opted_out_customer_is_not_reminded(car, frozen_clock) -> None:
    person, vehicle = car
    _invoice_oil_change(person.id, vehicle.id)
    preferences.set_preferences(person.id, reminders=False)
    frozen_clock.advance(timedelta(days=400))
    assert service_due.queue_service_due().skipped == 1
    assert outbox.list_messages(kind="service_due") == []


def test_interval_input_is_checked_by_field(cli, car) -> None:
    bad = cli("reminders", "interval", "set", "Oil change", "--months", "0", "--km", "5")
    assert bad.exit_code == 1 and "months" in bad.stderr and "km" in bad.stderr
    unknown = cli("reminders", "interval", "set", "Tyre swap", "--months", "6")
    assert unknown.exit_code == 1
    listed = cli("reminders", "interval", "list", "--json").json()
    assert listed == [{"service_id": 1, "service": "Oil change", "months": 12, "km": 15000}]
    assert cli("reminders", "interval", "set", "Oil change").exit_code == 0
    assert cli("reminders", "interval", "list", "--json").json() == []
