"""The domain events areas publish (see `shop.events`). Plain ids: subscribers load what they need.

An appointment event may also carry the appointment as its publisher built it (`appointment`):
subscribers run inside the publisher's transaction, so it is what a read would return, and the
notification rules render from it instead of reading it back (see docs/performance.md, Booking).
It is left out of the event's repr and equality, which stay those of the ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shop.booking import Appointment


@dataclass(frozen=True)
class AppointmentBooked:
    appointment_id: int
    appointment: Appointment | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class AppointmentRescheduled:
    appointment_id: int
    old_start: datetime
    appointment: Appointment | None = field(default=None, repr=False, compare=False)  # as moved


@dataclass(frozen=True)
class AppointmentCancelled:
    appointment_id: int
    by_customer: bool
    appointment: Appointment | None = field(default=None, repr=False, compare=False)  # as cancelled


@dataclass(frozen=True)
class AppointmentStatusChanged:
    """Any status move (checked_in, in_progress, waiting_parts, completed, no_show ...)."""

    appointment_id: int
    old_status: str
    new_status: str


@dataclass(frozen=True)
class QuoteSent:
    quote_id: int


@dataclass(frozen=True)
class InvoiceIssued:
    invoice_id: int


@dataclass(frozen=True)
class CustomerAccountCreated:
    customer_id: int
    email: str
    token: str = ""  # the e-mail verification token: the link is {portal}/verify?token=TOKEN


@dataclass(frozen=True)
class PasswordResetRequested:
    customer_id: int
    email: str
    token: str  # the link is {portal}/reset?token=TOKEN


@dataclass(frozen=True)
class EmailChangeRequested:
    """A customer asked to change their log-in address: a link goes to the new one, a notice to the old."""

    customer_id: int
    old_email: str
    new_email: str
    token: str  # the link is {portal}/account/email/confirm?token=TOKEN
