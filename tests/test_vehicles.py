"""Cars: VIN and plate rules, year range, mileage history."""

from __future__ import annotations

import pytest

from shop import audit, booking, customers, vehicles
from shop.auth import Actor, Role
from shop.errors import Conflict, Forbidden, NotFound, ValidationError, VisitsBooked
from tests.scheduling_helpers import make_shop

HONDA_VIN = "1HGCM82633A004352"  # valid North American check digit
EURO_VIN = "WVWZZZ1JZXW000001"  # Europe: no check digit


@pytest.fixture
def owner(db):
    return customers.add_customer("Anna Müller", phone="030 1234567")


def test_add_vehicle_normalises_plate_and_vin(owner) -> None:
    car = vehicles.add_vehicle(owner.id, "VW", "Golf", year="2019", vin=" wvwzzz1jzxw000001 ", plate="b-ab  123")
    assert car.plate == "B AB 123"
    assert car.vin == EURO_VIN
    assert car.year == 2019
    assert vehicles.get_vehicle(car.id) == car


def test_vin_suggests_make_and_year_when_left_out(owner) -> None:
    car = vehicles.add_vehicle(owner.id, None, "Accord", vin=HONDA_VIN)
    assert (car.make, car.year) == ("Honda", 2003)
    info = vehicles.decode_vin(HONDA_VIN)
    assert info.make == "Honda" and info.suggested_year == 2003 and info.check_digit == "ok"


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"vin": "1HGCM82633A00435"}, "vin", "has 16 characters"),
        ({"vin": "1HGCM82633A0O4352"}, "vin", "contains O"),
        ({"vin": "1HGCM82633A004353"}, "vin", "check digit"),
        ({"year": 1850}, "year", "not between 1900 and 2027"),
        ({"year": 2028}, "year", "not between 1900 and 2027"),
        ({"year": "old"}, "year", "not a year"),
        ({"mileage": -5}, "mileage", "must not be negative"),
        ({"mileage": "lots"}, "mileage", "not a whole number"),
        ({"plate": "B/AB#1"}, "plate", "not a licence plate"),
        ({"model": ""}, "model", "must not be empty"),
    ],
)
def test_bad_vehicle_fields_are_refused_and_named(owner, fields, field, reason) -> None:
    args = {"make": "VW", "model": "Golf", **fields}
    with pytest.raises(ValidationError) as err:
        vehicles.add_vehicle(owner.id, **args)
    assert reason in err.value.fields[field]
    assert vehicles.list_vehicles() == []


@pytest.mark.parametrize(
    ("written", "km"),
    [("42000", 42000), ("42.000", 42000), ("42,000", 42000), ("42 000", 42000), ("42'000", 42000),
     ("1.234.567", 1234567), ("42000 km", 42000), ("42.000 km", 42000), ("42_000", 42000), (42000, 42000)],
)  # fmt: skip
def test_mileage_accepts_thousands_separators_as_people_write_them(written, km) -> None:
    assert vehicles.parse_mileage(written) == km


@pytest.mark.parametrize("written", ["12,5", "12.5", "1,23,456", "1.234,567", "42.00", "zwölf"])
def test_mileage_that_is_not_clearly_whole_kilometres_is_refused_not_guessed(written) -> None:
    with pytest.raises(ValidationError) as err:
        vehicles.parse_mileage(written)
    assert (
        err.value.fields["mileage"]
        == f"{written!r} is not a whole number of kilometres (write it like 42000 or 42.000)"
    )


def test_european_vin_is_not_check_digit_tested(owner) -> None:
    assert vehicles.add_vehicle(owner.id, "VW", "Golf", vin="WVWZZZ1JZXW000002").vin == "WVWZZZ1JZXW000002"


def test_plate_and_vin_are_unique_with_a_message_naming_the_owner(owner) -> None:
    vehicles.add_vehicle(owner.id, "VW", "Golf", vin=EURO_VIN, plate="B-AB 123")
    with pytest.raises(Conflict) as err:
        vehicles.add_vehicle(owner.id, "VW", "Polo", plate="b ab-123")
    assert "Anna Müller" in str(err.value) and "plate" in str(err.value)
    with pytest.raises(Conflict):
        vehicles.add_vehicle(owner.id, "VW", "Polo", vin=EURO_VIN.lower())


def test_car_for_unknown_or_archived_customer_is_refused(owner) -> None:
    with pytest.raises(NotFound):
        vehicles.add_vehicle(999, "VW", "Golf")
    customers.archive_customer(owner.id)
    with pytest.raises(ValidationError) as err:
        vehicles.add_vehicle(owner.id, "VW", "Golf")
    assert "archived" in err.value.fields["customer_id"]


def test_lower_mileage_is_refused_unless_forced_and_history_is_kept(owner, frozen_clock) -> None:
    from datetime import timedelta

    car = vehicles.add_vehicle(owner.id, "VW", "Golf", mileage=50_000)
    frozen_clock.advance(timedelta(days=30))
    vehicles.record_mileage(car.id, 52_000)
    with pytest.raises(ValidationError) as err:
        vehicles.record_mileage(car.id, 51_000)
    assert "lower than the last reading 52000" in err.value.fields["mileage"]
    assert vehicles.get_vehicle(car.id).mileage == 52_000
    frozen_clock.advance(timedelta(days=1))
    vehicles.record_mileage(car.id, 51_000, force=True)
    history = vehicles.mileage_history(car.id)
    assert [h.mileage for h in history] == [50_000, 52_000, 51_000]
    assert [h.source for h in history] == ["added", "manual", "manual"]


def test_edit_vehicle_stale_version_conflicts(owner) -> None:
    car = vehicles.add_vehicle(owner.id, "VW", "Golf")
    vehicles.edit_vehicle(car.id, version=car.version, colour="blue")
    with pytest.raises(Conflict):
        vehicles.edit_vehicle(car.id, version=car.version, colour="red")
    assert vehicles.get_vehicle(car.id).colour == "blue"


def test_edit_vehicle_mileage_follows_the_mileage_rule(owner) -> None:
    car = vehicles.add_vehicle(owner.id, "VW", "Golf", mileage=1000)
    with pytest.raises(ValidationError):
        vehicles.edit_vehicle(car.id, mileage=10, colour="red")
    assert vehicles.get_vehicle(car.id).colour == ""
    assert vehicles.edit_vehicle(car.id, mileage=10, force=True).mileage == 10


def test_list_vehicles_by_customer_and_search(owner) -> None:
    other = customers.add_customer("Ben")
    vehicles.add_vehicle(owner.id, "VW", "Golf", plate="B-AB 1")
    vehicles.add_vehicle(other.id, "Honda", "Accord", vin=HONDA_VIN)
    assert [v.model for v in vehicles.list_vehicles(customer_id=owner.id)] == ["Golf"]
    assert [v.model for v in vehicles.list_vehicles(search="b-ab")] == ["Golf"]
    assert [v.model for v in vehicles.list_vehicles(search="3a004")] == ["Accord"]


def test_restore_brings_an_archived_car_back_with_a_new_version_and_an_audit_entry(owner) -> None:
    car = vehicles.add_vehicle(owner.id, "VW", "Golf", vin=EURO_VIN, plate="B AB 123")
    archived = vehicles.archive_vehicle(car.id)
    assert vehicles.list_vehicles(customer_id=owner.id) == []
    restored = vehicles.restore_vehicle(car.id)
    assert not restored.archived and restored.version == archived.version + 1
    assert (restored.vin, restored.plate) == (EURO_VIN, "B AB 123")
    assert [v.id for v in vehicles.list_vehicles(customer_id=owner.id)] == [car.id]
    entry = audit.history("vehicle", car.id)[0]
    assert entry.action == "vehicle.restore" and entry.details == {"customer_id": owner.id}


def test_restoring_an_active_car_changes_nothing(owner) -> None:
    car = vehicles.add_vehicle(owner.id, "VW", "Golf")
    assert vehicles.restore_vehicle(car.id) == car
    assert [e.action for e in audit.history("vehicle", car.id)] == ["vehicle.add"]


def test_restore_is_refused_while_the_owner_is_archived_and_says_how_to_fix_it(owner) -> None:
    car = vehicles.add_vehicle(owner.id, "VW", "Golf")
    vehicles.archive_vehicle(car.id)
    customers.archive_customer(owner.id)
    with pytest.raises(Conflict) as err:
        vehicles.restore_vehicle(car.id)
    assert "Anna Müller" in str(err.value) and "restore the customer first" in str(err.value)
    assert vehicles.get_vehicle(car.id).archived
    customers.restore_customer(owner.id)
    assert not vehicles.restore_vehicle(car.id).archived


def test_restore_needs_the_right_to_change_cars_and_an_existing_car(owner) -> None:
    car = vehicles.add_vehicle(owner.id, "VW", "Golf")
    vehicles.archive_vehicle(car.id)
    with pytest.raises(Forbidden):
        vehicles.restore_vehicle(car.id, actor=Actor(Role.MECHANIC, "mara", staff_id=3))
    assert vehicles.get_vehicle(car.id).archived
    with pytest.raises(NotFound):
        vehicles.restore_vehicle(999)


def test_adding_a_car_again_while_archived_points_to_restoring_it(owner) -> None:
    car = vehicles.add_vehicle(owner.id, "VW", "Golf", vin=EURO_VIN, plate="B AB 123")
    vehicles.archive_vehicle(car.id)
    with pytest.raises(Conflict) as err:
        vehicles.add_vehicle(owner.id, "VW", "Golf", vin=EURO_VIN)
    assert f"car {car.id}" in str(err.value) and "archived: restore it" in str(err.value)


# ---------------------------------------------------------------------------------------------- CLI


def test_cli_car_add_show_mileage(cli) -> None:
    cid = cli("customer", "add", "--name", "Anna").stdout.strip()
    added = cli("car", "add", "--customer", cid, "--model", "Accord", "--vin", HONDA_VIN, "--mileage", "1000", "--json")
    assert added.exit_code == 0, added.stderr
    car = added.json()
    assert car["customer_id"] == int(cid) and car["make"] == "Honda"
    lower = cli("car", "mileage", str(car["id"]), "900")
    assert lower.exit_code == 1 and "mileage:" in lower.stderr and "--force" in lower.stderr
    assert cli("car", "mileage", str(car["id"]), "900", "--force").exit_code == 0
    shown = cli("car", "show", str(car["id"]), "--json").json()
    assert [h["mileage"] for h in shown["mileage_history"]] == [1000, 900]


def test_cli_car_bad_input_exits_1_and_stores_nothing(cli) -> None:
    cid = cli("customer", "add", "--name", "Anna").stdout.strip()
    for args, field in [
        (["--year", "1850"], "year"),
        (["--mileage", "-5"], "mileage"),
        (["--vin", "1HGCM82633A00435Q"], "vin"),
    ]:
        result = cli("car", "add", "--customer", cid, "--make", "VW", "--model", "Golf", *args)
        assert result.exit_code == 1, args
        assert f"{field}:" in result.stderr and "Traceback" not in result.stderr
    assert cli("car", "list", "--json").json() == []


def test_cli_car_edit_and_duplicate_plate(cli) -> None:
    cid = cli("customer", "add", "--name", "Anna").stdout.strip()
    first = cli("car", "add", "--customer", cid, "--make", "VW", "--model", "Golf", "--plate", "B-AB 1").stdout.strip()
    second = cli("car", "add", "--customer", cid, "--make", "VW", "--model", "Polo").stdout.strip()
    assert cli("car", "edit", second, "--plate", "b ab 1").exit_code == 3
    edited = cli("car", "edit", first, "--colour", "silver", "--json").json()
    assert edited["colour"] == "silver"
    assert cli("car", "edit", "99", "--colour", "x").exit_code == 1


def test_cli_car_archive_and_restore(cli) -> None:
    cid = cli("customer", "add", "--name", "Anna").stdout.strip()
    car = cli("car", "add", "--customer", cid, "--make", "VW", "--model", "Golf", "--plate", "B-AB 1").stdout.strip()
    assert cli("car", "archive", car).stdout.strip() == f"car {car} archived"
    assert cli("car", "list", "--json").json() == []
    listed = cli("car", "list", "--all").stdout.splitlines()
    assert listed[0].split()[-1] == "ARCHIVED" and listed[1].split()[-1] == "yes"
    assert cli("customer", "show", cid).stdout.splitlines()[-1].split()[-1] == "yes"
    restored = cli("car", "restore", car, "--json")
    assert restored.exit_code == 0, restored.stderr
    assert restored.json()["archived"] is False and restored.json()["plate"] == "B AB 1"
    assert cli("car", "restore", car).stdout.strip() == f"car {car} restored"
    assert [c["id"] for c in cli("car", "list", "--json").json()] == [int(car)]


def test_cli_car_restore_of_an_archived_owners_car_exits_3_and_of_no_car_exits_1(cli) -> None:
    cid = cli("customer", "add", "--name", "Anna").stdout.strip()
    car = cli("car", "add", "--customer", cid, "--make", "VW", "--model", "Golf").stdout.strip()
    cli("car", "archive", car)
    cli("customer", "archive", cid)
    refused = cli("car", "restore", car)
    assert refused.exit_code == 3 and "restore the customer first" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert cli("car", "list", "--all", "--json").json()[0]["archived"] is True
    assert cli("car", "restore", "99").exit_code == 1


def test_a_car_with_a_booked_visit_is_not_archived_unless_forced_and_the_refusal_names_the_visit(db) -> None:
    shop = make_shop()
    visit = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 08:00")
    booking.book(shop.other_customer_id, shop.other_car_id, [shop.oil], "2026-11-24 10:00")  # not this car's
    with pytest.raises(VisitsBooked) as refused:
        vehicles.archive_vehicle(shop.car_id)
    assert refused.value.overridable
    assert str(refused.value) == (
        f"car {shop.car_id} (VW Golf B AB 1234) has a booked visit: "
        f"appointment {visit.id} on Tue 24 Nov 2026 08:00 (scheduled); cancel or move it first"
    )
    assert [a.id for a in refused.value.visits] == [visit.id]
    assert not vehicles.get_vehicle(shop.car_id).archived
    assert audit.history("vehicle", shop.car_id)[0].action == "vehicle.add"  # nothing half-written
    assert vehicles.archive_vehicle(shop.car_id, force=True).archived
    assert booking.get_appointment(visit.id).status == "scheduled"  # forcing leaves the visit alone


def test_a_car_in_the_workshop_or_with_several_visits_is_refused_with_each_visit_and_what_to_do(db) -> None:
    shop = make_shop()
    today = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-23 10:00")
    later = booking.book(shop.customer_id, shop.car_id, [shop.brakes], "2026-11-25 13:00")
    booking.set_status(today.id, "checked_in")
    with pytest.raises(VisitsBooked) as refused:
        vehicles.archive_vehicle(shop.car_id)
    assert str(refused.value) == (
        f"car {shop.car_id} (VW Golf B AB 1234) has 2 booked visits: "
        f"appointment {today.id} on Mon 23 Nov 2026 10:00 (checked in), "
        f"appointment {later.id} on Wed 25 Nov 2026 13:00 (scheduled); "
        "cancel or move the scheduled ones and complete the ones under way first"
    )
    booking.cancel(later.id)
    with pytest.raises(VisitsBooked, match=r"\(checked in\); complete it first"):
        vehicles.archive_vehicle(shop.car_id)
    booking.set_status(today.id, "in_progress")
    booking.set_status(today.id, "completed")
    assert vehicles.archive_vehicle(shop.car_id).archived  # only past and cancelled visits are left


def test_cli_car_archive_with_a_booked_visit_exits_3_and_force_archives_it(cli) -> None:
    shop = make_shop()
    visit = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 08:00")
    refused = cli("car", "archive", str(shop.car_id))
    assert refused.exit_code == 3
    assert refused.stderr.splitlines() == [
        f"error: car {shop.car_id} (VW Golf B AB 1234) has a booked visit: "
        f"appointment {visit.id} on Tue 24 Nov 2026 08:00 (scheduled); cancel or move it first",
        "  --force does it anyway",
    ]
    assert not vehicles.get_vehicle(shop.car_id).archived
    forced = cli("car", "archive", str(shop.car_id), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert forced.stdout.strip() == f"car {shop.car_id} archived"
    assert vehicles.get_vehicle(shop.car_id).archived
    assert booking.get_appointment(visit.id).status == "scheduled"
