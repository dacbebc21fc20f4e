from __future__ import annotations

from peewee import CompositeKey, ForeignKeyField, IntegerField, TextField

from shop.models.base import BaseModel, UTCDateTimeField
from shop.models.catalog import Service


class OutboxMessage(BaseModel):
    kind = TextField()
    channel = TextField()  # email | sms
    recipient = TextField()
    subject = TextField()
    body_text = TextField()
    body_html = TextField()
    # JSON list: {"filename", "content_type", "data" (base64)} stored, or {"generate", "id"} built at send time
    attachments = TextField(default="[]")
    dedupe_key = TextField(null=True, unique=True)
    entity = TextField(null=True)
    entity_id = IntegerField(null=True)
    customer_id = IntegerField(null=True)
    status = TextField()  # pending | sending | sent | failed | dead | dropped
    attempts = IntegerField(default=0)
    next_attempt_at = UTCDateTimeField()
    give_up_at = UTCDateTimeField()  # a message still failing then is dead
    claimed_until = UTCDateTimeField(null=True)
    claim_token = TextField(null=True)
    last_error = TextField(default="")
    message_id = TextField(unique=True)
    created_at = UTCDateTimeField()
    sent_at = UTCDateTimeField(null=True)


class NotificationTemplate(BaseModel):
    kind = TextField()
    part = TextField()  # subject | text | html | sms
    body = TextField()
    updated_at = UTCDateTimeField()

    class Meta:
        primary_key = CompositeKey("kind", "part")


class ServiceInterval(BaseModel):
    """How often a service is due again: after MONTHS, or after KM driven, whichever comes first."""

    service = ForeignKeyField(Service, primary_key=True, column_name="service_id")
    months = IntegerField(null=True)
    km = IntegerField(null=True)
    updated_at = UTCDateTimeField()
