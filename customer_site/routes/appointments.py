"""My appointments: upcoming and past, one appointment's status page, cancelling."""

from __future__ import annotations

import bottle

from customer_site.web import form_values, go, login_required, no_store, render
from shop import accounts, booking, clock, reviews
from shop.auth import Actor
from shop.errors import Forbidden, NotFound, ValidationError


def load(actor: Actor, ident: str) -> booking.Appointment:
    try:
        return booking.get_appointment(int(ident), actor=actor)
    except ValueError:
        raise NotFound(ident) from None


def install(app: bottle.Bottle) -> None:
    @app.get("/appointments")
    @login_required
    def appointments(actor: Actor) -> str:
        no_store()
        everything = booking.list_appointments(actor=actor)
        now = clock.now()
        upcoming = [a for a in everything if a.end >= now and a.status not in ("cancelled", "no_show", "completed")]
        past = [a for a in reversed(everything) if a not in upcoming]
        return render("appointments", title="My appointments", upcoming=upcoming, past=past,
                      status=accounts.status_words(actor, everything))  # fmt: skip

    @app.get("/appointments/<ident>")
    @login_required
    def appointment(actor: Actor, ident: str) -> str:
        no_store()
        item = load(actor, ident)
        return render("appointment", title="Appointment", item=item, options=accounts.appointment_options(actor, item),
                      history=accounts.customer_history(actor, item), words=accounts.STATUS_WORDS,
                      status=accounts.status_words(actor, [item])[item.id],
                      progress=accounts.PROGRESS, extras=extras(actor, item))  # fmt: skip

    @app.get("/appointments/<ident>/cancel")
    @login_required
    def cancel_form(actor: Actor, ident: str) -> str:
        no_store()
        item = load(actor, ident)
        options = accounts.appointment_options(actor, item)
        return render("cancel", title="Cancel appointment", item=item, options=options)

    @app.post("/appointments/<ident>/cancel")
    @login_required
    def cancel(actor: Actor, ident: str) -> str:
        no_store()
        item = load(actor, ident)
        form = form_values("reason")
        try:
            booking.cancel(item.id, form["reason"][:500], actor=actor)
        except (Forbidden, ValidationError) as exc:
            message = str(exc) if isinstance(exc, Forbidden) else next(iter(exc.fields.values()))
            options = accounts.appointment_options(actor, item)
            return render("cancel", title="Cancel appointment", item=item, options=options, errors={"reason": message})
        go(f"/appointments/{item.id}", "cancelled")
        return ""


def extras(actor: Actor, item: booking.Appointment) -> dict:
    """The invoices, the quote it was booked from and the review that belong to this appointment."""
    return {
        "invoices": accounts.invoices_for_appointment(actor, item.id),
        "quote": accounts.quote_for_appointment(actor, item.id),
        "review": reviews.review_for_appointment(item.id, actor=actor),
    }
