"""Shop settings: a typed registry of keys over a key/value table.

Every key is declared once in `SPECS` with its parser, so the CLI, the TUI's admin screen and
the portal read and validate settings the same way. Areas add their keys here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers

from shop import audit, clock
from shop.auth import SYSTEM, Actor, require
from shop.db import transaction
from shop.errors import ValidationError
from shop.models import Setting


def _text(value: str) -> str:
    return value.strip()


def _required_text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


def _timezone(value: str) -> str:
    value = _filled(value)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA time zone such as Europe/Berlin") from None
    if value not in available_timezones() and value != "UTC":
        raise ValueError(f"{value!r} is not an IANA time zone such as Europe/Berlin")
    return value


def _currency(value: str) -> str:
    value = value.strip().upper()
    if len(value) != 3 or not value.isalpha():
        raise ValueError("must be a three-letter ISO code such as EUR")
    return value


def _filled(value: str) -> str:
    """VALUE stripped; an empty one is a missed field, said so instead of "'' is not a number"."""
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def _percent(value: str) -> str:
    value = _filled(value)
    try:
        rate = Decimal(value.strip().rstrip("%"))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not rate.is_finite() or rate < 0 or rate > 100:
        raise ValueError("must be between 0 and 100")
    return str(rate.normalize() if rate == rate.to_integral() else rate)


def _money(value: str) -> str:
    value = _filled(value)
    try:
        amount = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount") from None
    if not amount.is_finite():
        raise ValueError(f"{value!r} is not an amount")
    if amount < 0:
        raise ValueError("must not be negative")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"{value} has more than two decimal places")
    return str(amount.quantize(Decimal("0.01")))


def _region(value: str) -> str:
    value = _filled(value).upper()
    if value not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"{value!r} is not a phone region code such as DE or US")
    return value


def _holiday_country(value: str) -> str:
    value = value.strip().upper()
    if not value:
        return ""
    import holidays

    if value not in holidays.list_supported_countries():
        raise ValueError(f"{value!r} is not a country code the holidays package knows, such as DE or US")
    return value


def integer(low: int, high: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        value = _filled(value)
        try:
            number = int(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a whole number") from None
        if not low <= number <= high:
            raise ValueError(f"must be between {low} and {high}")
        return str(number)

    return parse


def boolean(value: str) -> str:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return "true"
    if lowered in ("0", "false", "no", "off"):
        return "false"
    raise ValueError(f"{value!r} is not yes/no")


def choice(*allowed: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        value = value.strip().lower()
        if value not in allowed:
            raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")
        return value

    return parse


def parse_duration(value: str) -> int:
    """'24h', '90m', '2d' or plain minutes -> minutes."""
    text = value.strip().lower()
    units = {"m": 1, "h": 60, "d": 24 * 60}
    number, unit = (text[:-1], text[-1]) if text and text[-1] in units else (text, "m")
    if not number.isdigit() or int(number) <= 0:
        raise ValueError(f"{value!r} is not a duration such as 24h, 90m or 2d")
    return int(number) * units[unit]


def _durations(value: str) -> str:
    parts = [p.strip().lower() for p in value.split(",") if p.strip()]
    for part in parts:
        parse_duration(part)
    return ",".join(parts)


@dataclass(frozen=True)
class SettingSpec:
    key: str
    default: str
    parse: Callable[[str], str]
    help: str
    secret: bool = False


SPECS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in [
        SettingSpec("shop.name", "Garage", _required_text, "Shop name on invoices, e-mails and the portal"),
        SettingSpec("shop.address", "", _text, "Postal address"),
        SettingSpec("shop.phone", "", _text, "Phone number shown to customers"),
        SettingSpec("shop.email", "shop@example.test", _required_text, "Sender address of e-mails"),
        SettingSpec("shop.timezone", "Europe/Berlin", _timezone, "IANA time zone all times are shown in"),
        SettingSpec("shop.currency", "EUR", _currency, "ISO currency code"),
        SettingSpec("tax.rate", "19", _percent, "VAT/sales tax rate in percent"),
        SettingSpec("phone.region", "DE", _region, "Region for phone numbers written without +country"),
        SettingSpec("schedule.slot_minutes", "15", integer(5, 240), "Booking grid; service durations are multiples"),
        # notifications (shop/notifications)
        SettingSpec("smtp.host", "localhost", _required_text, "SMTP server host name"),
        SettingSpec("smtp.port", "587", integer(1, 65535), "SMTP server port (465 ssl, 587 starttls, 25 none)"),
        SettingSpec("smtp.security", "starttls", choice("none", "starttls", "ssl"), "SMTP TLS: none, starttls or ssl"),
        SettingSpec("smtp.user", "", _text, "SMTP login (empty: no login)"),
        SettingSpec("smtp.password", "", _text, "SMTP password (or $GARAGE_SMTP_PASSWORD, or keyring)", secret=True),
        SettingSpec("smtp.from", "", _text, "Sender address (empty: shop.email)"),
        SettingSpec("smtp.timeout", "30", integer(1, 600), "Seconds to wait for the SMTP server"),
        SettingSpec(
            "notify.retry_base", "60", integer(1, 86_400), "Seconds before the first retry (doubles each time)"
        ),
        SettingSpec("notify.retry_max", "3600", integer(1, 86_400), "Longest wait between two retries, seconds"),
        SettingSpec("notify.give_up_hours", "48", integer(1, 24 * 60), "Hours after which a message is dead"),
        SettingSpec(
            "notify.lease", "300", integer(10, 86_400), "Seconds a sender holds a message before others retake it"
        ),
        SettingSpec("portal.base_url", "http://localhost:8080", _text, "Customer portal address used in e-mail links"),
        SettingSpec("reminders.offsets", "24h,2h", _durations, "Reminders this long before an appointment"),
        SettingSpec("sms.gateway", "none", choice("none", "webhook", "email"), "SMS back end: none, webhook or email"),
        SettingSpec("sms.webhook_url", "", _text, "SMS webhook URL (HTTP POST, JSON body)"),
        SettingSpec("sms.webhook_token", "", _text, "Bearer token for the SMS webhook", secret=True),
        SettingSpec("sms.email_pattern", "", _text, "E-mail-to-SMS address, e.g. {number}@sms.example.net"),
        SettingSpec("schedule.buffer_minutes", "0", integer(0, 240), "Minutes a bay stays blocked after each job"),
        SettingSpec("schedule.min_notice_minutes", "120", integer(0, 20160), "Customers book at least this far ahead"),
        SettingSpec("schedule.advance_days", "60", integer(1, 730), "Customers book at most this many days ahead"),
        SettingSpec("schedule.day_cap", "0", integer(0, 1000), "Most appointments per day (0 = no cap)"),
        SettingSpec(
            "schedule.holidays_country", "", _holiday_country, "Close on public holidays of (e.g. DE); empty = off"
        ),
        SettingSpec("schedule.holidays_subdivision", "", _text, "Subdivision for holidays (e.g. BE for Berlin)"),
        SettingSpec("booking.cancel_cutoff_hours", "24", integer(0, 720), "Customers may cancel until N hours before"),
        SettingSpec("booking.max_reschedules", "2", integer(0, 50), "How often a customer may move one appointment"),
        SettingSpec("portal.about", "", _text, "About-us text on the customer portal (blank lines split paragraphs)"),
        SettingSpec("portal.session_idle_minutes", "60", integer(5, 1440), "Portal log-in ends after this idle time"),
        SettingSpec("portal.session_max_hours", "24", integer(1, 720), "Portal log-in ends this long after log-in"),
        SettingSpec("labour.rate", "90.00", _money, "Default labour rate per hour (net)"),
        SettingSpec("quote.validity_days", "30", integer(1, 365), "Days a sent quote stays valid"),
        SettingSpec("invoice.payment_days", "14", integer(0, 365), "Days from issue to the invoice's due date"),
        SettingSpec("invoice.footer", "", _text, "Payment terms / bank details printed at the foot of invoices"),
    ]
}


def register(spec: SettingSpec) -> None:
    SPECS[spec.key] = spec


@dataclass(frozen=True)
class SettingValue:
    key: str
    value: str
    default: str
    help: str
    is_default: bool


def _spec(key: str) -> SettingSpec:
    try:
        return SPECS[key]
    except KeyError:
        raise ValidationError({"key": f"unknown setting {key!r}; known: {', '.join(sorted(SPECS))}"}) from None


def _stored() -> dict[str, str]:
    """Every stored setting, in one plain query.

    The table holds a few dozen short rows, so reading all of them costs no more than reading
    one, and a hand-written statement skips the ORM's SQL compilation (which cost more than the
    query itself). Nothing is cached between calls: another process may change a setting at any
    time, and a read must see it.
    """
    table = Setting._meta.table_name
    return dict(Setting._meta.database.execute_sql(f'SELECT "key", "value" FROM "{table}"').fetchall())


def get(key: str) -> str:
    spec = _spec(key)
    return _stored().get(key, spec.default)


def get_many(*keys: str) -> dict[str, str]:
    """Several settings in one query (use this, or `snapshot`, rather than several `get`s)."""
    for key in keys:
        _spec(key)
    stored = _stored()
    return {key: stored.get(key, SPECS[key].default) for key in keys}


def snapshot() -> dict[str, str]:
    """Every declared setting (stored value or default) in one query: for a caller, such as one
    portal request, that needs several settings and wants them consistent with each other."""
    stored = _stored()
    return {key: stored.get(key, spec.default) for key, spec in SPECS.items()}


def get_int(key: str) -> int:
    return int(get(key))


def get_bool(key: str) -> bool:
    return get(key) == "true"


def get_decimal(key: str) -> Decimal:
    return Decimal(get(key))


def timezone() -> ZoneInfo:
    return ZoneInfo(get("shop.timezone"))


def show(actor: Actor = SYSTEM) -> list[SettingValue]:
    require(actor, "settings.read")
    stored = {r.key: r.value for r in Setting.select()}
    out = []
    for key in sorted(SPECS):
        spec = SPECS[key]
        value = stored.get(key, spec.default)
        if spec.secret and value:
            value = "********"
        out.append(SettingValue(key, value, spec.default, spec.help, key not in stored))
    return out


@transaction
def set_value(key: str, value: Any, actor: Actor = SYSTEM) -> str:
    """Validate and store one setting; returns the stored (normalised) value."""
    require(actor, "settings.write")
    spec = _spec(key)
    try:
        parsed = spec.parse(str(value))
    except ValueError as exc:
        raise ValidationError({key: str(exc)}) from None
    (
        Setting.insert(key=key, value=parsed, updated_at=clock.now())
        .on_conflict(conflict_target=[Setting.key], update={Setting.value: parsed, Setting.updated_at: clock.now()})
        .execute()
    )
    audit.record(actor, "settings.set", "setting", None, key=key, value="********" if spec.secret else parsed)
    return parsed


@transaction
def set_many(values: dict[str, Any], actor: Actor = SYSTEM) -> dict[str, str]:
    """All or nothing: every value is validated before any is stored."""
    require(actor, "settings.write")
    errors: dict[str, str] = {}
    for key, value in values.items():
        try:
            _spec(key).parse(str(value))
        except ValidationError as exc:
            errors.update(exc.fields)
        except ValueError as exc:
            errors[key] = str(exc)
    if errors:
        raise ValidationError(errors)
    return {key: set_value(key, value, actor) for key, value in values.items()}
