"""Demo data for the customer portal: one customer who can log in (with a quote waiting for an answer),
and a few published reviews."""

from __future__ import annotations

from faker import Faker

from shop import accounts, demo, quotes, reviews, settings
from shop.auth import Actor, Role
from shop.models import Appointment, Customer, Service, Vehicle

DEMO_PASSWORD = "portal-demo-pass"
REVIEW_TEXTS = [
    (5, "Quick, friendly and exactly the price quoted. The car was ready before lunch."),
    (5, "They showed me the worn pads before replacing them. Honest work."),
    (4, "Good service; I had to wait a little at pick-up."),
    (5, "Booked online in a minute, in and out the same morning."),
]


@demo.step
def portal_customer(fake: Faker) -> list[demo.Login]:
    """A customer with past and upcoming visits gets a portal log-in; the About page gets its text."""
    settings.set_value(
        "portal.about",
        "Kessler Autoservice has looked after cars in Berlin-Mitte since 1987: servicing, brakes, tyres,"
        " air conditioning and inspections for every make.\n\nWe explain what we find before we fix it,"
        " and the price we quote is the price you pay.",
    )
    completed = (
        Appointment.select(Appointment.customer)
        .join(Customer)
        .where(Appointment.status == "completed", Customer.email.is_null(False))
        .order_by(Appointment.customer)
    )
    customer_ids = list(dict.fromkeys(a.customer_id for a in completed))
    if not customer_ids:
        return []
    upcoming = {
        a.customer_id for a in Appointment.select(Appointment.customer).where(Appointment.status == "scheduled")
    }
    chosen = next((c for c in customer_ids if c in upcoming), customer_ids[0])
    account = accounts.create_confirmed_account(chosen, DEMO_PASSWORD)
    # A quote to answer and then book online (Quotes → accept → Choose a time), the portal's quote flow.
    car = Vehicle.select().where(Vehicle.customer == chosen, ~Vehicle.archived).order_by(Vehicle.id).first()
    service = (
        Service.select()
        .where(Service.active, Service.requires_capability.is_null())
        .order_by(Service.duration_minutes.desc(), Service.id)
        .first()
    )
    if car is not None and service is not None:
        quote = quotes.create_quote(chosen, car.id, notes="Found at your last visit")
        quotes.add_line(quote.id, "service", service=service.id)
        quotes.send(quote.id)
    # Reviews from other customers' completed visits, so the public page is not empty.
    written = 0
    for appointment in Appointment.select().where(Appointment.status == "completed").order_by(Appointment.id):
        if written >= len(REVIEW_TEXTS) or appointment.customer_id == chosen:
            continue
        rating, text = REVIEW_TEXTS[written]
        actor = Actor(role=Role.CUSTOMER, name="demo", customer_id=appointment.customer_id)
        if reviews.review_for_appointment(appointment.id, actor=actor) is None:
            reviews.submit_review(appointment.id, rating, text, publish=True, actor=actor)
            written += 1
    return [{"username": account.email, "password": DEMO_PASSWORD, "role": "customer portal"}]
