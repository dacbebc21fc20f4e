from __future__ import annotations

from peewee import BooleanField, ForeignKeyField, IntegerField, TextField

from shop.models.base import BaseModel, UTCDateTimeField
from shop.models.booking import Appointment
from shop.models.customers import Customer


class Review(BaseModel):
    appointment = ForeignKeyField(Appointment, unique=True, column_name="appointment_id")
    customer = ForeignKeyField(Customer, column_name="customer_id")
    rating = IntegerField()
    comment = TextField()
    publish_requested = BooleanField()
    status = TextField()  # published, private, hidden
    reply = TextField(default="")
    replied_at = UTCDateTimeField(null=True)
    replied_by = TextField(null=True)
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()
