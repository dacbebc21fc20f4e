"""The domain events areas publish (see `shop.events`). Plain ids only: subscribers load what they need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AppointmentBooked:
    appointment_id: int


@dataclass(frozen=True)
class AppointmentRescheduled:
    appointment_id: int
    old_start: datetime


@dataclass(frozen=True)
class AppointmentCancelled:
    appointment_id: int
    by_customer: bool


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
