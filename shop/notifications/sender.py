"""`garage notify send` / `worker`: claim due messages, deliver them, record the outcome.

No business transaction is open while a message is on the wire: claiming, and recording each
outcome, are short transactions of their own. The SMTP server may accept a message and the
process die before `sent` is recorded; the lease then runs out and the message goes out once
more with the same Message-ID (at most one duplicate, which mail clients collapse).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from shop import settings
from shop.auth import SYSTEM, Actor, require
from shop.errors import ConfigError, ValidationError
from shop.notifications import outbox
from shop.notifications.transport import (
    DeliveryError,
    Mailer,
    SmsConfig,
    build_email,
    resolve,
    send_sms_webhook,
    sms_gateway_address,
    smtp_config,
)

_SETTING_KEYS = (
    "smtp.host",
    "smtp.port",
    "smtp.security",
    "smtp.user",
    "smtp.password",
    "smtp.from",
    "smtp.timeout",
    "shop.email",
    "shop.name",
    "sms.gateway",
    "sms.webhook_url",
    "sms.webhook_token",
    "sms.email_pattern",
)


@dataclass(frozen=True)
class SendResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)


def _load_generators() -> None:
    # Modules that register attachment generators (e.g. the invoice PDF) are the subscriber modules.
    from shop import events

    events._load()


class _Delivery:
    def __init__(self) -> None:
        values = settings.get_many(*_SETTING_KEYS)
        self.values = values
        self._mailer: Mailer | None = None
        self.sms = SmsConfig(
            values["sms.gateway"], values["sms.webhook_url"], values["sms.webhook_token"], values["sms.email_pattern"]
        )

    @property
    def mailer(self) -> Mailer:
        if self._mailer is None:
            try:
                self._mailer = Mailer(smtp_config(self.values))
            except ConfigError as exc:
                raise DeliveryError(str(exc), connection=True) from None
        return self._mailer

    def deliver(self, message: outbox.MessageBody) -> None:
        if message.channel == "sms":
            self._deliver_sms(message)
            return
        files = [resolve(a) for a in message.attachments]
        self._mail(message.recipient, message.subject, message.body_text, message.body_html, message.message_id, files)

    def _mail(self, recipient: str, subject: str, text: str, html: str, message_id: str, files) -> None:  # type: ignore[no-untyped-def]
        msg = build_email(self.mailer.config, recipient, subject, text, html, message_id, files)
        self.mailer.send(msg, recipient)

    def _deliver_sms(self, message: outbox.MessageBody) -> None:
        gateway = self.sms.gateway
        if gateway == "webhook":
            send_sms_webhook(self.sms, message.recipient, message.body_text, message.message_id)
        elif gateway == "email":
            address = sms_gateway_address(self.sms.email_pattern, message.recipient)
            self._mail(address, message.subject, message.body_text, "", message.message_id, [])
        else:
            raise DeliveryError("sms.gateway is none: no SMS back end is configured", permanent=True)

    def close(self) -> None:
        if self._mailer is not None:
            self._mailer.close()


def send_due(limit: int | None = None, batch: int = 50, actor: Actor = SYSTEM) -> SendResult:
    """Deliver due messages (at most LIMIT) and return what happened.

    A connection-level failure (server down, login refused) stops the run after recording it
    on the messages already claimed; they wait for their next attempt.
    """
    require(actor, "notify.write")
    if limit is not None and limit < 1:
        raise ValidationError({"limit": "must be at least 1"})
    _load_generators()
    token = uuid.uuid4().hex
    delivery = _Delivery()
    claimed = sent = failed = dead = 0
    errors: list[str] = []
    try:
        while limit is None or claimed < limit:
            size = batch if limit is None else min(batch, limit - claimed)
            messages = outbox.claim(size, token)
            if not messages:
                break
            claimed += len(messages)
            down: DeliveryError | None = None
            for message in messages:
                if down is not None:
                    # The server is unreachable: this message waits for its next attempt too.
                    state = outbox.mark_failed(message.id, token, str(down))
                    failed += state == "failed"
                    dead += state == "dead"
                    continue
                try:
                    delivery.deliver(message)
                except DeliveryError as exc:
                    state = outbox.mark_failed(message.id, token, str(exc), permanent=exc.permanent)
                    failed += state == "failed"
                    dead += state == "dead"
                    errors.append(f"message {message.id}: {exc}")
                    if exc.connection:
                        down = exc
                except Exception as exc:  # a broken template or generator must not stop the queue
                    state = outbox.mark_failed(message.id, token, f"{type(exc).__name__}: {exc}")
                    failed += state == "failed"
                    dead += state == "dead"
                    errors.append(f"message {message.id}: {type(exc).__name__}: {exc}")
                else:
                    if outbox.mark_sent(message.id, token):
                        sent += 1
            if down is not None:
                break
    finally:
        delivery.close()
    return SendResult(claimed, sent, failed, dead, errors)


def worker(
    interval: float = 30.0,
    batch: int = 50,
    should_stop: Callable[[], bool] = lambda: False,
    on_result: Callable[[SendResult], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    extra: Callable[[], None] | None = None,
) -> None:
    """Send due messages every INTERVAL seconds until SHOULD_STOP says so (or Ctrl-C / SIGTERM)."""
    if interval <= 0:
        raise ValidationError({"interval": "must be more than 0 seconds"})
    while not should_stop():
        if extra is not None:
            extra()
        result = send_due(batch=batch)
        if on_result is not None:
            on_result(result)
        if should_stop():
            break
        if result.claimed < batch or result.errors:
            sleep(interval)


def send_test_mail(recipient: str, actor: Actor = SYSTEM) -> str:
    """Send one message right now (not through the outbox) to check the SMTP settings; returns its Message-ID."""
    from email.utils import make_msgid

    require(actor, "notify.write")
    if "@" not in recipient or recipient.strip() != recipient or " " in recipient:
        raise ValidationError({"to": f"{recipient!r} is not an e-mail address"})
    delivery = _Delivery()
    domain = (delivery.values["smtp.from"] or delivery.values["shop.email"]).rpartition("@")[2] or "garage.invalid"
    message_id = make_msgid(idstring="test", domain=domain)
    name = delivery.values["shop.name"]
    try:
        cfg = delivery.mailer.config
        text = (
            f"This is a test message from {name}.\n\n"
            f"It went through {cfg.host}:{cfg.port} ({cfg.security}) as {cfg.sender}.\n"
            "If you can read it, the shop's e-mail settings work.\n"
        )
        delivery._mail(recipient, f"{name}: test message", text, "", message_id, [])
    except DeliveryError as exc:
        raise ConfigError(f"test mail to {recipient} failed: {exc}") from None
    finally:
        delivery.close()
    return message_id
