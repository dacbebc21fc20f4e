from __future__ import annotations

from peewee import BooleanField, ForeignKeyField, IntegerField, TextField

from shop.models.base import BaseModel, MoneyField, UTCDateTimeField


class ServiceCategory(BaseModel):
    name = TextField(unique=True)
    position = IntegerField(default=0)


class Service(BaseModel):
    category = ForeignKeyField(ServiceCategory, backref="services", column_name="category_id")
    name = TextField(unique=True)
    description = TextField(default="")
    duration_minutes = IntegerField()
    price = MoneyField()
    requires_capability = TextField(null=True)
    active = BooleanField(default=True)
    created_at = UTCDateTimeField()
