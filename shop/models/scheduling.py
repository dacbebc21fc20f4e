from __future__ import annotations

from peewee import BooleanField, DateField, ForeignKeyField, IntegerField, TextField

from shop.models.base import BaseModel, UTCDateTimeField
from shop.models.system import Staff


class OpeningHours(BaseModel):
    weekday = IntegerField()  # 0 = Monday
    start_minute = IntegerField()  # minutes after local midnight
    end_minute = IntegerField()


class Closure(BaseModel):
    start_date = DateField()
    end_date = DateField()
    reason = TextField()
    created_at = UTCDateTimeField()


class Bay(BaseModel):
    name = TextField(unique=True)
    capabilities = TextField(default="")  # comma-separated, sorted, lower-case
    active = BooleanField(default=True)
    position = IntegerField(default=0)
    created_at = UTCDateTimeField()


class MechanicHours(BaseModel):
    staff = ForeignKeyField(Staff, backref="working_hours", column_name="staff_id")
    weekday = IntegerField()
    start_minute = IntegerField()
    end_minute = IntegerField()


class TimeOff(BaseModel):
    staff = ForeignKeyField(Staff, backref="time_off", column_name="staff_id")
    start_at = UTCDateTimeField()
    end_at = UTCDateTimeField()
    reason = TextField(default="")
