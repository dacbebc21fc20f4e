from __future__ import annotations

from peewee import BooleanField, ForeignKeyField, IntegerField, TextField

from shop.models.base import BaseModel, MoneyField, UTCDateTimeField


class QuantityField(MoneyField):
    """A `Decimal` quantity with two places (litres, hours, pieces) stored as integer hundredths."""


class Part(BaseModel):
    sku = TextField(unique=True)
    name = TextField()
    supplier = TextField(default="")
    unit_cost = MoneyField()
    price = MoneyField()
    reorder_level = QuantityField()
    reorder_quantity = QuantityField()
    bin_location = TextField(default="")
    active = BooleanField(default=True)
    allow_backorder = BooleanField(default=False)
    on_hand = QuantityField()
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()


class StockMovement(BaseModel):
    part = ForeignKeyField(Part, backref="movements", column_name="part_id")
    kind = TextField()
    quantity = QuantityField()
    balance = QuantityField()
    unit_cost = MoneyField()
    reason = TextField(default="")
    reference = TextField(default="")
    job_id = IntegerField(null=True)
    invoice_id = IntegerField(null=True)  # set when an invoice took the parts (or its credit note returned them)
    actor = TextField()
    at = UTCDateTimeField()
