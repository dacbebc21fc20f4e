"""Booking: no double booking, alternatives, idempotency, reschedule, cancel policy, status lifecycle."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from shop import audit, booking, catalog, customers, events, settings, vehicles
from shop.auth import Actor, Role
from shop.db import database
from shop.errors import Conflict, Forbidden, ValidationError
from shop.event_types import AppointmentBooked, AppointmentCancelled, AppointmentRescheduled, AppointmentStatusChanged
from shop.scheduling import calendar
from tests.scheduling_helpers import make_shop


@pytest.fixture
def shop(db):  # type: ignore[no-untyped-def]
    return make_shop(bays=1)


def customer(shop) -> Actor:  # type: ignore[no-untyped-def]
    return Actor(role=Role.CUSTOMER, name="anna", customer_id=shop.customer_id)


def test_booking_snapshots_services_prices_and_local_times(shop) -> None:
    a = booking.book(shop.customer_id, shop.car_id, [shop.oil, "brake pads"], "2026-11-24 09:00")
    assert (a.start.isoformat(), a.end.isoformat()) == ("2026-11-24T09:00:00+01:00", "2026-11-24T11:30:00+01:00")
    assert [s.name for s in a.services] == ["Oil change", "Brake pads"]
    assert a.total_price == Decimal("329.00") and a.status == "scheduled" and a.bay == "Bay 1"
    catalog.edit_service(shop.oil, price="99.00")
    again = booking.get_appointment(a.id)
    assert again.services[0].price == Decimal("89.00")
    assert [(t.kind, t.to_status) for t in again.timeline] == [("booked", "scheduled")]
    assert (again.timeline[0].actor, again.timeline[0].note, again.timeline[0].from_status) == (
        "system:system",
        "booked via desk",
        None,
    )
    [line] = audit.history("appointment", a.id)
    assert (line.action, line.actor) == ("booking.book", "system:system")
    assert line.details == {
        "customer_id": shop.customer_id,
        "vehicle_id": shop.car_id,
        "start": "2026-11-24 08:00:00+00:00",
        "bay_id": a.bay_id,
        "services": [shop.oil, shop.brakes],
    }


def test_partial_overlap_is_a_conflict_with_three_nearest_alternatives(shop) -> None:
    booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 10:00")
    with pytest.raises(Conflict) as caught:
        booking.book(shop.other_customer_id, shop.other_car_id, [shop.oil], "2026-11-24 10:30")
    alternatives = [f"{s.start:%H:%M}" for s in caught.value.alternatives]
    assert alternatives == ["08:45", "09:00", "11:00"]  # nearest first by distance, shown in time order
    assert len(booking.list_appointments(day="2026-11-24")) == 1


def test_touching_appointments_do_not_overlap_but_buffer_separates_them(shop) -> None:
    booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 08:00")
    booking.book(shop.other_customer_id, shop.other_car_id, [shop.quick], "2026-11-24 09:00")  # touching: fine
    settings.set_value("schedule.buffer_minutes", "15")
    booking.book(shop.other_customer_id, shop.other_car_id, [shop.quick], "2026-11-24 10:00")  # blocks to 10:45
    with pytest.raises(Conflict):
        booking.book(shop.customer_id, shop.car_id, [shop.quick], "2026-11-24 10:30")
    starts = [f"{s.start:%H:%M}" for s in booking.available_slots([shop.quick], "2026-11-24", 1)]
    assert starts[:3] == ["10:45", "11:00", "11:15"]  # 09:30-10:00 plus the buffer would run into 10:00


def test_database_trigger_refuses_an_overlap_written_behind_the_service(shop) -> None:
    from shop.models import Appointment

    a = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 10:00")
    row = Appointment.get_by_id(a.id)
    with pytest.raises(Exception, match="overlaps"), database.atomic():
        Appointment.create(
            **{f: getattr(row, f) for f in ("customer", "vehicle", "bay", "status", "source", "notes", "total_price")},
            start_at=row.start_at + timedelta(minutes=30),
            end_at=row.end_at + timedelta(minutes=30),
            block_end_at=row.block_end_at + timedelta(minutes=30),
            reschedule_count=0,
            created_at=row.created_at,
            updated_at=row.created_at,
        )
    with pytest.raises(Exception, match="shorter than two days"), database.atomic():
        Appointment.update(block_end_at=row.start_at + timedelta(days=2)).where(Appointment.id == a.id).execute()


def test_same_idempotency_key_books_once(shop) -> None:
    first = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 10:00", idempotency_key="k-1")
    second = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 10:00", idempotency_key="k-1")
    assert first.id == second.id
    assert len(booking.list_appointments()) == 1
    with pytest.raises(Conflict, match="another customer"):
        booking.book(shop.other_customer_id, shop.other_car_id, [shop.oil], "2026-11-25 10:00", idempotency_key="k-1")


def test_bad_booking_input_names_each_field_and_stores_nothing(shop) -> None:
    with pytest.raises(ValidationError) as caught:
        booking.book(shop.customer_id, shop.other_car_id, ["no such"], "24.11.2026", source="fax")
    assert set(caught.value.fields) == {"start", "services", "source", "car"}
    with pytest.raises(ValidationError, match="closed on 2026-11-29"):
        booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-29 10:00")
    with pytest.raises(ValidationError, match="opening hours"):
        booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 11:30")
    with pytest.raises(ValidationError, match="in the past"):
        booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-20 10:00")
    assert booking.list_appointments() == []


def test_unknown_archived_or_someone_elses_customer_and_car_are_refused_by_field(shop) -> None:
    at = "2026-11-24 09:00"
    with pytest.raises(ValidationError) as caught:
        booking.book(9999, 8888, [shop.oil], at)
    assert caught.value.fields == {"customer": "no customer 9999", "car": "no car 8888"}
    with pytest.raises(ValidationError) as caught:
        booking.book(9999, shop.car_id, [shop.oil], at)
    assert caught.value.fields == {
        "customer": "no customer 9999",
        "car": f"car {shop.car_id} does not belong to customer 9999",
    }
    with pytest.raises(ValidationError) as caught:
        booking.book(shop.customer_id, 8888, [shop.oil], at)
    assert caught.value.fields == {"car": "no car 8888"}
    vehicles.archive_vehicle(shop.car_id)
    with pytest.raises(ValidationError) as caught:
        booking.book(shop.customer_id, shop.car_id, [shop.oil], at)
    assert caught.value.fields == {"car": f"car {shop.car_id} is archived"}
    customers.archive_customer(shop.other_customer_id)
    with pytest.raises(ValidationError) as caught:
        booking.book(shop.other_customer_id, shop.other_car_id, [shop.oil], at)
    assert caught.value.fields["customer"] == f"customer {shop.other_customer_id} is archived"
    assert booking.list_appointments() == []


def test_customers_need_notice_and_stay_within_the_advance_limit_staff_do_not(shop) -> None:
    anna = customer(shop)
    assert f"{booking.available_slots([shop.oil], '2026-11-23', 1, actor=anna)[0].start:%H:%M}" == "10:00"
    assert f"{booking.available_slots([shop.oil], '2026-11-23', 1)[0].start:%H:%M}" == "08:00"
    with pytest.raises(ValidationError, match="too soon"):
        booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-23 09:00", source="portal", actor=anna)
    with pytest.raises(ValidationError, match="too far ahead"):
        booking.book(shop.customer_id, shop.car_id, [shop.oil], "2027-01-25 09:00", source="portal", actor=anna)
    assert booking.book(shop.customer_id, shop.car_id, [shop.oil], "2027-01-25 09:00").status == "scheduled"


def test_customer_cannot_book_for_someone_else(shop) -> None:
    with pytest.raises(Forbidden):
        booking.book(shop.other_customer_id, shop.other_car_id, [shop.oil], "2026-11-25 10:00", actor=customer(shop))


def test_day_cap_closes_a_day_once_reached(shop) -> None:
    calendar.add_bay("Bay 2", "lift")
    settings.set_value("schedule.day_cap", "2")
    booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 08:00")
    booking.book(shop.other_customer_id, shop.other_car_id, [shop.oil], "2026-11-24 08:00")
    assert {s.start.date().isoformat() for s in booking.available_slots([shop.quick], "2026-11-24", 2)} == {
        "2026-11-25"
    }


def test_a_full_day_is_refused_with_the_cap_as_the_reason(shop) -> None:
    calendar.add_bay("Bay 2", "lift")
    settings.set_value("schedule.day_cap", "1")
    booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 08:00")
    with pytest.raises(
        Conflict, match=r"2026-11-24 is fully booked \(the shop takes at most 1 appointments a day"
    ) as taken:
        booking.book(shop.other_customer_id, shop.other_car_id, [shop.oil], "2026-11-24 10:00")
    assert taken.value.alternatives
    assert "2026-11-24" not in {a.start.date().isoformat() for a in taken.value.alternatives}


def test_booking_a_car_twice_at_once_names_the_car_as_the_reason(shop) -> None:
    calendar.add_bay("Bay 2", "lift")
    booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 08:00")
    with pytest.raises(Conflict, match="this car already has an appointment at that time"):
        booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 08:00")


def test_service_needing_alignment_only_fits_the_alignment_bay(db) -> None:
    shop = make_shop(bays=2, alignment_bay=True)
    a = booking.book(shop.customer_id, shop.car_id, [shop.alignment], "2026-11-24 10:00")
    assert a.bay == "Alignment"
    oil = booking.book(shop.other_customer_id, shop.other_car_id, [shop.oil], "2026-11-24 10:00")
    assert oil.bay == "Bay 1"  # the plainest free bay, keeping the alignment rig free
    with pytest.raises(Conflict):
        booking.book(shop.other_customer_id, shop.other_car_id, [shop.alignment], "2026-11-24 10:30")


def test_the_same_car_cannot_be_in_two_bays_at_once(db) -> None:
    shop = make_shop(bays=2)
    booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 10:00")
    with pytest.raises(Conflict):
        booking.book(shop.customer_id, shop.car_id, [shop.quick], "2026-11-24 10:30")


def test_reschedule_keeps_the_old_slot_when_the_new_one_is_taken(shop) -> None:
    a = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 10:00")
    booking.book(shop.other_customer_id, shop.other_car_id, [shop.oil], "2026-11-24 14:00")
    with pytest.raises(Conflict):
        booking.reschedule(a.id, "2026-11-24 14:30")
    assert booking.get_appointment(a.id).start.hour == 10
    moved = booking.reschedule(a.id, "2026-11-24 10:30")  # overlaps only its own old time
    assert f"{moved.start:%H:%M}" == "10:30" and moved.reschedule_count == 1
    assert moved.timeline == ()
    assert "moved from 2026-11-24 10:00 to 2026-11-24 10:30" in booking.get_appointment(a.id).timeline[-1].note


def test_free_times_to_move_count_its_own_time_as_free_and_leave_out_taken_ones(shop) -> None:
    a = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 10:00")
    booking.book(shop.other_customer_id, shop.other_car_id, [shop.oil], "2026-11-24 14:00")
    slots = booking.free_times_to_move(a.id, "2026-11-24", days=1)
    starts = [f"{s.start:%H:%M}" for s in slots]
    assert "10:30" in starts and "09:30" in starts  # overlapping only its own old time
    assert "10:00" not in starts  # where it is now
    assert "14:00" not in starts and "14:30" not in starts and "13:30" not in starts  # Ben's hour
    assert all(s.end - s.start == timedelta(hours=1) for s in slots)
    picked = slots[starts.index("10:30")]
    assert booking.reschedule(a.id, picked.start).start == picked.start


def test_free_times_to_move_refuse_an_appointment_that_is_no_longer_scheduled(shop) -> None:
    a = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 10:00")
    booking.cancel(a.id, "customer phoned")
    with pytest.raises(ValidationError) as caught:
        booking.free_times_to_move(a.id)
    assert caught.value.fields == {"status": "only scheduled appointments can be moved (this one is cancelled)"}
    with pytest.raises(Forbidden):
        booking.free_times_to_move(
            a.id, actor=Actor(role=Role.CUSTOMER, name="ben", customer_id=shop.other_customer_id)
        )


def test_customer_reschedule_and_cancel_policy(shop) -> None:
    anna = customer(shop)
    settings.set_value("booking.max_reschedules", "1")
    a = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-26 10:00", source="portal", actor=anna)
    booking.reschedule(a.id, "2026-11-26 11:00", actor=anna)
    with pytest.raises(Forbidden, match="at most 1 times"):
        booking.reschedule(a.id, "2026-11-26 09:00", actor=anna)
    soon = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-23 13:00")
    with pytest.raises(Forbidden, match="24 hours"):
        booking.cancel(soon.id, actor=anna)
    assert booking.cancel(soon.id, "customer phoned").status == "cancelled"  # staff may
    assert booking.cancel(a.id, actor=anna).status == "cancelled"


def test_cancelled_slot_becomes_free_again(shop) -> None:
    a = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 10:00")
    booking.cancel(a.id)
    b = booking.book(shop.other_customer_id, shop.other_car_id, [shop.oil], "2026-11-24 10:00")
    assert b.bay == a.bay


def test_status_lifecycle_is_enforced_and_recorded(shop, frozen_clock) -> None:
    a = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-23 09:00")
    with pytest.raises(ValidationError, match="cannot go from scheduled to completed; allowed: checked_in"):
        booking.set_status(a.id, "completed")
    with pytest.raises(ValidationError, match="no-show"):
        booking.set_status(a.id, "no_show")
    for status in ("checked_in", "in_progress", "waiting_parts", "in_progress", "completed"):
        booking.set_status(a.id, status, note=f"to {status}")
    with pytest.raises(ValidationError, match="final"):
        booking.set_status(a.id, "in_progress")
    with pytest.raises(ValidationError, match="cannot be cancelled"):
        booking.cancel(a.id)
    timeline = booking.get_appointment(a.id).timeline
    assert [(t.from_status, t.to_status) for t in timeline] == [
        (None, "scheduled"),
        ("scheduled", "checked_in"),
        ("checked_in", "in_progress"),
        ("in_progress", "waiting_parts"),
        ("waiting_parts", "in_progress"),
        ("in_progress", "completed"),
    ]
    assert timeline[-1].actor == "system:system" and timeline[-1].note == "to completed"
    late = booking.book(shop.other_customer_id, shop.other_car_id, [shop.oil], "2026-11-23 13:00")
    frozen_clock.advance(timedelta(hours=6, minutes=30))
    assert booking.set_status(late.id, "no_show").status == "no_show"


def test_events_are_published_for_each_change(shop) -> None:
    seen: list[object] = []
    for kind in (AppointmentBooked, AppointmentRescheduled, AppointmentCancelled, AppointmentStatusChanged):
        events.subscribe(kind)(seen.append)
    try:
        a = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 10:00")
        booking.reschedule(a.id, "2026-11-24 11:00")
        booking.set_status(a.id, "checked_in")
        booking.cancel(a.id)
    finally:
        for kind in (AppointmentBooked, AppointmentRescheduled, AppointmentCancelled, AppointmentStatusChanged):
            events._subscribers[kind].remove(seen.append)
    assert [type(e).__name__ for e in seen] == [
        "AppointmentBooked",
        "AppointmentRescheduled",
        "AppointmentStatusChanged",
        "AppointmentCancelled",
    ]
    assert seen[1].old_start.hour == 9  # 10:00 Berlin in UTC


def test_day_board_lists_each_bay_with_its_appointments(db) -> None:
    shop = make_shop(bays=2)
    booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 10:00")
    booking.book(shop.other_customer_id, shop.other_car_id, [shop.oil], "2026-11-24 10:00")
    board = booking.day_board("2026-11-24")
    assert [(c.name, len(c.appointments)) for c in board.bays] == [("Bay 1", 1), ("Bay 2", 1)]
    assert [f"{s:%H:%M}-{e:%H:%M}" for s, e in board.open] == ["08:00-12:00", "13:00-17:30"]
    calendar.add_closure("2026-11-25", reason="Stocktaking")
    assert booking.day_board("2026-11-25").closed_reason == "Stocktaking"


def test_demo_shop_has_four_weeks_of_appointments_without_overlaps(db) -> None:
    from shop import demo

    demo.load()
    past = booking.list_appointments(from_date="2026-11-09", to_date="2026-11-22")
    assert past and {a.status for a in past} <= {"completed", "no_show", "cancelled"}
    today = {a.status for a in booking.list_appointments(day="2026-11-23")}  # the clock says 08:00
    assert "scheduled" in today and today & {"checked_in", "in_progress", "waiting_parts"}
    future = booking.list_appointments(from_date="2026-11-24", to_date="2026-12-07")
    assert future and {a.status for a in future} <= {"scheduled", "cancelled"}
    assert len({a.bay for a in future}) == 4
    overlapping = database.execute_sql(
        "SELECT COUNT(*) FROM appointment a JOIN appointment b ON a.bay_id = b.bay_id AND a.id < b.id"
        " WHERE a.status NOT IN ('cancelled', 'no_show') AND b.status NOT IN ('cancelled', 'no_show')"
        " AND a.start_at < b.block_end_at AND b.start_at < a.block_end_at"
    ).fetchone()[0]
    assert overlapping == 0
