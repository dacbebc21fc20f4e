"""The shop calendar and free slots: hours, closures, holidays, bays, mechanics, DST days."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shop import booking, settings, staff
from shop.auth import Actor, Role
from shop.errors import ConfigError, Forbidden, ValidationError
from shop.scheduling import calendar
from tests.scheduling_helpers import make_shop


def starts(slots) -> list[str]:  # type: ignore[no-untyped-def]
    return [f"{s.start:%H:%M}" for s in slots]


def test_slots_fill_both_intervals_of_a_day_and_never_span_lunch(db) -> None:
    shop = make_shop(bays=1)
    slots = booking.available_slots([shop.oil], "2026-11-24", 1)
    assert starts(slots)[:2] == ["08:00", "08:15"]
    assert "11:00" in starts(slots) and "11:15" not in starts(slots) and "12:45" not in starts(slots)
    assert starts(slots)[-1] == "16:30"
    assert len(slots) == 13 + 15


def test_two_services_add_their_durations(db) -> None:
    make_shop(bays=1)
    slots = booking.available_slots(["Oil change", "brake pads"], "2026-11-24", 1)
    assert starts(slots)[-1] == "15:00" and (slots[0].end - slots[0].start).total_seconds() == 150 * 60


def test_closed_weekdays_closures_and_holidays_have_no_slots(db) -> None:
    shop = make_shop(bays=1)
    week = booking.available_slots([shop.oil], "2026-12-21", 7)
    assert sorted({s.start.date().isoformat() for s in week}) == [
        "2026-12-21", "2026-12-22", "2026-12-23", "2026-12-24", "2026-12-25", "2026-12-26",
    ]  # fmt: skip
    calendar.add_closure("2026-12-23", "2026-12-24", reason="Stocktaking")
    settings.set_many({"schedule.holidays_country": "DE", "schedule.holidays_subdivision": "BE"})
    days = {s.start.date().isoformat() for s in booking.available_slots([shop.oil], "2026-12-21", 7)}
    assert days == {"2026-12-21", "2026-12-22"}  # 25th and 26th are public holidays in Germany
    assert booking.day_board("2026-12-25").closed_reason == "Christmas Day"


def test_unknown_holiday_subdivision_is_a_config_error(db) -> None:
    shop = make_shop(bays=1)
    settings.set_many({"schedule.holidays_country": "DE", "schedule.holidays_subdivision": "XX"})
    with pytest.raises(ConfigError, match="holidays_subdivision"):
        booking.available_slots([shop.oil], "2026-12-21", 7)


def test_inactive_bay_offers_no_slots(db) -> None:
    shop = make_shop(bays=1)
    calendar.edit_bay("Bay 1", active=False)
    assert booking.available_slots([shop.oil], "2026-11-24", 3) == []


def test_hours_input_is_checked(db) -> None:
    with pytest.raises(ValidationError, match="overlap"):
        calendar.set_hours("mon", "08:00-12:00,11:00-13:00")
    with pytest.raises(ValidationError, match="weekday"):
        calendar.set_hours("funday", "08:00-12:00")
    with pytest.raises(ValidationError, match="not a time of day"):
        calendar.set_hours("mon", "08:00-25:00")
    with pytest.raises(Forbidden):
        calendar.set_hours("mon", "08:00-12:00", actor=Actor(role=Role.FRONT_DESK, name="desk"))


def test_hours_are_read_as_people_type_them_and_an_empty_field_never_closes_a_day(db) -> None:
    calendar.set_hours("mon", "08:00-12:00")
    for typed in ("8-12, 13-17:30", "08:00–12:00, 13:00–17:30", "8.00-12.00,13.00-17.30"):  # en dash as shown
        calendar.set_hours("tue", typed)
        assert calendar.get_hours()[1].intervals == ("08:00-12:00", "13:00-17:30"), typed
    for blank in ("", "   "):
        with pytest.raises(ValidationError) as caught:
            calendar.set_hours("mon", blank)
        assert caught.value.fields == {"hours": "must not be empty (type closed for a day without hours)"}
    assert calendar.get_hours()[0].intervals == ("08:00-12:00",)
    calendar.set_hours("mon", "closed")
    assert calendar.get_hours()[0].intervals == ()
    with pytest.raises(ValidationError, match="'8:75' is not a time of day"):
        calendar.set_hours("mon", "8:75-12")


def test_mechanic_hours_and_time_off_limit_bookings_that_need_a_mechanic(db) -> None:
    shop = make_shop(bays=2)
    mara = staff.add_staff("mara", "Mara Schulz", "mechanic", "mara-long-password")
    calendar.set_mechanic_hours("mara", "mon-fri", "10:00-12:00")
    slots = booking.available_slots([shop.oil], "2026-11-24", 1, mechanic_id=mara.id)
    assert starts(slots) == ["10:00", "10:15", "10:30", "10:45", "11:00"]
    calendar.add_time_off("mara", "2026-11-24 10:30", "2026-11-24 12:00", reason="dentist")
    assert starts(booking.available_slots([shop.oil], "2026-11-24", 1, mechanic_id=mara.id)) == []
    a = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-25 10:00", mechanic_id="mara")
    assert a.mechanic == "Mara Schulz"
    # the second bay is free, but Mara is not
    assert "10:30" not in starts(booking.available_slots([shop.oil], "2026-11-25", 1, mechanic_id=mara.id))
    assert "10:30" in starts(booking.available_slots([shop.oil], "2026-11-25", 1))
    with pytest.raises(ValidationError, match="not a mechanic"):
        calendar.set_mechanic_hours(
            staff.add_staff("desk", "Desk", "front_desk", "desk-long-password").id, "mon", "closed"
        )


def test_any_mechanic_is_assigned_when_one_is_needed(db) -> None:
    shop = make_shop(bays=2)
    staff.add_staff("mara", "Mara Schulz", "mechanic", "mara-long-password")
    staff.add_staff("tobias", "Tobias Becker", "mechanic", "tobias-long-password")
    calendar.add_time_off("mara", "2026-11-24", "2026-11-24", reason="holiday")
    a = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 10:00", need_mechanic=True)
    assert a.mechanic == "Tobias Becker"
    assert "10:00" not in starts(booking.available_slots([shop.oil], "2026-11-24", 1, need_mechanic=True))


def dst_shop(zone: str):  # type: ignore[no-untyped-def]
    settings.set_value("shop.timezone", zone)
    shop = make_shop(bays=1)
    settings.set_value("schedule.slot_minutes", "60")  # after the catalogue: its durations fit a 15-minute grid
    calendar.set_hours("mon-sun", "00:00-06:00")
    return shop


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        ("Europe/Berlin", "2026-03-29", ["00:00+01:00", "01:00+01:00", "03:00+02:00", "04:00+02:00", "05:00+02:00"]),
        (
            "Europe/Berlin",
            "2026-10-25",
            ["00:00+02:00", "01:00+02:00", "02:00+02:00", "02:00+01:00", "03:00+01:00", "04:00+01:00", "05:00+01:00"],
        ),
        ("America/New_York", "2026-03-08", ["00:00-05:00", "01:00-05:00", "03:00-04:00", "04:00-04:00", "05:00-04:00"]),
        (
            "America/New_York",
            "2026-11-01",
            ["00:00-04:00", "01:00-04:00", "01:00-05:00", "02:00-05:00", "03:00-05:00", "04:00-05:00", "05:00-05:00"],
        ),
    ],
)
def test_dst_days_offer_each_real_wall_time_once_with_true_durations(
    db, frozen_clock, zone: str, day: str, expected: list[str]
) -> None:
    frozen_clock.set(datetime(2026, 1, 5, tzinfo=UTC))
    oil = dst_shop(zone).oil
    slots = booking.available_slots([oil], day, 1)
    assert [s.start.isoformat()[11:16] + s.start.isoformat()[19:] for s in slots] == expected
    # (aware datetimes in one zone subtract as wall times in Python, so compare real instants)
    assert all((s.end.astimezone(UTC) - s.start.astimezone(UTC)).total_seconds() == 3600 for s in slots)
    assert len({s.start.astimezone(UTC) for s in slots}) == len(slots)


def test_booking_on_dst_days_uses_real_instants(db, frozen_clock) -> None:
    frozen_clock.set(datetime(2026, 1, 5, tzinfo=UTC))
    shop = dst_shop("Europe/Berlin")
    oil, shop_customer = shop.oil, (shop.customer_id, shop.car_id)
    with pytest.raises(ValidationError, match="does not exist"):
        booking.book(*shop_customer, [oil], "2026-03-29 02:00")
    first = booking.book(*shop_customer, [oil], "2026-10-25 02:00")  # ambiguous: the first 02:00
    second = booking.book(*shop_customer, [oil], "2026-10-25T02:00:00+01:00")  # the second one, an hour later
    assert first.start.isoformat() == "2026-10-25T02:00:00+02:00"
    assert second.start.isoformat() == "2026-10-25T02:00:00+01:00"
    assert (second.start.astimezone(UTC) - first.start.astimezone(UTC)).total_seconds() == 3600
    spring = booking.book(*shop_customer, [oil], "2026-03-29 01:00")
    assert spring.end.isoformat() == "2026-03-29T03:00:00+02:00"  # one real hour later


def test_normal_days_around_dst_keep_local_opening_hours(db, frozen_clock) -> None:
    frozen_clock.set(datetime(2026, 10, 1, tzinfo=UTC))
    settings.set_value("shop.timezone", "America/New_York")
    shop = make_shop(bays=1)
    before = booking.available_slots([shop.oil], "2026-10-30", 1)
    after = booking.available_slots([shop.oil], "2026-11-02", 1)
    assert starts(before) == starts(after) and starts(before)[0] == "08:00"
    assert before[0].start.utcoffset() != after[0].start.utcoffset()


def test_parse_local_refuses_gap_times_and_reads_offsets() -> None:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Europe/Berlin")
    with pytest.raises(ValidationError, match="does not exist"):
        calendar.parse_local("2026-03-29 02:30", tz=tz)
    assert calendar.parse_local("2026-03-29 03:30", tz=tz) == datetime.fromisoformat("2026-03-29T01:30:00+00:00")
    assert calendar.local_instant(datetime(2026, 3, 29).date(), 150, tz).isoformat() == "2026-03-29T01:30:00+00:00"
