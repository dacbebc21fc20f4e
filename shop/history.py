"""A customer's history at a glance: visits past and upcoming, quotes, invoices and reviews.

The front desk opens it for every customer it looks at, so it reads each kind in one query (plus one
for appointment and quote lines): a handful of queries whatever the length of the history, never one
per visit. A section the caller's role may not read (invoices for a mechanic) comes back as None
instead of refusing the whole view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from shop import booking, clock, customers, invoices, quotes, reviews
from shop.auth import SYSTEM, Actor, can, require
from shop.booking import Appointment
from shop.invoices import InvoiceSummary
from shop.quotes import QuoteSummary
from shop.reviews import ReviewInfo

PAST_LIMIT = 50  # past visits shown; `past_total` says how many there are in all
IN_WORKSHOP = ("checked_in", "in_progress", "waiting_parts")


@dataclass(frozen=True)
class CustomerHistory:
    customer_id: int
    upcoming: tuple[Appointment, ...]  # booked ahead or in the workshop now, soonest first
    past: tuple[Appointment, ...]  # completed, cancelled, missed (or booked and overdue), newest first
    past_total: int
    quotes: tuple[QuoteSummary, ...] | None  # newest first; None: the role may not read quotes
    invoices: tuple[InvoiceSummary, ...] | None  # newest first, credit notes included
    reviews: tuple[ReviewInfo, ...] | None  # newest first

    @property
    def unpaid(self) -> Decimal:
        """What the customer still owes on issued invoices (zero when the role may not see invoices)."""
        return sum((i.due for i in self.invoices or () if is_unpaid(i)), Decimal("0.00"))


def is_unpaid(invoice: InvoiceSummary) -> bool:
    """An issued invoice with money still due (drafts are not owed yet; credit notes are never owed)."""
    return invoice.kind == "invoice" and invoice.status == "issued" and invoice.due > 0


def _open(a: Appointment, now: datetime) -> bool:
    return a.status in IN_WORKSHOP or (a.status == "scheduled" and a.end > now)


def customer_history(customer_id: int, actor: Actor = SYSTEM, past_limit: int = PAST_LIMIT) -> CustomerHistory:
    require(actor, "customer.read")
    customers.get_customer(customer_id, actor=actor)  # NotFound for an unknown id
    visits = booking.list_appointments(customer_id=customer_id, actor=actor)  # by start time
    now = clock.now()
    upcoming = tuple(a for a in visits if _open(a, now))
    past = [a for a in reversed(visits) if not _open(a, now)]
    return CustomerHistory(
        customer_id=customer_id,
        upcoming=upcoming,
        past=tuple(past[:past_limit]),
        past_total=len(past),
        quotes=(tuple(quotes.list_quotes(customer_id=customer_id, actor=actor)) if can(actor, "quote.read") else None),
        invoices=(
            tuple(invoices.list_invoices(customer_id=customer_id, actor=actor)) if can(actor, "invoice.read") else None
        ),
        reviews=(
            tuple(reviews.list_reviews(customer_id=customer_id, actor=actor)) if can(actor, "review.read") else None
        ),
    )
