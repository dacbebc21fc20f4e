"""Customer portal accounts: sign-up, e-mail verification, log-in, sessions, CSRF, throttling, password reset.

Every rule of the portal's security lives here; `customer_site` only moves values between HTTP and
these functions.

- An account belongs to one customer record. Signing up with an e-mail the shop already has links
  the account to that customer; nobody can log in before proving the address (verification link),
  so typing somebody else's e-mail gains nothing.
- Sessions are server-side rows. The browser holds a random 256-bit token; the database holds only
  its SHA-256, so a leaked database backup holds no usable session. Each session carries its own
  CSRF token. Anonymous sessions exist too (for the CSRF token of the log-in and sign-up forms);
  log-in always replaces the session with a new token (no fixation), and so does a password change.
- Sessions end after `portal.session_idle_minutes` without a request and `portal.session_max_hours`
  after log-in, whichever comes first; log-out deletes the row.
- Log-in failures are counted per typed e-mail and per client address. From the 5th failure in a
  row a key is locked for 30 s, doubling with each further failure up to 15 minutes, so a stranger
  can delay a customer by at most 15 minutes at a time, and a password reset clears the lock. The
  reply to a failure never depends on whether the e-mail has an account.
- Verification and reset links carry single-use random tokens, stored hashed, that expire
  (48 hours and 1 hour). The reply to a reset request is the same whether the account exists.
- A logged-in customer changes their e-mail (the log-in) with their password; the new address
  must prove itself through a link of the same kind (24 hours, single use, the newest request
  only) and the old address is told. Nothing changes until the link is used.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from peewee import JOIN, IntegrityError

from shop import audit, booking, catalog, clock, customers, events, invoices, quotes, settings, vehicles
from shop.auth import (
    SYSTEM,
    Actor,
    Role,
    check_password_strength,
    hash_password,
    needs_rehash,
    verify_password,
)
from shop.db import database, is_postgres, transaction
from shop.errors import Conflict, FieldErrors, Forbidden, NotFound, ValidationError, VisitsBooked
from shop.event_types import CustomerAccountCreated, EmailChangeRequested, PasswordResetRequested
from shop.models import AccountToken, CustomerAccount, Invoice, Job, LoginThrottle, PortalSession, Quote, Vehicle
from shop.models import Customer as CustomerRow
from shop.notifications import preferences

LOGIN_FAILED = "Wrong e-mail or password."
THROTTLE_FREE_FAILURES = 4  # the 5th failure in a row starts the lock
THROTTLE_FIRST_LOCK = timedelta(seconds=30)
THROTTLE_MAX_LOCK = timedelta(minutes=15)
THROTTLE_FORGET = timedelta(hours=24)  # failures older than this no longer count
ADDRESS_FREE_FAILURES = 19  # one address trying many e-mails
VERIFY_LIFETIME = timedelta(hours=48)
RESET_LIFETIME = timedelta(hours=1)
RESET_RESEND_GAP = timedelta(minutes=2)
EMAIL_CHANGE_LIFETIME = timedelta(hours=24)
EMAIL_CHANGE_GAP = timedelta(minutes=1)
# The same words whoever holds the address: nothing about the other account or customer.
EMAIL_TAKEN = "is already used by another account here; if it is yours, please call the shop"
EMAIL_TAKEN_LATER = "has been taken by another account since the link was sent. Please ask for a new change."
ANONYMOUS_LIFETIME = timedelta(hours=2)
TOUCH_EVERY = timedelta(seconds=60)
MAX_PASSWORD = 1024

# Verified against when the e-mail has no account, so a miss costs the same time as a wrong password.
_DUMMY_HASH: str | None = None


class Throttled(ValidationError):
    """Too many failed log-ins for this e-mail or address; `retry_after` is the wait."""

    def __init__(self, retry_after: timedelta) -> None:
        minutes = max(1, -(-int(retry_after.total_seconds()) // 60))
        super().__init__(
            {
                "password": f"Too many failed attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''}, "
                "or choose a new password with “Forgotten your password?” (that lifts the wait)."
            }
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class Account:
    id: int
    customer_id: int
    email: str
    name: str
    verified: bool
    created_at: datetime

    def actor(self) -> Actor:
        return Actor(role=Role.CUSTOMER, name=self.email, customer_id=self.customer_id)


@dataclass(frozen=True)
class Session:
    """A live portal session as a request sees it. `token` is only set when the session was just made."""

    id: int
    csrf_token: str
    account: Account | None
    created_at: datetime
    token: str | None = None
    # The shop's config counter (`shop.schedule_cache`), read in the same round trip as the session
    # so a page need not ask for it again; None for a session just made.
    config_version: int | None = None

    @property
    def actor(self) -> Actor | None:
        return self.account.actor() if self.account else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASH


def _account_out(row: CustomerAccount, name: str | None = None) -> Account:
    if name is None:
        name = CustomerRow.get_by_id(row.customer_id).name
    return Account(row.id, row.customer_id, row.email, name, row.email_verified_at is not None, row.created_at)


def normalise_email(value: str) -> str:
    """The e-mail as stored (same rules as customer records); a ValidationError on field ``email``."""
    email = customers.parse_email(value)
    if email is None:
        raise ValidationError({"email": "must not be empty"})
    return email


def _check_new_password(password: str, field: str = "password") -> None:
    if len(password) > MAX_PASSWORD:
        raise ValidationError({field: f"must be at most {MAX_PASSWORD} characters"})
    why = check_password_strength(password)
    if why:
        raise ValidationError({field: why})


# ---------------------------------------------------------------------------------------------
# Sessions


_limits_cache: tuple[object, int, timedelta, timedelta] | None = None  # (database, config counter, idle, absolute)
_CONFIG_SQL = "SELECT version FROM schedule_version WHERE scope = 'config'"  # shop.schedule_cache.CONFIG


def _limits(config_version: int | None = None) -> tuple[timedelta, timedelta]:
    """(idle, absolute) session limits, read from settings again whenever the config counter moves.

    Every request needs them; the counter (migration 0040) is bumped in the same transaction as
    any settings change, so a shortened limit applies from the next request on. CONFIG_VERSION is
    the counter the caller already read; without it, it is read here.
    """
    global _limits_cache
    if config_version is None:
        row = database.execute_sql(_CONFIG_SQL).fetchone()
        config_version = int(row[0]) if row else 0
    cached = _limits_cache
    if cached is None or cached[0] is not database.obj or cached[1] != config_version:
        values = settings.get_many("portal.session_idle_minutes", "portal.session_max_hours")
        cached = _limits_cache = (
            database.obj,
            config_version,
            timedelta(minutes=int(values["portal.session_idle_minutes"])),
            timedelta(hours=int(values["portal.session_max_hours"])),
        )
    return cached[2], cached[3]


def _idle_limit() -> timedelta:
    return _limits()[0]


def _absolute_limit() -> timedelta:
    return _limits()[1]


def _new_session_row(account_id: int | None) -> tuple[PortalSession, str]:
    token = secrets.token_urlsafe(32)
    now = clock.now()
    row = PortalSession.create(
        token_hash=_digest(token),
        account=account_id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
    )
    return row, token


def _session_out(row: PortalSession, token: str | None = None, account: Account | None = None) -> Session:
    if account is None and row.account_id is not None:
        account = _account_out(CustomerAccount.get_by_id(row.account_id))
    return Session(row.id, row.csrf_token, account, row.created_at, token)


@transaction
def start_session() -> Session:
    """A new anonymous session (it carries the CSRF token of the log-in and sign-up forms)."""
    row, token = _new_session_row(None)
    return _session_out(row, token)


_SESSION_SQL = (
    "SELECT s.id, s.account_id, s.csrf_token, s.created_at, s.last_seen_at,"
    " a.customer_id, a.email, a.email_verified_at, a.created_at, c.name,"
    f" COALESCE(({_CONFIG_SQL}), 0)"
    " FROM portal_session s LEFT JOIN customer_account a ON a.id = s.account_id"
    " LEFT JOIN customer c ON c.id = a.customer_id WHERE s.token_hash = {p}"
)
_SESSION_SQL_PG, _SESSION_SQL_SQLITE = _SESSION_SQL.format(p="%s"), _SESSION_SQL.format(p="?")


def load_session(token: str | None) -> Session | None:
    """The live session for a cookie value, or None when unknown or expired (an expired one is deleted).

    One hand-written query (session, account and name): every page of the portal runs it, and
    building it through the ORM cost more than running it.
    """
    if not token or len(token) > 200:
        return None
    sql = _SESSION_SQL_PG if is_postgres() else _SESSION_SQL_SQLITE
    found = database.execute_sql(sql, (_digest(token),)).fetchone()
    if found is None:
        return None
    ident, account_id, csrf_token, created_raw, seen_raw, customer_id, email, verified, joined, name, config = found
    stamp = PortalSession.created_at.python_value
    created_at, last_seen_at = stamp(created_raw), stamp(seen_raw)
    now = clock.now()
    if account_id is None:
        idle, absolute = ANONYMOUS_LIFETIME, ANONYMOUS_LIFETIME
    else:
        idle, absolute = _limits(int(config))
    if now - last_seen_at > idle or now - created_at > absolute:
        PortalSession.delete().where(PortalSession.id == ident).execute()
        return None
    if now - last_seen_at > TOUCH_EVERY:
        PortalSession.update(last_seen_at=now).where(PortalSession.id == ident).execute()
    account = None
    if account_id is not None:
        account = Account(account_id, customer_id, email, name, verified is not None, stamp(joined))
    return Session(ident, csrf_token, account, created_at, config_version=int(config))


def csrf_ok(session: Session | None, submitted: str | None) -> bool:
    """Whether a form's CSRF token belongs to this session (constant-time comparison)."""
    if session is None or not submitted:
        return False
    return hmac.compare_digest(session.csrf_token.encode(), submitted.encode("utf-8", "surrogatepass"))


@transaction
def end_session(token: str | None) -> None:
    """Log out: the session stops existing on the server, whatever the browser keeps."""
    if token:
        row = PortalSession.get_or_none(PortalSession.token_hash == _digest(token))
        if row is not None:
            if row.account_id is not None:
                account = CustomerAccount.get_by_id(row.account_id)
                audit.record(_actor(account), "account.logout", "customer_account", account.id)
            row.delete_instance()


@transaction
def purge_expired_sessions() -> int:
    """Delete sessions idle for longer than any limit (run from log-in; also safe from cron)."""
    now = clock.now()
    longest = max(_idle_limit(), ANONYMOUS_LIFETIME)
    return (
        PortalSession.delete()
        .where(
            (PortalSession.last_seen_at < now - longest)
            | (PortalSession.created_at < now - max(_absolute_limit(), ANONYMOUS_LIFETIME))
        )
        .execute()
    )


def _actor(account: CustomerAccount) -> Actor:
    return Actor(role=Role.CUSTOMER, name=account.email, customer_id=account.customer_id)


# ---------------------------------------------------------------------------------------------
# Throttling


def _throttle_keys(email: str, address: str | None) -> list[tuple[str, int]]:
    keys = [(f"email:{email.strip().lower()[:320]}", THROTTLE_FREE_FAILURES)]
    if address:
        keys.append((f"addr:{address[:64]}", ADDRESS_FREE_FAILURES))
    return keys


def _lock_for(failures: int, free: int) -> timedelta | None:
    if failures <= free:
        return None
    lock = THROTTLE_FIRST_LOCK * (2 ** min(failures - free - 1, 10))
    return min(lock, THROTTLE_MAX_LOCK)


def _locked(keys: list[tuple[str, int]]) -> timedelta | None:
    now = clock.now()
    rows = LoginThrottle.select().where(LoginThrottle.key.in_([k for k, _ in keys]))
    waits = [r.locked_until - now for r in rows if r.locked_until is not None and r.locked_until > now]
    return max(waits) if waits else None


def _record_failure(keys: list[tuple[str, int]]) -> None:
    now = clock.now()
    for key, free in keys:
        row = LoginThrottle.get_or_none(LoginThrottle.key == key)
        failures = 1 if row is None or now - row.last_failure_at > THROTTLE_FORGET else row.failures + 1
        lock = _lock_for(failures, free)
        values = {"failures": failures, "last_failure_at": now, "locked_until": now + lock if lock else None}
        (
            LoginThrottle.insert(key=key, **values)
            .on_conflict(conflict_target=[LoginThrottle.key], update=values)
            .execute()
        )


def _clear_throttle(email: str) -> None:
    LoginThrottle.delete().where(LoginThrottle.key == f"email:{email.strip().lower()[:320]}").execute()


# ---------------------------------------------------------------------------------------------
# Sign-up and verification


def _new_token(account_id: int, purpose: str, lifetime: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    now = clock.now()
    AccountToken.create(
        token_hash=_digest(token), account=account_id, purpose=purpose, created_at=now, expires_at=now + lifetime
    )
    return token


def _send_reset(account: CustomerAccount) -> None:
    recent = (
        AccountToken.select()
        .where(
            AccountToken.account == account.id,
            AccountToken.purpose == "reset",
            AccountToken.created_at > clock.now() - RESET_RESEND_GAP,
        )
        .exists()
    )
    if recent:  # one e-mail per gap, so the form cannot be used to flood a mailbox
        return
    token = _new_token(account.id, "reset", RESET_LIFETIME)
    events.publish(PasswordResetRequested(customer_id=account.customer_id, email=account.email, token=token))


def _send_verification(account: CustomerAccount) -> str:
    token = _new_token(account.id, "verify", VERIFY_LIFETIME)
    events.publish(CustomerAccountCreated(customer_id=account.customer_id, email=account.email, token=token))
    return token


@transaction
def sign_up(name: str, email: str, phone: str, password: str) -> None:
    """Create an account (and the customer record when the shop does not know the e-mail yet).

    The reply is the same whether or not the e-mail already has an account: a new account gets a
    verification link, an existing one gets a password-reset link instead (its owner may have
    forgotten they signed up), so nobody learns which e-mails are registered.
    """
    errors = FieldErrors()
    values: dict = {}
    try:
        values = customers.validate_fields(name, phone, email)
    except ValidationError as exc:
        errors.errors.update(exc.fields)
    if not (email or "").strip():
        errors.add("email", "must not be empty")
    if not (phone or "").strip():
        errors.add("phone", "must not be empty")
    if len(password) > MAX_PASSWORD:
        errors.add("password", f"must be at most {MAX_PASSWORD} characters")
    else:
        why = check_password_strength(password)
        if why:
            errors.add("password", why)
    errors.raise_if_any()
    email_norm = values["email"]
    existing = CustomerAccount.get_or_none(CustomerAccount.email == email_norm)
    if existing is not None:
        _send_reset(existing)
        return
    customer = CustomerRow.get_or_none(CustomerRow.email == email_norm)
    if customer is not None and CustomerAccount.get_or_none(CustomerAccount.customer == customer.id) is not None:
        return  # the customer has an account under another e-mail; say nothing
    if customer is None:
        created = customers.add_customer(values["name"], values["phone"], email_norm, force=True)
        customer_id = created.id
    else:
        customer_id = customer.id
    now = clock.now()
    try:
        with database.atomic():
            account = CustomerAccount.create(
                customer=customer_id,
                email=email_norm,
                password_hash=hash_password(password),
                email_verified_at=None,
                password_changed_at=now,
                created_at=now,
            )
    except IntegrityError:
        return  # a concurrent sign-up with the same e-mail won; same reply
    audit.record(_actor(account), "account.signup", "customer_account", account.id, customer_id=customer_id)
    _send_verification(account)


def _use_token(token: str, purpose: str) -> AccountToken:
    row = (
        AccountToken.get_or_none(AccountToken.token_hash == _digest(token), AccountToken.purpose == purpose)
        if token and len(token) <= 200
        else None
    )
    if row is None or row.used_at is not None or row.expires_at <= clock.now():
        what = {"verify": "confirmation", "reset": "password reset", "email": "e-mail change"}[purpose]
        raise ValidationError({"token": f"This {what} link is invalid, used or expired. Please ask for a new one."})
    return row


@transaction
def verify_email(token: str) -> Account:
    """Mark the e-mail of the token's account as proven; the token is used up."""
    row = _use_token(token, "verify")
    row.used_at = clock.now()
    row.save()
    account = CustomerAccount.get_by_id(row.account_id)
    if account.email_verified_at is None:
        account.email_verified_at = clock.now()
        account.save()
        audit.record(_actor(account), "account.verify", "customer_account", account.id)
    return _account_out(account)


# ---------------------------------------------------------------------------------------------
# Log-in


@transaction
def _attempt(email: str, password: str, address: str | None, old_token: str | None) -> Session | ValidationError:
    keys = _throttle_keys(email, address)
    wait = _locked(keys)
    if wait is not None:
        return Throttled(wait)
    try:
        email_norm = normalise_email(email)
    except ValidationError:
        email_norm = None
    account = CustomerAccount.get_or_none(CustomerAccount.email == email_norm) if email_norm else None
    stored = account.password_hash if account is not None else _dummy_hash()
    good = len(password) <= MAX_PASSWORD and verify_password(stored, password)
    if account is None or not good:
        _record_failure(keys)
        wait = _locked(keys)
        return Throttled(wait) if wait is not None else ValidationError({"password": LOGIN_FAILED})
    customer = CustomerRow.get_by_id(account.customer_id)
    if customer.archived:
        return ValidationError({"password": LOGIN_FAILED})
    _clear_throttle(email)
    if account.email_verified_at is None:
        _send_verification(account)
        return ValidationError(
            {"email": "Please confirm your e-mail address first: we have just sent you a new confirmation link."}
        )
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
        account.save()
    if old_token:
        PortalSession.delete().where(PortalSession.token_hash == _digest(old_token)).execute()
    row, token = _new_session_row(account.id)
    audit.record(_actor(account), "account.login", "customer_account", account.id)
    return _session_out(row, token, _account_out(account, customer.name))


def log_in(email: str, password: str, address: str | None = None, old_token: str | None = None) -> Session:
    """A new logged-in session (fresh token) for good credentials; the old session is dropped.

    Failures raise ValidationError with the same message whether the e-mail exists or not
    (`Throttled` when locked). Failures are committed before the error is raised.
    """
    purge_expired_sessions()
    result = _attempt(email or "", password or "", address, old_token)
    if isinstance(result, ValidationError):
        raise result
    return result


# ---------------------------------------------------------------------------------------------
# Password reset and change


@transaction
def request_password_reset(email: str) -> None:
    """E-mail a reset link if the address has an account; the same silence either way."""
    try:
        email_norm = normalise_email(email)
    except ValidationError:
        raise ValidationError({"email": "please enter the e-mail address you signed up with"}) from None
    account = CustomerAccount.get_or_none(CustomerAccount.email == email_norm)
    if account is not None:
        _send_reset(account)


def check_reset_token(token: str) -> None:
    """Raise ValidationError (field ``token``) unless the reset link is still good."""
    _use_token(token, "reset")


@transaction
def reset_password(token: str, password: str) -> None:
    """Set a new password from a reset link; the link is used up and every session of the account ends.

    Following the link proves the e-mail, so it also verifies an unconfirmed account and lifts a
    log-in lock on it.
    """
    row = _use_token(token, "reset")
    _check_new_password(password)
    now = clock.now()
    row.used_at = now
    row.save()
    account = CustomerAccount.get_by_id(row.account_id)
    account.password_hash = hash_password(password)
    account.password_changed_at = now
    if account.email_verified_at is None:
        account.email_verified_at = now
    account.save()
    AccountToken.update(used_at=now).where(
        AccountToken.account == account.id, AccountToken.purpose == "reset", AccountToken.used_at.is_null()
    ).execute()
    PortalSession.delete().where(PortalSession.account == account.id).execute()
    _clear_throttle(account.email)
    audit.record(_actor(account), "account.reset_password", "customer_account", account.id)


def _own_account(actor: Actor) -> CustomerAccount:
    if actor.role != Role.CUSTOMER or actor.customer_id is None:
        raise Forbidden("only a customer's own portal account can do this")
    account = CustomerAccount.get_or_none(CustomerAccount.customer == actor.customer_id)
    if account is None:
        raise NotFound("no portal account")
    return account


@transaction
def change_password(actor: Actor, current: str, new: str) -> Session:
    """Change the password (the current one is required); every session ends and a new one is returned."""
    account = _own_account(actor)
    errors = FieldErrors()
    if not verify_password(account.password_hash, current or ""):
        errors.add("current_password", "is not your current password")
    try:
        _check_new_password(new or "", "new_password")
    except ValidationError as exc:
        errors.errors.update(exc.fields)
    errors.raise_if_any()
    account.password_hash = hash_password(new)
    account.password_changed_at = clock.now()
    account.save()
    PortalSession.delete().where(PortalSession.account == account.id).execute()
    row, token = _new_session_row(account.id)
    audit.record(actor, "account.change_password", "customer_account", account.id)
    return _session_out(row, token, _account_out(account))


# ---------------------------------------------------------------------------------------------
# Changing the e-mail address (the log-in): proven by a link to the new address


def _address_taken(email: str, customer_id: int) -> bool:
    """Whether another account or another customer record already uses EMAIL."""
    other_account = CustomerAccount.select().where(
        CustomerAccount.email == email, CustomerAccount.customer != customer_id
    )
    other_customer = CustomerRow.select().where(CustomerRow.email == email, CustomerRow.id != customer_id)
    return other_account.exists() or other_customer.exists()


def mask_email(email: str) -> str:
    """'m•••@example.org': enough for the owner to recognise an address, not to learn it."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


@dataclass(frozen=True)
class PendingEmail:
    """A change of address waiting for its link to be opened."""

    new_email: str
    expires_at: datetime


def pending_email_change(actor: Actor) -> PendingEmail | None:
    account = _own_account(actor)
    row = (
        AccountToken.select()
        .where(
            AccountToken.account == account.id,
            AccountToken.purpose == "email",
            AccountToken.used_at.is_null(),
            AccountToken.expires_at > clock.now(),
        )
        .order_by(AccountToken.id.desc())
        .first()
    )
    return PendingEmail(row.new_email, row.expires_at) if row is not None else None


@transaction
def request_email_change(actor: Actor, new_email: str, password: str) -> PendingEmail:
    """Send a confirmation link to NEW_EMAIL and a notice to the current address; nothing changes yet.

    The current password is required (a session left open elsewhere must not be enough to take
    over the account). An address that another account or customer record uses is refused with
    the same words whoever holds it. Asking again replaces the earlier link; at most one request
    per `EMAIL_CHANGE_GAP`, so the form cannot be used to flood somebody's mailbox.
    """
    account = _own_account(actor)
    errors = FieldErrors()
    email = None
    if not (new_email or "").strip():
        errors.add("email", "please enter the new address")
    else:
        try:
            email = normalise_email(new_email)
        except ValidationError as exc:
            errors.add("email", exc.fields.get("email", "is not a valid e-mail address"))
    if len(password or "") > MAX_PASSWORD or not verify_password(account.password_hash, password or ""):
        errors.add("password", "is not your current password")
    errors.raise_if_any()
    assert email is not None
    if email == account.email:
        raise ValidationError({"email": "is already the address of your account"})
    if _address_taken(email, account.customer_id):
        raise ValidationError({"email": EMAIL_TAKEN})
    now = clock.now()
    recent = AccountToken.select().where(
        AccountToken.account == account.id,
        AccountToken.purpose == "email",
        AccountToken.created_at > now - EMAIL_CHANGE_GAP,
    )
    if recent.exists():
        raise ValidationError({"email": "we have just sent a link; please wait a minute before asking again"})
    AccountToken.update(used_at=now).where(
        AccountToken.account == account.id, AccountToken.purpose == "email", AccountToken.used_at.is_null()
    ).execute()
    token = secrets.token_urlsafe(32)
    AccountToken.create(
        token_hash=_digest(token),
        account=account.id,
        purpose="email",
        new_email=email,
        created_at=now,
        expires_at=now + EMAIL_CHANGE_LIFETIME,
    )
    audit.record(actor, "account.email_change_requested", "customer_account", account.id)
    events.publish(
        EmailChangeRequested(customer_id=account.customer_id, old_email=account.email, new_email=email, token=token)
    )
    return PendingEmail(email, now + EMAIL_CHANGE_LIFETIME)


def check_email_change_token(token: str) -> str:
    """The new address a still-good change link would set; ValidationError (field ``token``) otherwise."""
    return _use_token(token, "email").new_email


@transaction
def confirm_email_change(token: str) -> Account:
    """Open the link: the account's log-in and the customer's e-mail become the new address.

    The link works once; it is refused when expired, replaced by a newer request, or when the
    address was taken by somebody else since it was sent (then the customer must ask again).
    """
    row = _use_token(token, "email")
    account = CustomerAccount.get_by_id(row.account_id)
    now = clock.now()
    row.used_at = now
    row.save()
    email = row.new_email
    if _address_taken(email, account.customer_id):
        raise ValidationError({"token": f"{mask_email(email)} {EMAIL_TAKEN_LATER}"})
    old = account.email
    account.email = email
    if account.email_verified_at is None:
        account.email_verified_at = now
    try:
        with database.atomic():  # a concurrent change to the same address loses here, not with a 500
            account.save()
            customers.edit_customer(account.customer_id, force=True, actor=SYSTEM, email=email)
    except (IntegrityError, Conflict):
        raise ValidationError({"token": f"{mask_email(email)} {EMAIL_TAKEN_LATER}"}) from None
    _clear_throttle(old)
    audit.record(_actor(account), "account.email_changed", "customer_account", account.id)
    return _account_out(account)


# ---------------------------------------------------------------------------------------------
# Profile


def get_account(actor: Actor) -> Account:
    return _account_out(_own_account(actor))


def get_profile(actor: Actor) -> customers.Customer:
    account = _own_account(actor)
    return customers.get_customer(account.customer_id, actor=actor)


def get_preferences(actor: Actor) -> preferences.Contact:
    account = _own_account(actor)
    return preferences.get_contact(account.customer_id, actor=actor)


@transaction
def update_profile(
    actor: Actor,
    name: str,
    phone: str,
    address: str,
    channel: str | None = None,
    reminders: bool | None = None,
) -> customers.Customer:
    """The customer edits their own contact details and message preferences (the e-mail: `request_email_change`)."""
    account = _own_account(actor)
    errors = FieldErrors()
    errors.check("name", customers.parse_name, name)
    if not (phone or "").strip():
        errors.add("phone", "must not be empty")
    else:
        errors.check("phone", customers.parse_phone, phone)
    errors.check("address", customers.parse_text, "address", address)
    if channel is not None and channel not in preferences.CHANNELS:
        errors.add("channel", "choose e-mail, text message or no messages")
    errors.raise_if_any()
    customers.edit_customer(account.customer_id, force=True, actor=SYSTEM, name=name, phone=phone, address=address)
    if channel is not None or reminders is not None:
        preferences.set_preferences(account.customer_id, channel=channel, reminders=reminders, actor=actor)
    audit.record(actor, "account.profile", "customer", account.customer_id)
    return customers.get_customer(account.customer_id, actor=actor)


# ---------------------------------------------------------------------------------------------
# Cars (the customer's own; other customers' cars do not exist for them)


def _own_car(actor: Actor, car_id: int) -> vehicles.Vehicle:
    """The customer's own, not archived car (one query: every booking page asks for it)."""
    if actor.role != Role.CUSTOMER or actor.customer_id is None:
        raise Forbidden("only a customer's own portal account can do this")
    try:
        ident = int(car_id)
    except (ValueError, TypeError):
        ident = 0
    car = vehicles.owned_vehicle(actor.customer_id, ident) if 0 < ident < 2**63 else None
    if car is None:
        raise NotFound(f"no car {car_id}")
    return car


def my_cars(actor: Actor) -> list[vehicles.Vehicle]:
    account = _own_account(actor)
    return vehicles.list_vehicles(customer_id=account.customer_id, actor=actor)


def my_car(actor: Actor, car_id: int) -> vehicles.Vehicle:
    return _own_car(actor, car_id)


def _car_conflict(exc: Conflict) -> ValidationError:
    text = str(exc)
    field = "vin" if text.lower().startswith("vin") and "plate" not in text.lower() else "plate"
    if "vin" in text.lower() and "plate" in text.lower():
        field = "plate"
    return ValidationError({field: "is already registered to another car; please call the shop"})


_LOWER_MILEAGE = re.compile(r"^(\d+) is lower than the last reading (\d+)")


def _for_customer(exc: ValidationError) -> ValidationError:
    """A lower mileage than recorded, worded for a customer: staff may store it "as a correction" (the
    message `shop.vehicles` gives them), a customer has no such box and has to call the shop."""
    found = _LOWER_MILEAGE.match(exc.fields.get("mileage", "")) if exc.overridable else None
    if found is None:
        return exc
    typed, last = found.groups()
    fields = dict(exc.fields)
    fields["mileage"] = (
        f"{typed} km is lower than the last reading we have ({last} km); "
        "if your dashboard really shows less, please call the shop to correct it"
    )
    return ValidationError(fields)


@dataclass(frozen=True)
class CarAdded:
    car: vehicles.Vehicle
    restored: bool  # the customer's own removed car came back (same VIN or plate), with its history


def add_my_car(actor: Actor, **fields: object) -> vehicles.Vehicle:
    """Add a car to the customer's own record (make, model, year, vin, plate, colour, mileage)."""
    return add_or_restore_my_car(actor, **fields).car


@transaction
def add_or_restore_my_car(actor: Actor, **fields: object) -> CarAdded:
    """Add a car; one the customer removed earlier (same VIN, or same plate) comes back instead.

    Adding a removed car again is what a customer does when they got it back or removed it by
    mistake: a refusal ("already registered to another car") would be wrong, and a second record
    would split its history. The fields typed now replace the stored ones; empty ones keep them.
    Another customer's car, archived or not, is refused as before, without saying whose it is.
    """
    account = _own_account(actor)
    allowed = {k: fields.get(k) for k in ("make", "model", "year", "vin", "plate", "colour", "mileage")}
    allowed["colour"] = allowed["colour"] or ""
    values = vehicles.validate_fields(**allowed)
    removed = vehicles.archived_own_car(account.customer_id, values["vin"], values["plate"])
    try:
        if removed is None:
            car = vehicles.add_vehicle(account.customer_id, actor=SYSTEM, **allowed)  # type: ignore[arg-type]
        else:
            vehicles.restore_vehicle(removed.id, actor=SYSTEM)
            typed = {k: v for k, v in values.items() if v not in (None, "")}
            car = vehicles.edit_vehicle(removed.id, actor=SYSTEM, **typed)
    except Conflict as exc:
        raise _car_conflict(exc) from None
    except ValidationError as exc:
        raise _for_customer(exc) from None
    audit.record(actor, "account.car_restore" if removed else "account.car_add", "vehicle", car.id)
    return CarAdded(car, removed is not None)


@transaction
def remove_my_car(actor: Actor, car_id: int) -> vehicles.Vehicle:
    """Take a car off the customer's account (sold, scrapped): it is archived, its history stays.

    Refused while the car has a visit booked or under way, by the rule staff archiving meets
    (`booking.check_nothing_booked`, never overridden here): the shop expects it, so the customer
    cancels the visit first (or calls the shop once the car is in the workshop).
    """
    car = _own_car(actor, car_id)
    try:
        archived = vehicles.archive_vehicle(car.id, actor=SYSTEM)
    except VisitsBooked as exc:
        visit = exc.visits[0]
        when = f"{visit.start:%a %d %b %Y, %H:%M}"  # shop time, as the portal shows appointments
        if visit.status == "scheduled":
            why = f"has an appointment on {when}; cancel it first, then remove the car"
        else:
            why = f"is with the shop for the appointment of {when}; please call the shop"
        raise ValidationError({"": f"Your {car.make} {car.model} {why}."}) from None
    audit.record(actor, "account.car_remove", "vehicle", car.id)
    return archived


@transaction
def edit_my_car(actor: Actor, car_id: int, **fields: object) -> vehicles.Vehicle:
    """Change one of the customer's own cars; a lower mileage than recorded is refused."""
    car = _own_car(actor, car_id)
    changes = {k: v for k, v in fields.items() if k in ("make", "model", "year", "vin", "plate", "colour", "mileage")}
    changes["colour"] = changes.get("colour") or ""
    try:
        updated = vehicles.edit_vehicle(car.id, actor=SYSTEM, **changes)
    except Conflict as exc:
        raise _car_conflict(exc) from None
    except ValidationError as exc:
        raise _for_customer(exc) from None
    audit.record(actor, "account.car_edit", "vehicle", car.id)
    return updated


# ---------------------------------------------------------------------------------------------
# What a customer may still do with an appointment (the same policy `shop.booking` enforces)

STATUS_WORDS = {
    "scheduled": "Booked",
    "checked_in": "Car received",
    "in_progress": "Being repaired",
    "waiting_parts": "Waiting for parts",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "no_show": "Missed",
}
PROGRESS = ("scheduled", "checked_in", "in_progress", "completed")
READY = "Ready for collection"
READY_FOR = timedelta(days=7)  # how long after the work is done a car can still be "waiting" for its owner


def status_words(actor: Actor, appointments: list[booking.Appointment]) -> dict[int, str]:
    """What each appointment's status reads to its customer: {appointment id: words}.

    A completed visit reads "Ready for collection" only while that can still be true: the work was
    completed less than `READY_FOR` ago and the visit's invoice is not paid (paying is what happens
    at collection, so a paid invoice means the car has gone home; a credited one says nothing). Otherwise it reads
    "Completed", so a visit of weeks ago no longer looks like a car waiting at the shop. The time the
    work was completed is the job's; a visit completed without a job counts from its end.

    One query for all the completed visits given (none when there is none), never one per visit.
    """
    _own_account(actor)
    words = {a.id: STATUS_WORDS.get(a.status, a.status) for a in appointments}
    done = {a.id: a for a in appointments if a.status == "completed"}
    if not done:
        return words
    completed_at = {i: a.end for i, a in done.items()}
    settled: set[int] = set()
    rows = (
        Job.select(Job.appointment, Job.completed_at, Invoice.status)
        .join(
            Invoice,
            JOIN.LEFT_OUTER,
            on=(Invoice.job == Job.id) & (Invoice.kind == "invoice") & (Invoice.status != "draft"),
        )
        .where(Job.appointment.in_(list(done)))
        .tuples()
    )
    for appointment_id, job_done, invoice_status in rows:
        if job_done is not None:
            completed_at[appointment_id] = job_done
        if invoice_status == "paid":
            settled.add(appointment_id)
    now = clock.now()
    for i in done:
        if i not in settled and now - completed_at[i] < READY_FOR:
            words[i] = READY
    return words


@dataclass(frozen=True)
class HistoryStep:
    """One line of an appointment's history as its customer sees it: what happened and when, and for a
    move the old and the new time. Staff notes are not part of it (they are written for the shop)."""

    at: datetime
    kind: str  # booked, status, rescheduled
    status: str  # the status reached (unchanged by a move)
    moved_from: datetime | None = None
    moved_to: datetime | None = None


# How `booking.reschedule` begins the note of a move (shop-local times), whatever the staff added after it.
_MOVE_NOTE = re.compile(r"^moved from (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) to (\d{4}-\d{2}-\d{2} \d{2}:\d{2})")


def customer_history(actor: Actor, appointment: booking.Appointment) -> list[HistoryStep]:
    """The appointment's timeline for its customer: the moves with their times read from the shop's
    record, without the free-text notes staff may have written on a move or a status change."""
    _own_account(actor)
    if appointment.customer_id != actor.customer_id:
        raise NotFound(f"no appointment {appointment.id}")
    zone = settings.timezone()
    steps = []
    for entry in appointment.timeline:
        moved_from = moved_to = None
        found = _MOVE_NOTE.match(entry.note) if entry.kind == "rescheduled" else None
        if found:
            moved_from, moved_to = (datetime.fromisoformat(t).replace(tzinfo=zone) for t in found.groups())
        steps.append(HistoryStep(entry.at, entry.kind, entry.to_status, moved_from, moved_to))
    return steps


@dataclass(frozen=True)
class AppointmentOptions:
    can_reschedule: bool
    can_cancel: bool
    why_not: str  # why the customer must call the shop instead ("" when both are possible); pages add how to call
    upcoming: bool


def appointment_options(actor: Actor, appointment: booking.Appointment) -> AppointmentOptions:
    """Whether the customer may move or cancel online, mirroring the checks of `booking.reschedule`/`cancel`."""
    _own_account(actor)
    if appointment.customer_id != actor.customer_id:
        raise NotFound(f"no appointment {appointment.id}")
    upcoming = appointment.status == "scheduled" and appointment.start > clock.now()
    window = change_window(appointment.start)
    limit = settings.get_int("booking.max_reschedules")
    can_cancel = upcoming and window.open
    can_move = can_cancel and appointment.reschedule_count < limit
    why = ""
    if upcoming and not window.open:
        why = f"Appointments can be changed online until {window.hours} hours before."
    elif can_cancel and not can_move:
        why = f"An appointment can be moved online at most {limit} times."
    return AppointmentOptions(can_move, can_cancel, why, upcoming)


@dataclass(frozen=True)
class ChangeWindow:
    """Until when an appointment at a given time may be moved or cancelled online.

    Shown on the page that confirms a booking or a move, so that a customer who picks a time inside
    the cut-off learns before pressing the button, not after, that only a phone call can change it.
    """

    until: datetime  # the last instant the customer may move or cancel online
    hours: int  # the cut-off before the start, in hours (setting booking.cancel_cutoff_hours)
    open: bool  # whether `until` is still ahead
    moves_left: int  # how often it may still be moved online after this booking or move


def change_window(start: datetime, moving: booking.Appointment | None = None) -> ChangeWindow:
    """The online change window for an appointment starting at START (the policy `booking.cancel` and
    `booking.reschedule` enforce for customers); MOVING is the appointment being moved there, whose move
    counts against `booking.max_reschedules`."""
    hours = settings.get_int("booking.cancel_cutoff_hours")
    until = start - timedelta(hours=hours)
    limit = settings.get_int("booking.max_reschedules")
    moves_left = max(0, limit - (moving.reschedule_count + 1 if moving is not None else 0))
    return ChangeWindow(until, hours, clock.now() <= until, moves_left)


# ---------------------------------------------------------------------------------------------
# Quotes and invoices as the customer sees them: their own, never drafts


def my_quotes(actor: Actor) -> list[quotes.QuoteSummary]:
    _own_account(actor)
    return [q for q in quotes.list_quotes(actor=actor) if q.status != "draft"]


def my_quote(actor: Actor, quote_id: int) -> quotes.QuoteInfo:
    _own_account(actor)
    info = quotes.get_quote(int(quote_id), actor=actor)
    if info.customer_id != actor.customer_id or info.status == "draft":
        raise NotFound(f"no quote {quote_id}")
    return info


@dataclass(frozen=True)
class QuoteBooking:
    """What booking a quote from the portal books: the quote, its car and its accepted catalogue services.

    The services carry the quoted amount as their price (what the customer agreed to), and their
    catalogue duration (what the calendar needs to find a free time).
    """

    quote: quotes.QuoteInfo
    car: vehicles.Vehicle
    services: list[catalog.ServiceItem]


def quote_to_book(actor: Actor, quote_id: int) -> QuoteBooking:
    """The customer's own sent-and-answered quote as a booking; another customer's (or a draft) is NotFound.

    Whether it may be booked now is `quote.bookable`; the booking itself (`quotes.book_accepted`) decides
    again under lock, so a page left open cannot book a quote twice.
    """
    info = my_quote(actor, quote_id)
    if info.vehicle_id is None:
        raise quotes.NotBookable(f"quote #{info.id} names no car; please call the shop to book it")
    if info.unbookable == "car_gone":  # archived or passed on: not a 404, the quote page explains it
        raise quotes.NotBookable(
            f"the car on quote {info.id} is no longer in your account; please call the shop or request a new quote"
        )
    car = _own_car(actor, info.vehicle_id)
    items = []
    for line in info.lines:
        if line.decision == "accepted" and line.service_id is not None:
            service = catalog.get_service(line.service_id)
            items.append(replace(service, price=line.amount))
    return QuoteBooking(info, car, items)


@transaction
def answer_quote(actor: Actor, quote_id: int, decisions: dict[int, str]) -> quotes.QuoteInfo:
    """Accept or decline lines of a sent quote: {position: "accepted" | "declined"}; others stay pending."""
    info = my_quote(actor, quote_id)
    pending = {line.position for line in info.lines if line.decision == "pending"}
    errors = FieldErrors()
    for position, decision in decisions.items():
        if position not in pending:
            errors.add(f"line-{position}", "this line is already decided")
        elif decision not in ("accepted", "declined", ""):
            errors.add(f"line-{position}", "choose accept or decline")
    chosen = {p: d for p, d in decisions.items() if d}
    if not chosen and not errors.errors:
        errors.add("lines", "choose accept or decline for at least one line")
    errors.raise_if_any()
    accepted = sorted(p for p, d in chosen.items() if d == "accepted")
    declined = sorted(p for p, d in chosen.items() if d == "declined")
    try:
        if accepted:
            quotes.accept(info.id, accepted, actor=actor)
        if declined:
            quotes.decline(info.id, declined, actor=actor)
    except Conflict as exc:
        raise ValidationError({"lines": str(exc).replace(f"quote #{info.id}", "this quote")}) from None
    return my_quote(actor, info.id)


REQUEST_NOTE = "Requested on the portal."  # how a draft made by `request_quote` begins its notes


@dataclass(frozen=True)
class QuoteRequest:
    """A request the shop has not priced yet (still a draft): the customer sees that it arrived, not its lines."""

    vehicle: str | None
    requested_at: datetime


def my_quote_requests(actor: Actor) -> list[QuoteRequest]:
    """The customer's portal requests still waiting for a price, newest first.

    Drafts are otherwise invisible to the customer, so without this a request seemed to vanish once
    sent. Only drafts that `request_quote` made count; a draft the front desk started on its own is
    not shown (it may never be sent).
    """
    account = _own_account(actor)
    rows = (
        Quote.select(Quote, Vehicle)
        .join(Vehicle, JOIN.LEFT_OUTER)
        .where(
            Quote.customer == account.customer_id,
            Quote.status == "draft",
            Quote.notes.startswith(REQUEST_NOTE),
        )
        .order_by(Quote.created_at.desc(), Quote.id.desc())
    )
    return [QuoteRequest(quotes.vehicle_label(row.vehicle), row.created_at) for row in rows]


@transaction
def request_quote(actor: Actor, car_id: object, service_ids: list[int], problem: str) -> quotes.QuoteInfo:
    """A customer's request: a draft quote for the shop to price and send (services and/or a described problem)."""
    account = _own_account(actor)
    errors = FieldErrors()
    car = None
    try:
        car = _own_car(actor, int(str(car_id)))
    except (ValueError, NotFound):
        errors.add("car", "please choose one of your cars")
    text = (problem or "").strip()
    if len(text) > 2000:
        errors.add("problem", "must be at most 2000 characters")
    if not service_ids and len(text) < 10:
        errors.add("problem", "please choose a service or describe the problem in a few words")
    items = []
    for service_id in service_ids[:20]:
        try:
            item = catalog.get_service(int(service_id), actor=actor)
        except (ValueError, NotFound, ValidationError):
            errors.add("service", "please choose services from the list")
            continue
        if not item.active:
            errors.add("service", f"{item.name} is no longer offered")
        items.append(item)
    errors.raise_if_any()
    assert car is not None
    note = REQUEST_NOTE + (f" Problem: {text}" if text else "")
    draft = quotes.create_quote(account.customer_id, car.id, notes=note, actor=SYSTEM)
    for item in items:
        quotes.add_line(draft.id, "service", service=item.id, actor=SYSTEM)
    audit.record(actor, "quote.request", "quote", draft.id, services=[i.id for i in items])
    return quotes.get_quote(draft.id, actor=SYSTEM)


def my_invoices(actor: Actor) -> list[invoices.InvoiceSummary]:
    account = _own_account(actor)
    return [i for i in invoices.list_invoices(customer_id=account.customer_id, actor=SYSTEM) if i.status != "draft"]


def my_invoice(actor: Actor, invoice_id: int) -> invoices.InvoiceInfo:
    account = _own_account(actor)
    try:
        info = invoices.get_invoice(int(invoice_id), actor=SYSTEM)
    except (NotFound, ValidationError):
        raise NotFound(f"no invoice {invoice_id}") from None
    if info.customer_id != account.customer_id or info.status == "draft":
        raise NotFound(f"no invoice {invoice_id}")
    return info


def my_invoice_pdf(actor: Actor, invoice_id: int) -> tuple[str, bytes]:
    """(file name, PDF bytes) of one of the customer's issued invoices or credit notes."""
    info = my_invoice(actor, invoice_id)
    return f"{'credit-note' if info.kind == 'credit_note' else 'invoice'}-{info.number}.pdf", invoices.pdf(
        info.id, actor=SYSTEM
    )


def quote_for_appointment(actor: Actor, appointment_id: int) -> int | None:
    """The id of the customer's quote this appointment was booked from, if any: its page links back to
    the quote, whose lines and accepted price are what the visit is for."""
    account = _own_account(actor)
    row = (
        Quote.select(Quote.id)
        .where(Quote.appointment == appointment_id, Quote.customer == account.customer_id, Quote.status != "draft")
        .order_by(Quote.id.desc())
        .first()
    )
    return row.id if row is not None else None


def invoices_for_appointment(actor: Actor, appointment_id: int) -> list[invoices.InvoiceSummary]:
    """The customer's issued invoices (and credit notes) for the job done at an appointment."""
    account = _own_account(actor)
    rows = (
        Invoice.select(Invoice.id)
        .join(Job, on=(Invoice.job == Job.id))
        .where(Job.appointment == appointment_id, Invoice.customer == account.customer_id, Invoice.status != "draft")
    )
    ids = {r.id for r in rows}
    if not ids:
        return []
    return [i for i in my_invoices(actor) if i.id in ids]


@transaction
def create_confirmed_account(customer_id: int, password: str, actor: Actor = SYSTEM) -> Account:
    """An account for an existing customer whose e-mail the shop has checked (demo data, front-desk help)."""
    from shop.auth import require

    require(actor, "customer.write")
    customer = CustomerRow.get_or_none(CustomerRow.id == customer_id)
    if customer is None:
        raise NotFound(f"no customer {customer_id}")
    if not customer.email:
        raise ValidationError({"email": "the customer has no e-mail address"})
    _check_new_password(password)
    now = clock.now()
    try:
        with database.atomic():
            row = CustomerAccount.create(
                customer=customer.id,
                email=customer.email,
                password_hash=hash_password(password),
                email_verified_at=now,
                password_changed_at=now,
                created_at=now,
            )
    except IntegrityError:
        raise Conflict(f"customer {customer_id} already has a portal account") from None
    audit.record(actor, "account.create", "customer_account", row.id, customer_id=customer.id)
    return _account_out(row, customer.name)
