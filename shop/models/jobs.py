from __future__ import annotations

from peewee import ForeignKeyField, IntegerField, TextField

from shop.models.base import BaseModel, MoneyField, UTCDateTimeField
from shop.models.booking import Appointment
from shop.models.inventory import Part, QuantityField, StockMovement
from shop.models.system import Staff


class Job(BaseModel):
    appointment = ForeignKeyField(Appointment, unique=True, backref="jobs", column_name="appointment_id")
    mechanic = ForeignKeyField(Staff, null=True, column_name="mechanic_id")
    mileage = IntegerField(null=True)
    complaint = TextField(default="")
    checked_in_at = UTCDateTimeField()
    completed_at = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField()


class JobNote(BaseModel):
    job = ForeignKeyField(Job, backref="notes", column_name="job_id")
    at = UTCDateTimeField()
    author = TextField()
    text = TextField()


class JobLabour(BaseModel):
    job = ForeignKeyField(Job, backref="labour", column_name="job_id")
    mechanic = ForeignKeyField(Staff, null=True, column_name="mechanic_id")
    description = TextField()
    hours = QuantityField()
    rate = MoneyField()
    at = UTCDateTimeField()


class JobPart(BaseModel):
    job = ForeignKeyField(Job, backref="parts", column_name="job_id")
    part = ForeignKeyField(Part, column_name="part_id")
    movement = ForeignKeyField(StockMovement, unique=True, column_name="movement_id")
    quantity = QuantityField()
    unit_price = MoneyField()
    at = UTCDateTimeField()


class TimeEntry(BaseModel):
    job = ForeignKeyField(Job, backref="time_entries", column_name="job_id")
    mechanic = ForeignKeyField(Staff, column_name="mechanic_id")
    started_at = UTCDateTimeField()
    ended_at = UTCDateTimeField(null=True)
    seconds = IntegerField(null=True)
