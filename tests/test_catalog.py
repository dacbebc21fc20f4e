"""The service catalogue: categories, prices as Decimal, durations on the slot grid, admin only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shop import catalog, settings
from shop.auth import Actor, Role
from shop.errors import Conflict, Forbidden, NotFound, ValidationError

DESK = Actor(Role.FRONT_DESK, "desk", staff_id=2)
ADMIN = Actor(Role.ADMIN, "admin", staff_id=1)


@pytest.fixture
def maintenance(db):
    return catalog.add_category("Maintenance")


def test_add_service_by_category_name_with_decimal_price(maintenance) -> None:
    item = catalog.add_service("Oil change", "maintenance", 45, "89.90", description="Engine oil and filter")
    assert item.price == Decimal("89.90") and isinstance(item.price, Decimal)
    assert (item.category_id, item.category) == (maintenance.id, "Maintenance")
    assert catalog.get_service("oil change") == item
    assert catalog.get_service(item.id) == item


@pytest.mark.parametrize(
    ("duration", "price", "field", "reason"),
    [
        (7, "10", "duration_minutes", "not a multiple of the 15-minute"),
        (0, "10", "duration_minutes", "more than 0"),
        ("soon", "10", "duration_minutes", "not a whole number"),
        (30, "abc", "price", "not an amount"),
        (30, "-5", "price", "must not be negative"),
        (30, "9.999", "price", "more than two decimals"),
        (30, "NaN", "price", "not an amount"),
        (30, 9.99, "price", "never float"),
    ],
)
def test_bad_duration_or_price_is_refused(maintenance, duration, price, field, reason) -> None:
    with pytest.raises(ValidationError) as err:
        catalog.add_service("Oil change", maintenance.id, duration, price)
    assert reason in err.value.fields[field]
    assert catalog.list_services(active_only=False) == []


def test_duration_follows_the_slot_setting(maintenance) -> None:
    settings.set_value("schedule.slot_minutes", "30")
    with pytest.raises(ValidationError):
        catalog.add_service("Oil change", maintenance.id, 45, "10")
    assert catalog.add_service("Oil change", maintenance.id, 60, "10").duration_minutes == 60


def test_unknown_category_lists_the_known_ones(maintenance) -> None:
    with pytest.raises(ValidationError) as err:
        catalog.add_service("Oil change", "Tyres", 30, "10")
    assert "Maintenance" in err.value.fields["category"]


def test_duplicate_names_conflict(maintenance) -> None:
    catalog.add_service("Oil change", maintenance.id, 45, "89")
    with pytest.raises(Conflict):
        catalog.add_service("oil change", maintenance.id, 30, "50")
    with pytest.raises(Conflict):
        catalog.add_category("maintenance")


def test_categories_keep_their_order(db) -> None:
    for name in ["Maintenance", "Brakes", "Tyres"]:
        catalog.add_category(name)
    assert [(c.name, c.position) for c in catalog.list_categories()] == [
        ("Maintenance", 1),
        ("Brakes", 2),
        ("Tyres", 3),
    ]


def test_only_admin_edits_the_catalogue(maintenance) -> None:
    item = catalog.add_service("Oil change", maintenance.id, 45, "89", actor=ADMIN)
    with pytest.raises(Forbidden):
        catalog.edit_service(item.id, price="99", actor=DESK)
    with pytest.raises(Forbidden):
        catalog.add_category("Brakes", actor=DESK)
    assert catalog.edit_service(item.id, price="99", actor=ADMIN).price == Decimal("99.00")
    assert catalog.list_services(actor=DESK)[0].price == Decimal("99.00")


def test_edit_checks_every_field_before_storing(maintenance) -> None:
    item = catalog.add_service("Oil change", maintenance.id, 45, "89")
    with pytest.raises(ValidationError) as err:
        catalog.edit_service(item.id, price="abc", duration_minutes=20, name="Oil")
    assert set(err.value.fields) == {"price", "duration_minutes"}
    assert catalog.get_service(item.id) == item


def test_deactivated_services_leave_the_active_list(maintenance) -> None:
    item = catalog.add_service("Oil change", maintenance.id, 45, "89")
    catalog.deactivate_service("Oil change")
    assert catalog.list_services() == []
    assert [s.id for s in catalog.list_services(active_only=False)] == [item.id]
    with pytest.raises(NotFound):
        catalog.get_service("Brake pads")


# ---------------------------------------------------------------------------------------------- CLI


def test_cli_category_and_service_commands(cli) -> None:
    assert cli("category", "add", "--name", "Maintenance").stdout.strip() == "1"
    assert cli("category", "add", "Brakes", "--json").json()["position"] == 2
    added = cli(
        "service", "add", "--name", "Oil change", "--category", "Maintenance", "--duration", "45",
        "--price", "89.90", "--description", "Oil and filter", "--json",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    item = added.json()
    assert item["price"] == "89.90" and item["category_id"] == 1 and item["duration_minutes"] == 45
    assert cli("service", "show", "Oil change", "--json").json()["id"] == item["id"]
    assert cli("service", "edit", str(item["id"]), "--price", "95", "--json").json()["price"] == "95.00"
    assert cli("service", "deactivate", str(item["id"])).exit_code == 0
    assert cli("service", "list", "--json").json() == []
    assert len(cli("service", "list", "--all", "--json").json()) == 1


def test_cli_service_bad_input_exits_1_and_duplicate_exits_3(cli) -> None:
    cli("category", "add", "--name", "Maintenance")
    base = ["service", "add", "--name", "Oil change", "--category", "Maintenance"]
    bad_price = cli(*base, "--duration", "45", "--price", "abc")
    assert bad_price.exit_code == 1 and "price:" in bad_price.stderr
    bad_duration = cli(*base, "--duration", "7", "--price", "10")
    assert bad_duration.exit_code == 1 and "duration_minutes:" in bad_duration.stderr
    negative = cli(*base, "--duration", "30", "--price", "-5")
    assert negative.exit_code == 1 and "negative" in negative.stderr
    assert cli(*base, "--duration", "30", "--price", "10").exit_code == 0
    assert cli(*base, "--duration", "30", "--price", "10").exit_code == 3
    assert cli("service", "show", "Nope").exit_code == 1
