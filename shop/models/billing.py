from __future__ import annotations

from peewee import CompositeKey, DateField, ForeignKeyField, IntegerField, TextField

from shop.models.base import BaseModel, MoneyField, UTCDateTimeField
from shop.models.booking import Appointment
from shop.models.catalog import Service
from shop.models.customers import Customer, Vehicle
from shop.models.inventory import Part, QuantityField
from shop.models.jobs import Job


class Quote(BaseModel):
    customer = ForeignKeyField(Customer, column_name="customer_id")
    vehicle = ForeignKeyField(Vehicle, null=True, column_name="vehicle_id")
    status = TextField(default="draft")
    valid_until = DateField(null=True)
    notes = TextField(default="")
    created_at = UTCDateTimeField()
    sent_at = UTCDateTimeField(null=True)
    decided_at = UTCDateTimeField(null=True)
    # The appointment the quote was booked as, or made for (one at a time: a cancelled one frees the quote).
    appointment = ForeignKeyField(Appointment, null=True, backref="quotes", column_name="appointment_id")


class DocumentLine(BaseModel):
    """Columns shared by quote and invoice lines (see `shop.lines`)."""

    position = IntegerField()
    kind = TextField()
    service = ForeignKeyField(Service, null=True, column_name="service_id")
    part = ForeignKeyField(Part, null=True, column_name="part_id")
    description = TextField()
    quantity = QuantityField()
    unit_price = MoneyField()
    tax_rate = QuantityField()
    amount = MoneyField()  # rounded net of the line; negative for discounts and on credit notes


class QuoteLine(DocumentLine):
    quote = ForeignKeyField(Quote, backref="lines", column_name="quote_id", on_delete="CASCADE")
    decision = TextField(default="pending")
    decided_at = UTCDateTimeField(null=True)


class Invoice(BaseModel):
    kind = TextField(default="invoice")
    number = TextField(null=True, unique=True)
    year = IntegerField(null=True)
    sequence = IntegerField(null=True)
    status = TextField(default="draft")
    customer = ForeignKeyField(Customer, column_name="customer_id")
    vehicle = ForeignKeyField(Vehicle, null=True, column_name="vehicle_id")
    quote = ForeignKeyField(Quote, null=True, column_name="quote_id")
    credit_of = ForeignKeyField("self", null=True, column_name="credit_of_id", backref="credit_notes")
    job = ForeignKeyField(Job, null=True, column_name="job_id", backref="invoices")
    mileage = IntegerField(null=True)
    notes = TextField(default="")
    reason = TextField(default="")
    issue_date = DateField(null=True)
    due_date = DateField(null=True)
    issued_at = UTCDateTimeField(null=True)
    net = MoneyField()
    tax = MoneyField()
    total = MoneyField()
    paid = MoneyField()
    credited = MoneyField()
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()


class InvoiceLine(DocumentLine):
    invoice = ForeignKeyField(Invoice, backref="lines", column_name="invoice_id", on_delete="CASCADE")


class Payment(BaseModel):
    invoice = ForeignKeyField(Invoice, backref="payments", column_name="invoice_id")
    amount = MoneyField()
    method = TextField()
    paid_on = DateField()
    reference = TextField(default="")
    actor = TextField()
    at = UTCDateTimeField()


class DocumentCounter(BaseModel):
    """The last number issued per series and year; its row is locked while a number is assigned."""

    series = TextField()
    year = IntegerField()
    last = IntegerField()

    class Meta:
        primary_key = CompositeKey("series", "year")
