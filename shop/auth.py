"""Who may do what. Front ends ask `can`/`require`; they never decide on their own."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shop.errors import Forbidden


class Role(StrEnum):
    ADMIN = "admin"
    FRONT_DESK = "front_desk"
    MECHANIC = "mechanic"
    CUSTOMER = "customer"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """The caller of a service: a staff member, a portal customer, or the system (CLI, cron)."""

    role: Role
    name: str
    staff_id: int | None = None
    customer_id: int | None = None


SYSTEM = Actor(role=Role.SYSTEM, name="system")

_STAFF = {Role.ADMIN, Role.FRONT_DESK}
_ALL_STAFF = {Role.ADMIN, Role.FRONT_DESK, Role.MECHANIC}

# action -> roles allowed. SYSTEM (the CLI run by the shop owner, cron) may do everything.
PERMISSIONS: dict[str, set[Role]] = {
    "customer.read": _ALL_STAFF,
    "customer.write": _STAFF,
    "vehicle.read": _ALL_STAFF,
    "vehicle.write": _STAFF,
    "catalog.read": _ALL_STAFF | {Role.CUSTOMER},
    "catalog.write": {Role.ADMIN},
    "staff.read": {Role.ADMIN},
    "staff.write": {Role.ADMIN},
    "settings.read": _ALL_STAFF,
    "settings.write": {Role.ADMIN},
    "schedule.read": _ALL_STAFF,
    "schedule.write": {Role.ADMIN},
    "booking.read": _ALL_STAFF,
    "booking.write": _STAFF,
    "booking.own": _STAFF | {Role.CUSTOMER},  # book/move/cancel: customers only their own, within policy
    "booking.status": _ALL_STAFF,
    "booking.assign": _STAFF,  # the desk plans who does what; mechanics see it on the jobs board
    "job.read": _ALL_STAFF,
    "job.work": _ALL_STAFF,
    "job.status": _ALL_STAFF,
    "inventory.read": _ALL_STAFF,
    "inventory.write": _STAFF,
    "inventory.use": _ALL_STAFF,
    "quote.read": _ALL_STAFF,
    "quote.write": _STAFF,
    "invoice.read": _STAFF,
    "invoice.write": _STAFF,
    "report.read": {Role.ADMIN},
    "notify.read": _STAFF,
    "notify.write": {Role.ADMIN},
    "review.read": _ALL_STAFF,
    "review.write": _STAFF,
    "ops.run": {Role.ADMIN},
    "inventory.backorder": {Role.ADMIN},
}


def can(actor: Actor, action: str) -> bool:
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}")
    return actor.role == Role.SYSTEM or actor.role in PERMISSIONS[action]


def require(actor: Actor, action: str) -> None:
    if not can(actor, action):
        raise Forbidden(f"{actor.name} ({actor.role.value}) may not {action.replace('.', ' ')}")


# OWASP's first argon2id option (m=19 MiB, t=2, p=1) is the floor; argon2-cffi's default is stronger.
_hasher = PasswordHasher()


def set_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Swap the hasher (tests use cheap parameters); returns the previous one."""
    global _hasher
    previous, _hasher = _hasher, hasher
    return previous


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    try:
        return _hasher.check_needs_rehash(stored)
    except InvalidHashError:
        return True


MIN_PASSWORD = 10


def check_password_strength(password: str) -> str | None:
    """The reason a new password is refused, or None."""
    if len(password) < MIN_PASSWORD:
        return f"must be at least {MIN_PASSWORD} characters"
    if password.strip() != password:
        return "must not start or end with spaces"
    if len(set(password)) < 4:
        return "is too repetitive"
    return None
