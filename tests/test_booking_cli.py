"""The scheduling and booking commands, as a user at a shell sees them."""

from __future__ import annotations

from tests.scheduling_helpers import make_shop


def test_hours_set_and_show(cli) -> None:
    assert cli("hours", "set", "mon-fri", "08:00-12:00,13:00-17:30").exit_code == 0
    assert cli("hours", "set", "sat", "09:00-13:00").exit_code == 0
    shown = cli("hours", "show", "--json").json()
    assert shown[0]["intervals"] == ["08:00-12:00", "13:00-17:30"]
    assert shown[5]["intervals"] == ["09:00-13:00"] and shown[6]["intervals"] == []
    bad = cli("hours", "set", "mon", "12:00-08:00")
    assert bad.exit_code == 1 and "hours" in bad.stderr and "ends before it starts" in bad.stderr


def test_bay_and_closure_commands(cli) -> None:
    assert cli("bay", "add", "Lift 1", "--cap", "lift").exit_code == 0
    assert cli("bay", "add", "Lift 1").exit_code == 3
    edited = cli("bay", "edit", "Lift 1", "--cap", "lift,alignment", "--json")
    assert edited.json()["capabilities"] == ["alignment", "lift"]
    assert cli("closure", "add", "2026-12-24", "2026-12-26", "--reason", "Christmas").exit_code == 0
    listed = cli("closure", "list", "--json").json()
    assert listed[0]["start_date"] == "2026-12-24" and listed[0]["end_date"] == "2026-12-26"


def test_slots_book_and_conflict_exit_3_with_alternatives(cli) -> None:
    shop = make_shop(bays=1)
    slots = cli("slots", "--service", "Oil change", "--from", "2026-11-24", "--days", "1", "--json")
    assert slots.exit_code == 0
    assert slots.json()[0] == {"start": "2026-11-24T08:00:00+01:00", "end": "2026-11-24T09:00:00+01:00"}
    args = ["book", "--customer", str(shop.customer_id), "--car", str(shop.car_id), "--service", "Oil change"]
    booked = cli(*args, "--at", "2026-11-24 10:00", "--json")
    assert booked.exit_code == 0, booked.stderr
    data = booked.json()
    assert {k: data[k] for k in ("customer_id", "car_id", "bay", "status", "start")} == {
        "customer_id": shop.customer_id,
        "car_id": shop.car_id,
        "bay": "Bay 1",
        "status": "scheduled",
        "start": "2026-11-24T10:00:00+01:00",
    }
    taken = cli(
        "book", "--customer", str(shop.other_customer_id), "--car", str(shop.other_car_id), "--service",
        str(shop.oil), "--at", "2026-11-24 10:30",
    )  # fmt: skip
    assert taken.exit_code == 3
    assert "already taken" in taken.stderr and taken.stderr.count("try:") == 3
    assert "Tue 2026-11-24 11:00-12:00" in taken.stderr


def test_appointment_list_show_reschedule_status_cancel(cli) -> None:
    shop = make_shop(bays=1)
    args = ["book", "--customer", str(shop.customer_id), "--car", str(shop.car_id), "--service", "Oil change"]
    appointment_id = cli(*args, "--at", "2026-11-24 10:00").stdout.strip()
    assert cli("appointment", "reschedule", appointment_id, "--at", "2026-11-24 13:00").exit_code == 0
    assert cli("appointment", "status", appointment_id, "checked_in", "--note", "keys at desk").exit_code == 0
    bad = cli("appointment", "status", appointment_id, "completed")
    assert bad.exit_code == 1 and "cannot go from checked_in to completed" in bad.stderr
    shown = cli("appointment", "show", appointment_id)
    assert "checked_in" in shown.stdout and "keys at desk" in shown.stdout and "moved from" in shown.stdout
    listed = cli("appointment", "list", "--date", "2026-11-24", "--json").json()
    assert [a["start"] for a in listed] == ["2026-11-24T13:00:00+01:00"]
    assert cli("appointment", "cancel", appointment_id, "--reason", "sick").exit_code == 0
    assert cli("appointment", "list", "--status", "cancelled", "--json").json()[0]["status"] == "cancelled"
