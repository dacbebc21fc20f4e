"""Customers from the service layer and the CLI: validation, duplicates, search, optimistic edits."""

from __future__ import annotations

import pytest

from shop import audit, booking, customers, vehicles
from shop.auth import Actor, Role
from shop.errors import Conflict, Forbidden, NotFound, ValidationError, VisitsBooked
from tests.scheduling_helpers import make_shop

MECHANIC = Actor(Role.MECHANIC, "mara", staff_id=3)


def test_add_customer_stores_e164_and_shows_national_format(db) -> None:
    c = customers.add_customer("  Anna   Müller ", phone="030 1234567", email="Anna.Mueller@Example.COM")
    assert c.name == "Anna Müller"
    assert c.phone == "+49301234567"
    assert c.phone_display == "030 1234567"
    assert c.email == "anna.mueller@example.com"
    assert customers.get_customer(c.id) == c
    assert audit.history("customer", c.id)[0].action == "customer.add"


@pytest.mark.parametrize(
    ("region", "example"),
    [("DE", "like 030 123456, or with the country code, like +49 30 123456"),
     ("GB", "like 0121 234 5678, or with the country code, like +44 121 234 5678")],
)  # fmt: skip
def test_a_refused_phone_says_how_to_write_one_in_the_shops_region(db, region: str, example: str) -> None:
    for text, reason in (("12", "is not a valid phone number"), ("call me", "is not a phone number")):
        with pytest.raises(ValidationError) as err:
            customers.parse_phone(text, region)
        assert err.value.fields["phone"] == f"{text!r} {reason}; write it with the area code, {example}"


def test_a_refused_email_is_explained_in_one_plain_sentence(db) -> None:
    with pytest.raises(ValidationError) as err:
        customers.parse_email("not-an-email")
    assert err.value.fields["email"] == "'not-an-email' is not a valid e-mail address: it must have an @-sign"
    with pytest.raises(ValidationError) as err:
        customers.parse_email("anna@")
    assert (
        err.value.fields["email"] == "'anna@' is not a valid e-mail address: there must be something after the @-sign"
    )


def test_foreign_phone_is_shown_internationally(db) -> None:
    c = customers.add_customer("Joe", phone="+1 212 555 0123")
    assert c.phone == "+12125550123"
    assert c.phone_display.startswith("+1 212")


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"name": "   "}, "name", "must not be empty"),
        ({"name": "A", "phone": "12"}, "phone", "not a valid phone number"),
        ({"name": "A", "phone": "call me"}, "phone", "not a phone number"),
        ({"name": "A", "email": "anna@"}, "email", "not a valid e-mail"),
        ({"name": "A", "email": "no at sign"}, "email", "not a valid e-mail"),
    ],
)
def test_bad_customer_fields_are_refused_and_named(db, fields, field, reason) -> None:
    with pytest.raises(ValidationError) as err:
        customers.add_customer(**fields)
    assert field in err.value.fields and reason in err.value.fields[field]
    assert customers.list_customers() == []


def test_duplicate_email_is_a_conflict_naming_the_customer(db) -> None:
    first = customers.add_customer("Anna", email="anna@example.com")
    with pytest.raises(Conflict) as err:
        customers.add_customer("Other Anna", email="ANNA@example.com")
    assert f"customer {first.id} (Anna)" in str(err.value)


def test_duplicate_phone_is_refused_unless_forced(db) -> None:
    first = customers.add_customer("Anna", phone="030 1234567")
    with pytest.raises(Conflict) as err:
        customers.add_customer("Ben", phone="+49 30 1234567")
    assert f"customer {first.id} (Anna)" in str(err.value)
    second = customers.add_customer("Ben", phone="+49 30 1234567", force=True)
    assert second.phone == first.phone


def test_search_finds_by_name_phone_email_plate_and_vin_fragments(db) -> None:
    anna = customers.add_customer("Anna Müller", phone="030 1234567", email="anna@example.com")
    ben = customers.add_customer("Ben Schmidt", phone="0171 5550000", email="ben@post.example")
    vehicles.add_vehicle(ben.id, "Honda", "Accord", vin="1HGCM82633A004352", plate="B-XY 42")

    def names(term: str) -> list[str]:
        return [c.name for c in customers.list_customers(search=term)]

    assert names("müll") == ["Anna Müller"]
    assert names("MÜLLER") == ["Anna Müller"]
    assert names("030 123") == ["Anna Müller"]
    assert names("+4930123") == ["Anna Müller"]
    assert names("post.example") == ["Ben Schmidt"]
    assert names("b xy") == ["Ben Schmidt"]
    assert names("bxy42") == ["Ben Schmidt"]
    assert names("3a0043") == ["Ben Schmidt"]
    assert names("50%") == []
    assert anna.id != ben.id


def test_search_finds_umlauts_and_their_spelled_out_form_either_way(db) -> None:
    customers.add_customer("Jürgen Schön", phone="030 7654321")
    customers.add_customer("Petra Schoenfeld")
    customers.add_customer("Karl Weiß")
    customers.add_customer("Ute Weiss")
    customers.add_customer("Tom Schon")

    def names(term: str) -> list[str]:
        return [c.name for c in customers.list_customers(search=term)]

    assert names("schön") == ["Jürgen Schön", "Petra Schoenfeld"]
    assert names("Schoen") == ["Jürgen Schön", "Petra Schoenfeld"]
    assert names("juergen") == ["Jürgen Schön"]
    assert names("weiß") == ["Karl Weiß", "Ute Weiss"]
    assert names("weiss") == ["Karl Weiß", "Ute Weiss"]
    assert names("schon") == ["Tom Schon"]  # a plain o stays an o: Schon is another name
    assert names("sch_n") == []  # LIKE wildcards are still taken literally


def test_search_follows_a_car_that_changes_owner(db) -> None:
    anna = customers.add_customer("Anna")
    ben = customers.add_customer("Ben")
    car = vehicles.add_vehicle(anna.id, "VW", "Golf", plate="HH-AB 1")
    vehicles.edit_vehicle(car.id, customer_id=ben.id)
    assert [c.name for c in customers.list_customers(search="hh ab 1")] == ["Ben"]


def test_archived_customers_are_hidden_unless_asked(db) -> None:
    c = customers.add_customer("Anna")
    customers.archive_customer(c.id)
    assert customers.list_customers() == []
    assert [x.id for x in customers.list_customers(include_archived=True)] == [c.id]
    assert customers.get_customer(c.id).archived


def test_list_is_ordered_by_name_and_pages(db) -> None:
    for name in ["Carla", "Anna", "Ben"]:
        customers.add_customer(name)
    assert [c.name for c in customers.list_customers()] == ["Anna", "Ben", "Carla"]
    assert [c.name for c in customers.list_customers(limit=1, offset=1)] == ["Ben"]


def test_edit_with_stale_version_is_a_conflict_and_changes_nothing(db) -> None:
    c = customers.add_customer("Anna", email="anna@example.com")
    edited = customers.edit_customer(c.id, version=c.version, notes="prefers mornings")
    assert edited.version == c.version + 1
    with pytest.raises(Conflict):
        customers.edit_customer(c.id, version=c.version, name="Anna B.")
    assert customers.get_customer(c.id).name == "Anna"


def test_edit_refuses_email_of_another_customer_and_bad_phone(db) -> None:
    customers.add_customer("Anna", email="anna@example.com")
    ben = customers.add_customer("Ben", email="ben@example.com")
    with pytest.raises(Conflict):
        customers.edit_customer(ben.id, email="anna@example.com")
    with pytest.raises(ValidationError) as err:
        customers.edit_customer(ben.id, phone="123", name="")
    assert set(err.value.fields) == {"phone", "name"}
    assert customers.get_customer(ben.id).email == "ben@example.com"


def test_edit_can_remove_email_and_updates_search(db) -> None:
    c = customers.add_customer("Anna", email="anna@example.com")
    customers.edit_customer(c.id, email="", name="Anna Berg")
    assert customers.get_customer(c.id).email is None
    assert [x.id for x in customers.list_customers(search="berg")] == [c.id]
    assert customers.list_customers(search="anna@") == []


def test_mechanic_may_read_but_not_add_customers(db) -> None:
    customers.add_customer("Anna")
    assert len(customers.list_customers(actor=MECHANIC)) == 1
    with pytest.raises(Forbidden):
        customers.add_customer("Ben", actor=MECHANIC)


def test_unknown_customer_is_not_found(db) -> None:
    with pytest.raises(NotFound):
        customers.get_customer(999)


# ---------------------------------------------------------------------------------------------- CLI


def test_cli_customer_add_prints_id_and_json_object(cli) -> None:
    plain = cli("customer", "add", "--name", "Anna", "--phone", "030 1234567")
    assert plain.exit_code == 0, plain.stderr
    assert plain.stdout.strip().isdigit()
    as_json = cli("customer", "add", "--name", "Ben", "--email", "ben@example.com", "--json").json()
    assert set(as_json) >= {"id", "name", "phone", "email", "address", "notes", "created_at"}
    assert as_json["email"] == "ben@example.com"


def test_cli_customer_bad_input_exits_1_naming_the_field(cli) -> None:
    result = cli("customer", "add", "--name", "", "--email", "x@")
    assert result.exit_code == 1
    assert "name: must not be empty" in result.stderr and "email:" in result.stderr
    assert "Traceback" not in result.stderr
    assert cli("customer", "list", "--json").json() == []


def test_cli_duplicate_phone_exits_3_and_force_adds(cli) -> None:
    cli("customer", "add", "--name", "Anna", "--phone", "030 1234567")
    dup = cli("customer", "add", "--name", "Ben", "--phone", "030 1234567")
    assert dup.exit_code == 3
    assert "Anna" in dup.stderr and "--force" in dup.stderr
    assert cli("customer", "add", "--name", "Ben", "--phone", "030 1234567", "--force").exit_code == 0


def test_cli_list_search_show_edit_archive(cli) -> None:
    cid = int(cli("customer", "add", "--name", "Anna Müller", "--phone", "030 1234567").stdout)
    cli("customer", "add", "--name", "Ben")
    cli("car", "add", "--customer", str(cid), "--make", "VW", "--model", "Golf", "--plate", "B-AM 77")
    found = cli("customer", "list", "--search", "b am 77", "--json").json()
    assert [c["id"] for c in found] == [cid]
    shown = cli("customer", "show", str(cid), "--json").json()
    assert shown["cars"][0]["plate"] == "B AM 77" and shown["cars"][0]["customer_id"] == cid
    stale = cli("customer", "edit", str(cid), "--notes", "x", "--version", "7")
    assert stale.exit_code == 3
    edited = cli("customer", "edit", str(cid), "--notes", "VIP", "--version", "1", "--json").json()
    assert edited["notes"] == "VIP" and edited["version"] == 2
    assert cli("customer", "archive", str(cid)).exit_code == 0
    assert [c["name"] for c in cli("customer", "list", "--json").json()] == ["Ben"]
    assert cli("customer", "show", "4242").exit_code == 1


def test_a_customer_with_a_booked_visit_is_not_archived_unless_forced_and_the_refusal_names_each_car(db) -> None:
    shop = make_shop()
    second = vehicles.add_vehicle(shop.customer_id, "Skoda", "Fabia", plate="B-XY 9")
    golf = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 08:00")
    fabia = booking.book(shop.customer_id, second.id, [shop.quick], "2026-11-26 09:30")
    booking.book(shop.other_customer_id, shop.other_car_id, [shop.oil], "2026-11-24 10:00")  # Ben's
    with pytest.raises(VisitsBooked) as refused:
        customers.archive_customer(shop.customer_id)
    assert refused.value.overridable
    assert str(refused.value) == (
        f"customer {shop.customer_id} (Anna Berg) has 2 booked visits: "
        f"appointment {golf.id} on Tue 24 Nov 2026 08:00 (scheduled, B AB 1234), "
        f"appointment {fabia.id} on Thu 26 Nov 2026 09:30 (scheduled, B XY 9); cancel or move them first"
    )
    assert not customers.get_customer(shop.customer_id).archived
    booking.cancel(golf.id)
    booking.reschedule(fabia.id, "2026-11-27 09:30")
    with pytest.raises(VisitsBooked, match=r"on Fri 27 Nov 2026 09:30 \(scheduled, B XY 9\); cancel or move it"):
        customers.archive_customer(shop.customer_id)
    assert customers.archive_customer(shop.customer_id, force=True).archived
    assert booking.get_appointment(fabia.id).status == "scheduled"  # forcing leaves the visit alone


def test_cli_customer_archive_with_a_booked_visit_exits_3_and_force_archives(cli) -> None:
    shop = make_shop()
    visit = booking.book(shop.customer_id, shop.car_id, [shop.oil], "2026-11-24 08:00")
    refused = cli("customer", "archive", str(shop.customer_id))
    assert refused.exit_code == 3
    assert f"appointment {visit.id} on Tue 24 Nov 2026 08:00 (scheduled, B AB 1234)" in refused.stderr
    assert "--force does it anyway" in refused.stderr
    assert not customers.get_customer(shop.customer_id).archived
    forced = cli("customer", "archive", str(shop.customer_id), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert customers.get_customer(shop.customer_id).archived
