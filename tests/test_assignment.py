"""Assigning a mechanic to an existing appointment: hours, time off, overlaps, jobs, permissions, CLI."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from shop import booking, jobs, staff
from shop.auth import Actor, Role
from shop.errors import Conflict, Forbidden, NotFound, ValidationError
from shop.scheduling import calendar
from tests.scheduling_helpers import make_shop

DESK = Actor(Role.FRONT_DESK, "desk", staff_id=99)


@pytest.fixture
def shop(db):  # type: ignore[no-untyped-def]
    made = make_shop(bays=2)
    staff.add_staff("mara", "Mara Schulz", "mechanic", "mara-long-password")
    staff.add_staff("tobias", "Tobias Becker", "mechanic", "tobias-long-password")
    return made


def book(shop, at: str, other: bool = False, mechanic: str | None = None) -> booking.Appointment:  # type: ignore[no-untyped-def]
    customer, car = (shop.other_customer_id, shop.other_car_id) if other else (shop.customer_id, shop.car_id)
    return booking.book(customer, car, [shop.oil], at, mechanic_id=mechanic)


def test_assign_and_unassign_are_stored_and_on_the_timeline(shop) -> None:
    a = book(shop, "2026-11-24 09:00")
    assigned = booking.assign_mechanic(a.id, "mara", actor=DESK)
    assert (assigned.mechanic, assigned.mechanic_id) == ("Mara Schulz", staff.get_staff("mara").id)
    moved = booking.assign_mechanic(a.id, "tobias", actor=DESK)
    assert moved.mechanic == "Tobias Becker"
    cleared = booking.assign_mechanic(a.id, None, actor=DESK)
    assert cleared.mechanic is None and booking.get_appointment(a.id).mechanic_id is None
    notes = [(t.kind, t.note) for t in cleared.timeline if t.kind == "assigned"]
    assert notes == [
        ("assigned", "assigned to Mara Schulz"),
        ("assigned", "assigned to Tobias Becker (was Mara Schulz)"),
        ("assigned", "Tobias Becker taken off"),
    ]


def test_assigning_the_same_mechanic_again_changes_nothing(shop) -> None:
    a = book(shop, "2026-11-24 09:00", mechanic="mara")
    again = booking.assign_mechanic(a.id, "mara", actor=DESK)
    assert again.mechanic == "Mara Schulz" and [t.kind for t in again.timeline] == ["booked"]


def test_a_mechanic_with_another_overlapping_appointment_is_a_conflict(shop) -> None:
    first = book(shop, "2026-11-24 09:00", mechanic="mara")
    second = book(shop, "2026-11-24 09:30", other=True)  # second bay
    with pytest.raises(Conflict, match=rf"Mara Schulz already has appointment #{first.id} \(Anna Berg\)"):
        booking.assign_mechanic(second.id, "mara", actor=DESK)
    assert booking.get_appointment(second.id).mechanic is None
    touching = book(shop, "2026-11-24 10:00")  # starts when the first ends: fine
    assert booking.assign_mechanic(touching.id, "mara", actor=DESK).mechanic == "Mara Schulz"


def test_a_cancelled_appointment_does_not_block_the_mechanic(shop) -> None:
    first = book(shop, "2026-11-24 09:00", mechanic="mara")
    booking.cancel(first.id, "customer called")
    second = book(shop, "2026-11-24 09:00", other=True)
    assert booking.assign_mechanic(second.id, "mara", actor=DESK).mechanic == "Mara Schulz"


def test_a_mechanic_outside_their_working_hours_is_refused_with_their_hours(shop) -> None:
    calendar.set_mechanic_hours("mara", "tue", "13:00-17:30")
    calendar.set_mechanic_hours("mara", "wed", "closed")
    tuesday = book(shop, "2026-11-24 09:00")
    with pytest.raises(ValidationError) as caught:
        booking.assign_mechanic(tuesday.id, "mara", actor=DESK)
    assert caught.value.fields == {
        "mechanic": "Mara Schulz does not work Tue 24 Nov 09:00-10:00 (works 13:00-17:30 that day)"
    }
    wednesday = book(shop, "2026-11-25 14:00")
    with pytest.raises(ValidationError, match="does not work on Wednesdays"):
        booking.assign_mechanic(wednesday.id, "mara", actor=DESK)
    afternoon = book(shop, "2026-11-24 14:00")
    assert booking.assign_mechanic(afternoon.id, "mara", actor=DESK).mechanic == "Mara Schulz"


def test_a_mechanic_on_time_off_is_refused_with_the_reason(shop) -> None:
    calendar.add_time_off("mara", "2026-11-24 08:00", "2026-11-24 09:30", reason="dentist")
    a = book(shop, "2026-11-24 09:00")
    with pytest.raises(ValidationError) as caught:
        booking.assign_mechanic(a.id, "mara", actor=DESK)
    assert caught.value.fields["mechanic"] == "Mara Schulz is off from 2026-11-24 08:00 to 2026-11-24 09:30 (dentist)"
    later = book(shop, "2026-11-24 09:30", other=True)
    assert booking.assign_mechanic(later.id, "mara", actor=DESK).mechanic == "Mara Schulz"


def test_only_what_is_still_ahead_counts_for_hours_and_time_off(shop, frozen_clock) -> None:
    a = book(shop, "2026-11-24 09:00")
    jobs.check_in(a.id, complaint="oil light")
    calendar.add_time_off("mara", "2026-11-24 08:00", "2026-11-24 09:30", reason="dentist")
    frozen_clock.set(datetime(2026, 11, 24, 8, 45, tzinfo=frozen_clock.now().tzinfo))  # 09:45 in Berlin
    assert booking.assign_mechanic(a.id, "mara", actor=DESK).mechanic == "Mara Schulz"


def test_bad_mechanics_and_final_appointments_are_refused_per_field(shop) -> None:
    a = book(shop, "2026-11-24 09:00")
    with pytest.raises(ValidationError) as caught:
        booking.assign_mechanic(a.id, "nobody", actor=DESK)
    assert caught.value.fields == {"mechanic": "no staff member 'nobody'"}
    staff.add_staff("desk", "Dora Desk", "front_desk", "desk-long-password")
    with pytest.raises(ValidationError, match="desk is a front_desk, not a mechanic"):
        booking.assign_mechanic(a.id, "desk", actor=DESK)
    staff.set_active("tobias", False)
    with pytest.raises(ValidationError, match="tobias is deactivated"):
        booking.assign_mechanic(a.id, "tobias", actor=DESK)
    booking.cancel(a.id)
    with pytest.raises(ValidationError, match="a cancelled appointment cannot be reassigned"):
        booking.assign_mechanic(a.id, "mara", actor=DESK)
    with pytest.raises(NotFound):
        booking.assign_mechanic(9999, "mara", actor=DESK)


def test_mechanics_may_not_assign_appointments(shop) -> None:
    a = book(shop, "2026-11-24 09:00")
    with pytest.raises(Forbidden):
        booking.assign_mechanic(a.id, "mara", actor=Actor(Role.MECHANIC, "mara", staff_id=2))


def test_assigning_a_checked_in_appointment_moves_its_job_too(shop) -> None:
    a = book(shop, "2026-11-24 09:00", mechanic="mara")
    job = jobs.check_in(a.id, complaint="noise")
    assert job.mechanic == "mara"
    assert jobs.assign(job.id, "tobias").mechanic == "tobias"
    assert booking.get_appointment(a.id).mechanic == "Tobias Becker"
    booking.assign_mechanic(a.id, None, actor=DESK)
    assert jobs.get_job(job.id).mechanic is None


def test_job_assign_applies_the_same_checks(shop) -> None:
    book(shop, "2026-11-24 09:00", mechanic="mara")
    other = book(shop, "2026-11-24 09:00", other=True)
    job = jobs.check_in(other.id)
    with pytest.raises(Conflict, match="Mara Schulz already has appointment"):
        jobs.assign(job.id, "mara")
    assert jobs.get_job(job.id).mechanic is None


def test_cli_appointment_assign_and_none(cli) -> None:
    shop = make_shop(bays=2)
    staff.add_staff("mara", "Mara Schulz", "mechanic", "mara-long-password")
    first = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 09:00", mechanic_id="mara")
    second = booking.book(shop.other_customer_id, shop.other_car_id, [shop.oil], "2026-11-24 09:00")
    busy = cli("appointment", "assign", str(second.id), "mara")
    assert busy.exit_code == 3 and f"already has appointment #{first.id}" in busy.stderr
    assert (
        cli("appointment", "assign", str(first.id), "--none").stdout.strip() == f"appointment {first.id}: no mechanic"
    )
    done = cli("appointment", "assign", str(second.id), "mara", "--json")
    assert done.exit_code == 0 and done.json()["mechanic"] == "Mara Schulz"
    assert cli("appointment", "assign", str(second.id)).exit_code == 2
    assert cli("appointment", "assign", str(second.id), "ghost").exit_code == 1


def test_time_off_after_the_appointment_does_not_matter(shop) -> None:
    a = book(shop, "2026-11-24 09:00")
    start = booking.get_appointment(a.id).end + timedelta(hours=1)
    calendar.add_time_off("mara", start.strftime("%Y-%m-%d %H:%M"), "2026-11-24 17:00", reason="school run")
    assert booking.assign_mechanic(a.id, "mara", actor=DESK).mechanic == "Mara Schulz"


def test_racing_processes_assign_one_mechanic_to_overlapping_appointments_only_once(database_url) -> None:
    """Separate processes give Mara five appointments at the same time: exactly one wins, on both engines."""
    from concurrent.futures import ThreadPoolExecutor

    from shop import customers, vehicles
    from tests.conftest import run_garage_process

    shop = make_shop(bays=5)
    staff.add_staff("mara", "Mara Schulz", "mechanic", "mara-long-password")
    ids = []
    for i in range(5):
        c = customers.add_customer(f"Racer {i}", phone=f"+49 30 55598{i:02d}")
        car = vehicles.add_vehicle(c.id, "Ford", "Focus", 2019, plate=f"B-RA {100 + i}")
        ids.append(booking.book(c.id, car.id, [shop.oil], f"2026-11-24 10:{i * 15 % 60:02d}").id)

    with ThreadPoolExecutor(max_workers=len(ids)) as pool:
        results = list(
            pool.map(lambda a: run_garage_process(database_url.url, "appointment", "assign", str(a), "mara"), ids)
        )
    codes = sorted(r.returncode for r in results)
    assert codes == [0, 3, 3, 3, 3], [r.stderr for r in results]
    for loser in (r for r in results if r.returncode == 3):
        assert "Mara Schulz" in loser.stderr and "locked" not in loser.stderr and "serializ" not in loser.stderr
    assert [booking.get_appointment(a).mechanic for a in ids].count("Mara Schulz") == 1


def test_naming_a_mechanic_at_check_in_assigns_the_appointment_with_the_same_checks(shop) -> None:
    a = book(shop, "2026-11-24 09:00")
    calendar.add_time_off("mara", "2026-11-24", "2026-11-24", reason="holiday")
    with pytest.raises(ValidationError, match="Mara Schulz is off"):
        jobs.check_in(a.id, complaint="noise", mechanic="mara")
    assert booking.get_appointment(a.id).status == "scheduled"  # nothing half-done
    job = jobs.check_in(a.id, complaint="noise", mechanic="tobias")
    assert job.mechanic == "tobias" and booking.get_appointment(a.id).mechanic == "Tobias Becker"
