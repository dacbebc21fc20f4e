from __future__ import annotations

from peewee import ForeignKeyField, IntegerField, TextField

from shop.models.base import BaseModel, MoneyField, UTCDateTimeField
from shop.models.catalog import Service
from shop.models.customers import Customer, Vehicle
from shop.models.scheduling import Bay
from shop.models.system import Staff


class Appointment(BaseModel):
    customer = ForeignKeyField(Customer, backref="appointments", column_name="customer_id")
    vehicle = ForeignKeyField(Vehicle, backref="appointments", column_name="vehicle_id")
    bay = ForeignKeyField(Bay, backref="appointments", column_name="bay_id")
    mechanic = ForeignKeyField(Staff, null=True, backref="appointments", column_name="mechanic_id")
    start_at = UTCDateTimeField()
    end_at = UTCDateTimeField()  # end of the work
    block_end_at = UTCDateTimeField()  # end of the work plus the buffer: the bay is occupied until then
    status = TextField()
    source = TextField()
    notes = TextField(default="")
    idempotency_key = TextField(null=True, unique=True)
    reschedule_count = IntegerField(default=0)
    total_price = MoneyField()
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()


class AppointmentService(BaseModel):
    appointment = ForeignKeyField(Appointment, backref="lines", column_name="appointment_id")
    service = ForeignKeyField(Service, column_name="service_id")
    position = IntegerField()
    name = TextField()
    duration_minutes = IntegerField()
    price = MoneyField()


class AppointmentHistory(BaseModel):
    appointment = ForeignKeyField(Appointment, backref="history", column_name="appointment_id")
    at = UTCDateTimeField()
    actor = TextField()
    kind = TextField()  # booked, status, rescheduled
    from_status = TextField(null=True)
    to_status = TextField()
    note = TextField(default="")
