"""Peewee models. Only `shop` imports these; front ends get dataclasses from the services."""

from shop.models.accounts import AccountToken, CustomerAccount, LoginThrottle, PortalSession
from shop.models.base import BaseModel
from shop.models.billing import DocumentCounter, Invoice, InvoiceLine, Payment, Quote, QuoteLine
from shop.models.booking import Appointment, AppointmentHistory, AppointmentService
from shop.models.catalog import Service, ServiceCategory
from shop.models.customers import Customer, MileageReading, Vehicle
from shop.models.inventory import Part, StockMovement
from shop.models.jobs import Job, JobLabour, JobNote, JobPart, TimeEntry
from shop.models.notifications import NotificationTemplate, OutboxMessage, ServiceInterval
from shop.models.reviews import Review
from shop.models.schedule_cache import ScheduleVersion
from shop.models.scheduling import Bay, Closure, MechanicHours, OpeningHours, TimeOff
from shop.models.system import AuditLog, Setting, Staff

ALL_MODELS: list[type[BaseModel]] = [
    Setting,
    Staff,
    AuditLog,
    Customer,
    Vehicle,
    MileageReading,
    ServiceCategory,
    Service,
    Part,
    StockMovement,
    OutboxMessage,
    NotificationTemplate,
    ServiceInterval,
    OpeningHours,
    Closure,
    Bay,
    MechanicHours,
    TimeOff,
    Appointment,
    AppointmentService,
    AppointmentHistory,
    CustomerAccount,
    PortalSession,
    AccountToken,
    LoginThrottle,
    Quote,
    QuoteLine,
    Invoice,
    InvoiceLine,
    Payment,
    DocumentCounter,
    Job,
    JobNote,
    JobLabour,
    JobPart,
    TimeEntry,
    ScheduleVersion,
]

__all__ = [
    "ALL_MODELS",
    "AccountToken",
    "Appointment",
    "AppointmentHistory",
    "AppointmentService",
    "AuditLog",
    "BaseModel",
    "Bay",
    "Closure",
    "Customer",
    "CustomerAccount",
    "DocumentCounter",
    "Invoice",
    "InvoiceLine",
    "Job",
    "JobLabour",
    "JobNote",
    "JobPart",
    "LoginThrottle",
    "MechanicHours",
    "MileageReading",
    "NotificationTemplate",
    "OpeningHours",
    "OutboxMessage",
    "Part",
    "Payment",
    "PortalSession",
    "Quote",
    "QuoteLine",
    "Review",
    "ScheduleVersion",
    "Service",
    "ServiceCategory",
    "ServiceInterval",
    "Setting",
    "Staff",
    "StockMovement",
    "TimeEntry",
    "TimeOff",
    "Vehicle",
]
