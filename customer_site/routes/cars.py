"""The customer's cars: list, add (a removed one comes back), edit, remove (other customers' cars are 404)."""

from __future__ import annotations

import bottle
from bottle import request

from customer_site.web import car_back, form_values, go, login_required, no_store, render
from shop import accounts
from shop.auth import Actor
from shop.errors import ValidationError

FIELDS = ("make", "model", "year", "vin", "plate", "colour", "mileage")


def car_id(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise bottle.HTTPError(404) from None


def install(app: bottle.Bottle) -> None:
    @app.get("/cars")
    @login_required
    def cars(actor: Actor) -> str:
        no_store()
        return render("cars", title="My cars", cars=accounts.my_cars(actor))

    @app.get("/cars/new")
    @login_required
    def new_car_form(actor: Actor) -> str:
        no_store()
        return render("car_form", title="Add a car", car=None, back=car_back(request.query.getunicode("back")))

    @app.post("/cars/new")
    @login_required
    def new_car(actor: Actor) -> str:
        form = form_values(*FIELDS)
        back = car_back(request.forms.getunicode("back"))
        try:
            added = accounts.add_or_restore_my_car(actor, **form)
        except ValidationError as exc:
            return render("car_form", title="Add a car", car=None, form=form, errors=exc.fields, back=back)
        done = "car_restored" if added.restored else "car_added"
        if back:  # back to the booking (or quote request) that sent the customer here, with this car chosen
            go(f"{back}{'&' if '?' in back else '?'}car={added.car.id}", done)
        go("/cars", done)
        return ""

    @app.get("/cars/<ident>")
    @login_required
    def edit_car_form(actor: Actor, ident: str) -> str:
        no_store()
        car = accounts.my_car(actor, car_id(ident))
        form = {name: "" if getattr(car, name) is None else str(getattr(car, name)) for name in FIELDS}
        return render("car_form", title=f"{car.make} {car.model}", car=car, form=form)

    @app.post("/cars/<ident>")
    @login_required
    def edit_car(actor: Actor, ident: str) -> str:
        car = accounts.my_car(actor, car_id(ident))
        form = form_values(*FIELDS)
        try:
            accounts.edit_my_car(actor, car.id, **form)
        except ValidationError as exc:
            return render("car_form", title=f"{car.make} {car.model}", car=car, form=form, errors=exc.fields)
        go("/cars", "car_saved")
        return ""

    @app.get("/cars/<ident>/remove")
    @login_required
    def remove_car_form(actor: Actor, ident: str) -> str:
        no_store()
        car = accounts.my_car(actor, car_id(ident))
        return render("car_remove", title=f"Remove {car.make} {car.model}", car=car)

    @app.post("/cars/<ident>/remove")
    @login_required
    def remove_car(actor: Actor, ident: str) -> str:
        car = accounts.my_car(actor, car_id(ident))
        try:
            accounts.remove_my_car(actor, car.id)
        except ValidationError as exc:
            return render("car_remove", title=f"Remove {car.make} {car.model}", car=car, errors=exc.fields)
        go("/cars", "car_removed")
        return ""
