from __future__ import annotations

from peewee import BooleanField, IntegerField, TextField

from shop.models.base import BaseModel, UTCDateTimeField


class Setting(BaseModel):
    key = TextField(primary_key=True)
    value = TextField()
    updated_at = UTCDateTimeField()


class Staff(BaseModel):
    username = TextField(unique=True)
    full_name = TextField()
    role = TextField()
    password_hash = TextField()
    email = TextField(null=True)
    active = BooleanField(default=True)
    created_at = UTCDateTimeField()


class AuditLog(BaseModel):
    at = UTCDateTimeField()
    actor = TextField()
    action = TextField()
    entity = TextField()
    entity_id = IntegerField(null=True)
    details = TextField(default="{}")
