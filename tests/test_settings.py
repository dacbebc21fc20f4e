"""Settings reads: one query for several keys, defaults for unset keys, never a stale value."""

from __future__ import annotations

import pytest
from playhouse.test_utils import count_queries

from shop import settings
from shop.errors import ValidationError
from tests.conftest import run_garage_process


def test_reads_give_stored_values_and_defaults_for_the_rest(db) -> None:
    settings.set_value("shop.name", "Werkstatt Berg")
    assert settings.get("shop.name") == "Werkstatt Berg"
    assert settings.get("tax.rate") == "19"
    assert settings.get_many("shop.name", "tax.rate") == {"shop.name": "Werkstatt Berg", "tax.rate": "19"}
    every = settings.snapshot()
    assert every.keys() == settings.SPECS.keys()
    assert every["shop.name"] == "Werkstatt Berg" and every["schedule.slot_minutes"] == "15"


def test_several_settings_cost_one_query(db) -> None:
    with count_queries() as counted:
        settings.get_many("shop.timezone", "schedule.slot_minutes", "schedule.buffer_minutes", "schedule.day_cap")
    assert counted.count == 1
    with count_queries() as counted:
        settings.snapshot()
    assert counted.count == 1


def test_unknown_key_is_refused_by_name(db) -> None:
    with pytest.raises(ValidationError) as caught:
        settings.get_many("shop.name", "shop.colour")
    assert caught.value.fields["key"].startswith("unknown setting 'shop.colour'")


def test_a_change_made_by_another_process_is_read_at_once(db) -> None:
    assert settings.get("schedule.slot_minutes") == "15"
    changed = run_garage_process(db.url, "settings", "set", "schedule.slot_minutes=30")
    assert changed.returncode == 0, changed.stderr
    assert settings.get("schedule.slot_minutes") == "30"
    assert settings.get_many("schedule.slot_minutes")["schedule.slot_minutes"] == "30"


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("labour.rate", "", "must not be empty"),
        ("labour.rate", "  ", "must not be empty"),
        ("labour.rate", "-5", "must not be negative"),
        ("labour.rate", "12.345", "12.345 has more than two decimal places"),
        ("tax.rate", "", "must not be empty"),
        ("invoice.payment_days", "", "must not be empty"),
        ("shop.timezone", "", "must not be empty"),
        ("phone.region", " ", "must not be empty"),
    ],
)
def test_a_bad_setting_says_what_is_wrong_and_stores_nothing(db, key: str, value: str, reason: str) -> None:
    before = settings.get(key)
    with pytest.raises(ValidationError) as caught:
        settings.set_value(key, value)
    assert caught.value.fields == {key: reason}
    with pytest.raises(ValidationError) as caught:
        settings.set_many({"shop.name": "Werkstatt Berg", key: value})  # all or nothing
    assert caught.value.fields == {key: reason}
    assert settings.get(key) == before and settings.get("shop.name") != "Werkstatt Berg"
