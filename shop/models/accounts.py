from __future__ import annotations

from peewee import ForeignKeyField, IntegerField, TextField

from shop.models.base import BaseModel, UTCDateTimeField
from shop.models.customers import Customer


class CustomerAccount(BaseModel):
    customer = ForeignKeyField(Customer, unique=True, backref="accounts", column_name="customer_id")
    email = TextField(unique=True)
    password_hash = TextField()
    email_verified_at = UTCDateTimeField(null=True)
    password_changed_at = UTCDateTimeField()
    created_at = UTCDateTimeField()


class PortalSession(BaseModel):
    token_hash = TextField(unique=True)
    account = ForeignKeyField(CustomerAccount, null=True, backref="sessions", column_name="account_id")
    csrf_token = TextField()
    created_at = UTCDateTimeField()
    last_seen_at = UTCDateTimeField()


class AccountToken(BaseModel):
    token_hash = TextField(unique=True)
    account = ForeignKeyField(CustomerAccount, backref="tokens", column_name="account_id")
    purpose = TextField()  # verify | reset | email
    created_at = UTCDateTimeField()
    expires_at = UTCDateTimeField()
    used_at = UTCDateTimeField(null=True)
    new_email = TextField(null=True)  # purpose 'email': the address the link will set


class LoginThrottle(BaseModel):
    key = TextField(primary_key=True)
    failures = IntegerField()
    last_failure_at = UTCDateTimeField()
    locked_until = UTCDateTimeField(null=True)
