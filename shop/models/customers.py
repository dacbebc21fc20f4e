from __future__ import annotations

from peewee import BooleanField, ForeignKeyField, IntegerField, TextField

from shop.models.base import BaseModel, UTCDateTimeField


class Customer(BaseModel):
    name = TextField()
    phone = TextField(null=True)  # E.164
    email = TextField(null=True)  # normalised, unique when present
    address = TextField(default="")
    notes = TextField(default="")
    # Lower-cased name, phone digits, e-mail, plates and VINs: one indexed-free scan serves search.
    search_text = TextField(default="")
    archived = BooleanField(default=False)
    version = IntegerField(default=1)
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()
    # Notifications (migration 0004): how the customer wants to hear from us, and whether to get reminders.
    contact_channel = TextField(default="email")  # email | sms | none
    reminders_wanted = BooleanField(default=True)


class Vehicle(BaseModel):
    customer = ForeignKeyField(Customer, backref="vehicles", column_name="customer_id")
    make = TextField()
    model = TextField()
    year = IntegerField(null=True)
    vin = TextField(null=True)
    plate = TextField(null=True)
    colour = TextField(default="")
    mileage = IntegerField(null=True)
    archived = BooleanField(default=False)
    version = IntegerField(default=1)
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()


class MileageReading(BaseModel):
    vehicle = ForeignKeyField(Vehicle, backref="readings", column_name="vehicle_id")
    mileage = IntegerField()
    at = UTCDateTimeField()
    source = TextField()
