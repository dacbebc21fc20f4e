"""Quotes (request, answer line by line), invoices (list, detail, PDF) and reviews (write, read)."""

from __future__ import annotations

import bottle
from bottle import request

from customer_site.routes.public import services_by_category
from customer_site.web import form_values, go, login_required, no_store, render
from shop import accounts, booking, reviews
from shop.auth import Actor
from shop.errors import Conflict, NotFound, ValidationError


def number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise NotFound(value) from None


def install(app: bottle.Bottle) -> None:
    # ------------------------------------------------------------------ quotes

    @app.get("/quotes")
    @login_required
    def quote_list(actor: Actor) -> str:
        no_store()
        requests = accounts.my_quote_requests(actor)
        return render("quotes", title="My quotes", quotes=accounts.my_quotes(actor), requests=requests)

    @app.get("/quotes/new")
    @login_required
    def quote_request_form(actor: Actor) -> str:
        no_store()
        cars = accounts.my_cars(actor)
        chosen = request.query.getunicode("car", default="")  # back from "add your car first"
        form = {"car": chosen or (str(cars[0].id) if len(cars) == 1 else ""), "service": [], "problem": ""}
        return render("quote_request", title="Request a quote", cars=cars, groups=services_by_category(), form=form)

    @app.post("/quotes/new")
    @login_required
    def quote_request(actor: Actor) -> str:
        no_store()
        form = form_values("car", "problem")
        services = request.forms.getall("service")
        try:
            accounts.request_quote(actor, form["car"], services, form["problem"])
        except ValidationError as exc:
            form["service"] = services  # type: ignore[assignment]
            return render("quote_request", title="Request a quote", cars=accounts.my_cars(actor),
                          groups=services_by_category(), form=form, errors=exc.fields)  # fmt: skip
        go("/quotes", "quote_requested")
        return ""

    @app.get("/quotes/<ident>")
    @login_required
    def quote(actor: Actor, ident: str) -> str:
        no_store()
        info = accounts.my_quote(actor, number(ident))
        return render("quote", title=f"Quote {info.id}", quote=info)

    @app.post("/quotes/<ident>")
    @login_required
    def quote_answer(actor: Actor, ident: str) -> str:
        no_store()
        info = accounts.my_quote(actor, number(ident))
        decisions = {}
        for line in info.lines:
            value = request.forms.getunicode(f"line-{line.position}", default="")
            if value:
                decisions[line.position] = value
        try:
            accounts.answer_quote(actor, info.id, decisions)
        except ValidationError as exc:
            return render("quote", title=f"Quote {info.id}", quote=info, errors=exc.fields)
        go(f"/quotes/{info.id}", "quote_answered")
        return ""

    # ------------------------------------------------------------------ invoices

    @app.get("/invoices")
    @login_required
    def invoice_list(actor: Actor) -> str:
        no_store()
        return render("invoices", title="My invoices", invoices=accounts.my_invoices(actor))

    @app.get("/invoices/<ident>.pdf")
    @login_required
    def invoice_pdf(actor: Actor, ident: str) -> bytes:
        no_store()
        name, data = accounts.my_invoice_pdf(actor, number(ident))
        bottle.response.content_type = "application/pdf"
        bottle.response.set_header("Content-Disposition", f'attachment; filename="{name}"')
        return data

    @app.get("/invoices/<ident>")
    @login_required
    def invoice(actor: Actor, ident: str) -> str:
        no_store()
        info = accounts.my_invoice(actor, number(ident))
        return render("invoice", title=f"Invoice {info.number}", invoice=info)

    # ------------------------------------------------------------------ reviews

    @app.get("/reviews")
    def published_reviews() -> str:
        return render("reviews", title="Reviews", reviews=reviews.published(), summary=reviews.summary())

    @app.get("/appointments/<ident>/review")
    @login_required
    def review_form(actor: Actor, ident: str) -> str:
        no_store()
        item = booking.get_appointment(number(ident), actor=actor)
        existing = reviews.review_for_appointment(item.id, actor=actor)
        if existing is not None or item.status != "completed":
            go(f"/appointments/{item.id}")
        return render("review_form", title="Review", item=item, form={"rating": "", "comment": "", "publish": "on"})

    @app.post("/appointments/<ident>/review")
    @login_required
    def review_submit(actor: Actor, ident: str) -> str:
        no_store()
        item = booking.get_appointment(number(ident), actor=actor)
        form = form_values("rating", "comment", "publish")
        try:
            reviews.submit_review(item.id, form["rating"], form["comment"], publish=form["publish"] == "on",
                                  actor=actor)  # fmt: skip
        except ValidationError as exc:
            return render("review_form", title="Review", item=item, form=form, errors=exc.fields)
        except Conflict:
            go(f"/appointments/{item.id}")
        go(f"/appointments/{item.id}", "reviewed")
        return ""
