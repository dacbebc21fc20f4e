"""Cached free slots equal fresh ones, and every change to their inputs is seen at once (trigger counters)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shop import booking, catalog, schedule_cache, settings
from shop.auth import Actor, Role
from shop.db import database
from shop.scheduling import calendar
from tests.scheduling_helpers import Shop, make_shop

DAY = date(2026, 11, 25)  # a Wednesday; the frozen clock is Monday 2026-11-23 07:00 UTC


@pytest.fixture
def shop(db) -> Shop:  # type: ignore[no-untyped-def]
    schedule_cache.clear()
    return make_shop(bays=1)


def customer(shop: Shop) -> Actor:
    return Actor(role=Role.CUSTOMER, name="anna", customer_id=shop.customer_id)


def cached(shop: Shop, services: list[int] | None = None, day: date = DAY, days: int = 1) -> list[str]:
    found = schedule_cache.available_slots(services or [shop.oil], day, days, shop.car_id, customer(shop))
    return [f"{s.start:%Y-%m-%d %H:%M}-{s.end:%H:%M}" for s in found]


def fresh(shop: Shop, services: list[int] | None = None, day: date = DAY, days: int = 1) -> list[str]:
    found = booking.available_slots(services or [shop.oil], day, days, vehicle_id=shop.car_id, actor=customer(shop))
    return [f"{s.start:%Y-%m-%d %H:%M}-{s.end:%H:%M}" for s in found]


def test_cached_slots_equal_fresh_ones_including_the_cars_other_bookings(shop: Shop) -> None:
    booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-25 10:00")
    calendar.add_bay("Bay 2", "lift")  # the car's own booking leaves bay 2 free at 10:00, but the car is busy
    assert cached(shop) == fresh(shop)
    assert "2026-11-25 10:00-11:00" not in cached(shop)
    assert cached(shop, [shop.brakes], DAY - timedelta(days=2), 14) == fresh(
        shop, [shop.brakes], DAY - timedelta(2), 14
    )


def test_a_booking_a_cancellation_and_a_move_are_seen_at_once(shop: Shop) -> None:
    assert "2026-11-25 09:00-10:00" in cached(shop)
    other = booking.book(shop.other_customer_id, shop.other_car_id, [shop.oil], "2026-11-25 09:00")
    assert "2026-11-25 09:00-10:00" not in cached(shop)
    assert cached(shop) == fresh(shop)
    booking.reschedule(other.id, "2026-11-26 09:00")
    assert "2026-11-25 09:00-10:00" in cached(shop)
    assert cached(shop, day=DAY + timedelta(days=1)) == fresh(shop, day=DAY + timedelta(days=1))
    booking.cancel(other.id)
    assert cached(shop, day=DAY + timedelta(days=1)) == fresh(shop, day=DAY + timedelta(days=1))


def test_settings_hours_closures_bays_and_services_changes_are_seen_at_once(shop: Shop) -> None:
    cached(shop)
    settings.set_value("schedule.slot_minutes", "30")
    assert cached(shop) == fresh(shop)
    calendar.set_hours("wed", "10:00-12:00")
    assert cached(shop) == fresh(shop) == ["2026-11-25 10:00-11:00", "2026-11-25 10:30-11:30", "2026-11-25 11:00-12:00"]
    catalog.edit_service(shop.oil, duration_minutes=90)
    assert cached(shop) == fresh(shop) == ["2026-11-25 10:00-11:30", "2026-11-25 10:30-12:00"]
    calendar.add_closure("2026-11-25", "2026-11-25", "Staff training")
    assert cached(shop) == fresh(shop) == []


def test_a_change_made_with_plain_sql_outside_the_services_is_seen(shop: Shop) -> None:
    taken = booking.book(shop.other_customer_id, shop.other_car_id, [shop.oil], "2026-11-25 09:00")
    assert "2026-11-25 09:00-10:00" not in cached(shop)
    database.execute_sql(f"UPDATE appointment SET status = 'cancelled' WHERE id = {int(taken.id)}")
    assert "2026-11-25 09:00-10:00" in cached(shop)
    database.execute_sql("DELETE FROM opening_hours")
    assert cached(shop) == fresh(shop) == []


def test_a_status_step_of_an_active_appointment_bumps_no_counter(shop: Shop) -> None:
    taken = booking.book(shop.other_customer_id, shop.other_car_id, [shop.oil], "2026-11-25 09:00")
    before = database.execute_sql("SELECT scope, version FROM schedule_version ORDER BY scope").fetchall()
    booking.set_status(taken.id, "checked_in")
    after = database.execute_sql("SELECT scope, version FROM schedule_version ORDER BY scope").fetchall()
    assert before == after and ("2026-11-25", 1) in after


def test_time_moving_on_drops_starts_inside_the_minimum_notice(shop: Shop, frozen_clock) -> None:
    frozen_clock.set(frozen_clock.now().replace(day=25, hour=7))  # Wednesday 08:00 Berlin; notice 2 h
    first = cached(shop)
    assert first == fresh(shop) and first[0] == "2026-11-25 10:00-11:00"
    frozen_clock.advance(timedelta(hours=1))
    assert cached(shop) == fresh(shop) and cached(shop)[0] == "2026-11-25 11:00-12:00"
    frozen_clock.advance(timedelta(hours=-1))  # a clock set back is not served a later answer
    assert cached(shop) == first


def test_settings_and_services_are_reused_until_they_change(shop: Shop) -> None:
    assert schedule_cache.get_settings("shop.name")["shop.name"] == "Garage"
    settings.set_value("shop.name", "Kessler")
    assert schedule_cache.get_settings("shop.name")["shop.name"] == "Kessler"
    assert schedule_cache.get_service(shop.oil).duration_minutes == 60
    catalog.edit_service(shop.oil, duration_minutes=75)
    assert schedule_cache.get_service(shop.oil).duration_minutes == 75


def test_staff_questions_are_not_cached_and_not_narrowed(shop: Shop) -> None:
    desk = Actor(role=Role.FRONT_DESK, name="desk", staff_id=1)
    got = schedule_cache.available_slots([shop.oil], DAY, 1, shop.car_id, desk)
    assert got == booking.available_slots([shop.oil], DAY, 1, vehicle_id=shop.car_id, actor=desk)


def test_opening_hours_are_reused_until_they_change(shop: Shop) -> None:
    first = schedule_cache.get_hours()
    assert first == calendar.get_hours() and schedule_cache.get_hours() is first
    calendar.set_hours("sat", "closed")
    assert schedule_cache.get_hours() == calendar.get_hours() != first


def test_a_visitors_day_follows_customer_rules_whoever_asks(shop: Shop) -> None:
    """Staff may book inside the notice, but the visitors' answer is shared: it must never hold staff rules."""
    staff = Actor(role=Role.ADMIN, name="admin")
    today = date(2026, 11, 23)  # 08:00 local: two hours' notice
    found = schedule_cache.visitor_day([str(shop.oil)], today.isoformat(), actor=staff)
    plain = booking.available_slots([shop.oil], today, 1, actor=Actor(role=Role.CUSTOMER, name="visitor"))
    assert [s.start for s in found.slots] == [s.start for s in plain] and found.slots[0].start.hour == 10
    assert schedule_cache.visitor_day([shop.oil], today.isoformat()).slots == found.slots
    assert found.services[0].id == shop.oil and found.first_day == today and found.last_day == date(2027, 1, 22)
