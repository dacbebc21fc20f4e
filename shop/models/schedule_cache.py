from __future__ import annotations

from peewee import IntegerField, TextField

from shop.models.base import BaseModel


class ScheduleVersion(BaseModel):
    """Change counters maintained by triggers (migration 0040); read by `shop.schedule_cache`."""

    scope = TextField(primary_key=True)  # 'config' or a UTC date 'YYYY-MM-DD'
    version = IntegerField()
