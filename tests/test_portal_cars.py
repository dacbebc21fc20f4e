"""Portal cars over HTTP (WebTest): removing a car, and adding a removed car again brings it back."""

from __future__ import annotations

from shop import audit, booking, vehicles
from tests.portal_support import Browser, errors, make_customer, text

pytest_plugins = ["tests.portal_support"]

EURO_VIN = "WVWZZZ1JZXW000001"


def remove(browser: Browser, car_id: int):  # type: ignore[no-untyped-def]
    """The Remove link of the car list, then Yes on the page that asks."""
    listed = browser.get("/cars")
    assert listed.html.find("a", href=f"/cars/{car_id}/remove") is not None
    return browser.submit_form(browser.get(f"/cars/{car_id}/remove"), "car_remove-form")


def add(browser: Browser, **fields: str):  # type: ignore[no-untyped-def]
    return browser.submit_form(browser.get("/cars/new"), "car_form-form", **fields)


def test_removing_a_car_asks_first_then_hides_it_and_keeps_it_for_the_shop(browser: Browser, anna_with_golf) -> None:
    car_id = anna_with_golf["car"]
    asked = browser.get(f"/cars/{car_id}/remove")
    assert "Remove this car?" in text(asked) and "B AB 123" in text(asked)
    done = remove(browser, car_id)
    assert done.status_int == 303 and done.location.endswith("/cars?done=car_removed")
    listed = done.follow()
    assert "removed from your account" in text(listed) and "Golf" not in text(listed)
    browser.get(f"/cars/{car_id}", status=404)
    browser.get(f"/cars/{car_id}/remove", status=404)
    car = vehicles.get_vehicle(car_id)
    assert car.archived and car.customer_id == anna_with_golf["customer"]
    assert audit.history("vehicle", car_id)[0].action == "account.car_remove"


def test_adding_a_removed_car_again_brings_it_back_with_its_history_and_the_new_details(
    browser: Browser, anna_with_golf
) -> None:
    car_id = anna_with_golf["car"]
    vehicles.record_mileage(car_id, 40000)
    remove(browser, car_id)
    added = add(browser, make="VW", model="Golf", plate="b-ab 123", colour="Red", mileage="45000")
    assert added.location.endswith("/cars?done=car_restored")
    assert "it is back in your account, with its history" in text(added.follow())
    cars = vehicles.list_vehicles(customer_id=anna_with_golf["customer"], include_archived=True)
    assert [c.id for c in cars] == [car_id]  # the same car, not a second one
    car = cars[0]
    assert not car.archived and (car.make, car.colour, car.mileage) == ("VW", "Red", 45000)
    assert [m.mileage for m in vehicles.mileage_history(car_id)] == [40000, 45000]
    assert audit.history("vehicle", car_id)[0].action == "account.car_restore"


def test_a_removed_car_added_again_by_its_vin_comes_back_with_a_new_plate(browser: Browser, anna_with_golf) -> None:
    car_id = anna_with_golf["car"]
    vehicles.edit_vehicle(car_id, vin=EURO_VIN, year="2019")
    remove(browser, car_id)
    added = add(browser, make="", model="Golf", vin=EURO_VIN.lower(), plate="M-XY 42")
    assert added.location.endswith("/cars?done=car_restored")
    car = vehicles.get_vehicle(car_id)
    assert not car.archived and (car.plate, car.vin, car.year) == ("M XY 42", EURO_VIN, 2019)  # empty year kept


def test_bad_input_when_adding_a_removed_car_again_leaves_it_removed(browser: Browser, anna_with_golf) -> None:
    car_id = anna_with_golf["car"]
    vehicles.record_mileage(car_id, 40000)
    remove(browser, car_id)
    page = add(browser, make="VW", model="Golf", plate="B AB 123", year="1850")
    assert "year" in errors(page)
    page = add(browser, make="VW", model="Golf", plate="B AB 123", mileage="1000")  # lower than recorded
    assert "lower than the last reading" in errors(page)["mileage"]
    car = vehicles.get_vehicle(car_id)
    assert car.archived and car.mileage == 40000  # nothing half-written: not restored either


def test_another_customers_removed_car_is_never_handed_over(browser: Browser, mailbox, anna_with_golf) -> None:
    bob_id = make_customer(mailbox, "bob@example.com", name="Bob Sold", phone="030 5555555")
    bobs = vehicles.add_vehicle(bob_id, "Opel", "Astra", vin=EURO_VIN, plate="B-XY 999")
    vehicles.archive_vehicle(bobs.id)
    for fields in ({"vin": EURO_VIN}, {"plate": "B XY 999"}):
        page = add(browser, make="Opel", model="Astra", **fields)
        field = next(iter(fields))
        assert errors(page)[field].endswith("is already registered to another car; please call the shop")
        assert "Bob" not in page.text
    car = vehicles.get_vehicle(bobs.id)
    assert car.archived and car.customer_id == bob_id
    assert [c.id for c in vehicles.list_vehicles(customer_id=anna_with_golf["customer"])] == [anna_with_golf["car"]]


def test_a_plate_kept_for_a_different_car_does_not_bring_the_old_car_back(browser: Browser, anna_with_golf) -> None:
    car_id = anna_with_golf["car"]
    vehicles.edit_vehicle(car_id, vin=EURO_VIN)
    remove(browser, car_id)
    page = add(browser, make="VW", model="Polo", vin="WVWZZZ1JZXW000002", plate="B AB 123")
    assert "please call the shop" in errors(page)["plate"]
    car = vehicles.get_vehicle(car_id)
    assert car.archived and (car.model, car.vin) == ("Golf", EURO_VIN)


def test_a_car_with_a_booked_visit_is_not_removed_until_the_visit_is_cancelled(
    browser: Browser, anna_with_golf
) -> None:
    car_id = anna_with_golf["car"]
    visit = booking.book(anna_with_golf["customer"], car_id, ["Oil change"], "2026-11-24 08:00")
    page = remove(browser, car_id)
    assert page.status_int == 200
    assert "has an appointment on Tue 24 Nov 2026, 08:00; cancel it first" in text(page)
    assert not vehicles.get_vehicle(car_id).archived
    booking.cancel(visit.id)
    assert remove(browser, car_id).location.endswith("/cars?done=car_removed")
