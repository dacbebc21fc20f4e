"""Staff accounts and logins for the TUI."""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import IntegrityError

from shop import audit, clock
from shop.auth import (
    SYSTEM,
    Actor,
    Role,
    check_password_strength,
    hash_password,
    needs_rehash,
    require,
    verify_password,
)
from shop.db import transaction
from shop.errors import Conflict, FieldErrors, NotFound, ValidationError
from shop.models import Staff

STAFF_ROLES = (Role.ADMIN, Role.FRONT_DESK, Role.MECHANIC)
_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")


@dataclass(frozen=True)
class StaffMember:
    id: int
    username: str
    full_name: str
    role: str
    email: str | None
    active: bool
    created_at: datetime

    def actor(self) -> Actor:
        return Actor(role=Role(self.role), name=self.username, staff_id=self.id)


def _out(row: Staff) -> StaffMember:
    return StaffMember(row.id, row.username, row.full_name, row.role, row.email, row.active, row.created_at)


def parse_role(value: str) -> Role:
    try:
        role = Role(value.strip().lower().replace("-", "_"))
    except ValueError:
        role = None
    if role not in STAFF_ROLES:
        raise ValidationError({"role": f"unknown role {value!r}; use admin, front_desk or mechanic"})
    return role  # type: ignore[return-value]


@transaction
def add_staff(
    username: str, full_name: str, role: str, password: str, email: str | None = None, actor: Actor = SYSTEM
) -> StaffMember:
    require(actor, "staff.write")
    errors = FieldErrors()
    username = username.strip().lower()
    if not _USERNAME.match(username):
        errors.add("username", "use 2-32 lower-case letters, digits, '.', '_' or '-', starting with a letter")
    if not full_name.strip():
        errors.add("full_name", "must not be empty")
    parsed_role = errors.check("role", parse_role, role)
    why = check_password_strength(password)
    if why:
        errors.add("password", why)
    errors.raise_if_any()
    try:
        with Staff._meta.database.atomic():
            row = Staff.create(
                username=username,
                full_name=full_name.strip(),
                role=parsed_role.value,
                password_hash=hash_password(password),
                email=(email or "").strip() or None,
                active=True,
                created_at=clock.now(),
            )
    except IntegrityError:
        raise Conflict(f"username {username!r} is already taken") from None
    audit.record(actor, "staff.add", "staff", row.id, username=username, role=parsed_role.value)
    return _out(row)


def _get(ref: int | str) -> Staff:
    row = Staff.get_or_none(Staff.id == ref) if isinstance(ref, int) else Staff.get_or_none(Staff.username == ref)
    if row is None:
        raise NotFound(f"no staff member {ref!r}")
    return row


def get_staff(ref: int | str, actor: Actor = SYSTEM) -> StaffMember:
    row = _get(ref)
    if actor.staff_id != row.id:
        require(actor, "staff.read")
    return _out(row)


def list_staff(role: str | None = None, include_inactive: bool = False, actor: Actor = SYSTEM) -> list[StaffMember]:
    query = Staff.select().order_by(Staff.full_name)
    if role:
        query = query.where(Staff.role == parse_role(role).value)
    if not include_inactive:
        query = query.where(Staff.active == True)
    return [_out(r) for r in query]


@transaction
def set_active(ref: int | str, active: bool, actor: Actor = SYSTEM) -> StaffMember:
    require(actor, "staff.write")
    row = _get(ref)
    if not active and row.role == Role.ADMIN.value and row.active:
        others = Staff.select().where(Staff.role == Role.ADMIN.value, Staff.active == True, Staff.id != row.id)
        if not others.exists():
            raise Conflict("cannot deactivate the last active admin")
    row.active = active
    row.save()
    audit.record(actor, "staff.activate" if active else "staff.deactivate", "staff", row.id)
    return _out(row)


@transaction
def set_role(ref: int | str, role: str, actor: Actor = SYSTEM) -> StaffMember:
    require(actor, "staff.write")
    row = _get(ref)
    new = parse_role(role)
    if row.role == Role.ADMIN.value and new != Role.ADMIN:
        others = Staff.select().where(Staff.role == Role.ADMIN.value, Staff.active == True, Staff.id != row.id)
        if not others.exists():
            raise Conflict("cannot take the admin role from the last active admin")
    row.role = new.value
    row.save()
    audit.record(actor, "staff.role", "staff", row.id, role=new.value)
    return _out(row)


@transaction
def set_password(ref: int | str, password: str, actor: Actor = SYSTEM) -> None:
    row = _get(ref)
    if actor.staff_id != row.id:
        require(actor, "staff.write")
    why = check_password_strength(password)
    if why:
        raise ValidationError({"password": why})
    row.password_hash = hash_password(password)
    row.save()
    audit.record(actor, "staff.passwd", "staff", row.id)


@transaction
def authenticate(username: str, password: str) -> StaffMember:
    """The staff member for these credentials; one vague message for every failure."""
    row = Staff.get_or_none(Staff.username == username.strip().lower())
    if row is None or not row.active or not verify_password(row.password_hash, password):
        raise ValidationError({"password": "wrong username or password"})
    if needs_rehash(row.password_hash):
        row.password_hash = hash_password(password)
        row.save()
    return _out(row)


# Login throttling for interactive front ends (the TUI): after FREE_LOGIN_ATTEMPTS failures in a row
# for one username, each further attempt must wait twice as long as the one before (capped), so a
# guesser at a terminal gets a handful of tries a minute. Kept per process: one TUI is one process.
FREE_LOGIN_ATTEMPTS = 3
MAX_LOGIN_DELAY = timedelta(seconds=60)
_login_failures: dict[str, tuple[int, datetime]] = {}
_login_lock = threading.Lock()


def login_delay(username: str) -> timedelta:
    """How long USERNAME must still wait before the next attempt is even checked (zero: go ahead)."""
    key = username.strip().lower()
    with _login_lock:
        count, last = _login_failures.get(key, (0, None))
    if count < FREE_LOGIN_ATTEMPTS or last is None:
        return timedelta(0)
    wait = min(timedelta(seconds=2 ** (count - FREE_LOGIN_ATTEMPTS + 1)), MAX_LOGIN_DELAY)
    return max(last + wait - clock.now(), timedelta(0))


def login(username: str, password: str) -> StaffMember:
    """`authenticate`, slowed down after repeated failures for the same username."""
    key = username.strip().lower()
    delay = login_delay(key)
    if delay > timedelta(0):
        seconds = math.ceil(delay.total_seconds())
        raise ValidationError({"password": f"too many failed attempts; try again in {seconds} s"})
    try:
        member = authenticate(username, password)
    except ValidationError:
        with _login_lock:
            count, _ = _login_failures.get(key, (0, None))
            _login_failures[key] = (count + 1, clock.now())
        raise
    with _login_lock:
        _login_failures.pop(key, None)
    return member


def reset_login_failures() -> None:
    """Forget every failed-login count (tests, or an admin unlocking a terminal by restarting it)."""
    with _login_lock:
        _login_failures.clear()
