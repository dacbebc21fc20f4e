"""How each customer wants to hear from the shop: e-mail, SMS or not at all, and whether reminders are welcome.

Stored on the customer (columns added by migration 0004). Messages the customer asked for
themselves (account confirmation, password reset) always go by e-mail, whatever the choice.
"""

from __future__ import annotations

from dataclasses import dataclass

from shop import audit, clock
from shop.auth import SYSTEM, Actor, Role, require
from shop.db import database, is_postgres, transaction
from shop.errors import Forbidden, NotFound, ValidationError
from shop.models import Customer

CHANNELS = ("email", "sms", "none")


@dataclass(frozen=True)
class Contact:
    customer_id: int
    name: str
    email: str | None
    phone: str | None
    channel: str  # email | sms | none
    reminders: bool


def _row(customer_id: int) -> Customer:
    row = Customer.get_or_none(Customer.id == customer_id)
    if row is None:
        raise NotFound(f"customer {customer_id} not found")
    return row


def _contact(row: Customer) -> Contact:
    return Contact(row.id, row.name, row.email, row.phone, row.contact_channel, bool(row.reminders_wanted))


def _may(actor: Actor, customer_id: int, action: str) -> None:
    if actor.role == Role.CUSTOMER:
        if actor.customer_id != customer_id:
            raise Forbidden("customers may only see and change their own contact preferences")
        return
    require(actor, action)


def get_contact(customer_id: int, actor: Actor = SYSTEM) -> Contact:
    """The customer's name, addresses and choices, as stored now: every message reads them (inside
    the transaction that causes it), so it is one plain query for just these columns; the ORM's SQL
    compilation for the whole customer row cost more than the query."""
    _may(actor, customer_id, "customer.read")
    mark = "%s" if is_postgres() else "?"
    found = database.execute_sql(
        "SELECT id, name, email, phone, contact_channel, reminders_wanted"
        f" FROM {Customer._meta.table_name} WHERE id = {mark}",
        (customer_id,),
    ).fetchone()
    if found is None:
        raise NotFound(f"customer {customer_id} not found")
    return Contact(found[0], found[1], found[2], found[3], found[4], bool(found[5]))


@transaction
def set_preferences(
    customer_id: int, channel: str | None = None, reminders: bool | None = None, actor: Actor = SYSTEM
) -> Contact:
    """Change the channel (email, sms, none) and/or the reminder opt-in; SMS needs a phone number."""
    _may(actor, customer_id, "customer.write")
    row = _row(customer_id)
    changes: dict[str, object] = {}
    if channel is not None:
        channel = channel.strip().lower()
        if channel not in CHANNELS:
            raise ValidationError({"channel": f"{channel!r} is not one of {', '.join(CHANNELS)}"})
        if channel == "sms" and not row.phone:
            raise ValidationError({"channel": "SMS needs a phone number on the customer"})
        if channel == "email" and not row.email:
            raise ValidationError({"channel": "e-mail needs an e-mail address on the customer"})
        changes["contact_channel"] = channel
    if reminders is not None:
        changes["reminders_wanted"] = bool(reminders)
    if changes:
        changes_db = {**changes, "version": Customer.version + 1, "updated_at": clock.now()}
        Customer.update(**changes_db).where(Customer.id == customer_id).execute()
        audit.record(actor, "customer.preferences", "customer", customer_id, **changes)
    return _contact(_row(customer_id))
