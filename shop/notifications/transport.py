"""Delivery back ends: e-mail over SMTP (yagmail's connection handling) and SMS gateways.

The MIME message is built with the standard library so a message can carry a proper
multipart/alternative (text, HTML, ``text/calendar; method=...``) plus attachments, and the
stable Message-ID of the outbox row; yagmail opens the connection (SSL, STARTTLS or plain),
logs in and hands it to ``smtplib``. Nothing here touches the database.
"""

from __future__ import annotations

import json
import os
import smtplib
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate

import yagmail

from shop.errors import ConfigError
from shop.notifications.outbox import Attachment

PASSWORD_ENV = "GARAGE_SMTP_PASSWORD"


class DeliveryError(Exception):
    """One message could not be delivered. `permanent` errors are not retried; `connection` ones
    mean the server itself is unreachable, so the rest of the batch should wait too."""

    def __init__(self, message: str, permanent: bool = False, connection: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.connection = connection


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # none | starttls | ssl
    user: str
    password: str
    sender: str
    sender_name: str
    timeout: int

    def __repr__(self) -> str:  # never print the password
        return f"SmtpConfig(host={self.host!r}, port={self.port}, security={self.security!r}, user={self.user!r})"


@dataclass(frozen=True)
class SmsConfig:
    gateway: str  # none | webhook | email
    webhook_url: str
    webhook_token: str
    email_pattern: str


def _keyring_password(user: str) -> str:
    try:
        import keyring  # type: ignore[import-not-found]
    except Exception:
        return ""
    try:
        return keyring.get_password("yagmail", user) or ""
    except Exception:
        return ""


def smtp_config(values: dict[str, str]) -> SmtpConfig:
    """Build the SMTP settings from the stored values; the password may come from the environment or keyring."""
    user = values["smtp.user"]
    password = values["smtp.password"] or os.environ.get(PASSWORD_ENV, "")
    if user and not password:
        password = _keyring_password(user)
        if not password:
            raise ConfigError(
                f"smtp.user is {user!r} but no password: set smtp.password, ${PASSWORD_ENV} or the keyring entry"
            )
    return SmtpConfig(
        host=values["smtp.host"],
        port=int(values["smtp.port"]),
        security=values["smtp.security"],
        user=user,
        password=password,
        sender=values["smtp.from"] or values["shop.email"],
        sender_name=values["shop.name"],
        timeout=int(values["smtp.timeout"]),
    )


GENERATORS: dict[str, Callable[[int], tuple[str, str, bytes]]] = {}


def generator(
    name: str,
) -> Callable[[Callable[[int], tuple[str, str, bytes]]], Callable[[int], tuple[str, str, bytes]]]:
    """Register a function id -> (filename, content type, bytes) that rebuilds an attachment at send time."""

    def register(fn: Callable[[int], tuple[str, str, bytes]]) -> Callable[[int], tuple[str, str, bytes]]:
        GENERATORS[name] = fn
        return fn

    return register


def resolve(attachment: Attachment) -> tuple[str, str, bytes]:
    if attachment.generate is None:
        return attachment.filename, attachment.content_type, attachment.data or b""
    fn = GENERATORS.get(attachment.generate)
    if fn is None or attachment.ref_id is None:
        raise DeliveryError(f"attachment {attachment.filename}: no generator {attachment.generate!r}", permanent=True)
    return fn(attachment.ref_id)


def build_email(
    config: SmtpConfig,
    recipient: str,
    subject: str,
    text: str,
    html: str,
    message_id: str,
    attachments: list[tuple[str, str, bytes]],
) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = formataddr((config.sender_name, config.sender))
    msg["To"] = recipient
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    calendars = [a for a in attachments if a[1].startswith("text/calendar")]
    for _name, content_type, data in calendars:
        # The invite as an alternative part (what calendar clients act on) ...
        method = content_type.partition("method=")[2].split(";")[0].strip() or "REQUEST"
        msg.add_alternative(data.decode("utf-8"), subtype="calendar", params={"method": method})
    for filename, content_type, data in attachments:
        # ... and every file, the invite included, as a plain attachment.
        main, _, sub = content_type.split(";")[0].strip().partition("/")
        if main == "text":
            main, sub = "application", "ics" if sub == "calendar" else "octet-stream"
        msg.add_attachment(data, maintype=main or "application", subtype=sub or "octet-stream", filename=filename)
    return msg


class Mailer:
    """One SMTP connection, opened on first use and reused for a batch."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._client: yagmail.SMTP | None = None

    def _connect(self) -> yagmail.SMTP:
        if self._client is not None:
            return self._client
        cfg = self.config
        client = yagmail.SMTP(
            user=cfg.user or cfg.sender,
            password=cfg.password or None,
            host=cfg.host,
            port=cfg.port,
            smtp_ssl=cfg.security == "ssl",
            smtp_starttls=cfg.security == "starttls",
            smtp_skip_login=not cfg.user,
            soft_email_validation=False,
            timeout=cfg.timeout,
        )
        try:
            client.login()
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(
                f"SMTP login refused: {exc.smtp_code} {_decode(exc.smtp_error)}", connection=True
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"cannot connect to {cfg.host}:{cfg.port}: {_describe(exc)}", connection=True) from None
        self._client = client
        return client

    def send(self, msg: EmailMessage, recipient: str) -> None:
        client = self._connect()
        try:
            refused = client.smtp.send_message(msg, from_addr=self.config.sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, why = next(iter(exc.recipients.values()))
            raise DeliveryError(f"recipient refused: {code} {_decode(why)}", permanent=code >= 500) from None
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise DeliveryError(
                f"SMTP error {exc.smtp_code} {_decode(exc.smtp_error)}", permanent=exc.smtp_code >= 500
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise DeliveryError(f"SMTP connection lost: {_describe(exc)}", connection=True) from None
        if refused:
            code, why = next(iter(refused.values()))
            raise DeliveryError(f"recipient refused: {code} {_decode(why)}", permanent=code >= 500)

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.smtp.quit()
            except Exception:
                pass
            self._client = None


def _decode(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def send_sms_webhook(config: SmsConfig, number: str, text: str, message_id: str, timeout: int = 15) -> None:
    """POST {"to", "text", "message_id"} as JSON; 2xx is success, 4xx (but 408/429) is permanent."""
    if not config.webhook_url:
        raise DeliveryError("sms.webhook_url is not set", permanent=True)
    body = json.dumps({"to": number, "text": text, "message_id": message_id}).encode("utf-8")
    request = urllib.request.Request(config.webhook_url, data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("Idempotency-Key", message_id)
    if config.webhook_token:
        request.add_header("Authorization", f"Bearer {config.webhook_token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        permanent = 400 <= exc.code < 500 and exc.code not in (408, 425, 429)
        raise DeliveryError(f"SMS webhook answered {exc.code} {exc.reason}", permanent=permanent) from None
    except (TimeoutError, urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"SMS webhook unreachable: {reason}", connection=True) from None


def sms_gateway_address(pattern: str, number: str) -> str:
    """The e-mail address of an e-mail-to-SMS gateway: {number} is E.164 without '+', {e164} with it."""
    if not pattern:
        raise DeliveryError("sms.email_pattern is not set", permanent=True)
    return pattern.replace("{number}", number.lstrip("+")).replace("{e164}", number)
