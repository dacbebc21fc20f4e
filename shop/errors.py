"""The one family of errors that `shop` raises; front ends map them to exit codes and messages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class ShopError(Exception):
    """Base of every expected failure. Anything else escaping `shop` is a bug."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(ShopError):
    """The database URL, a setting or the environment is wrong; nothing was changed."""


class ValidationError(ShopError):
    """Input was refused. `fields` maps each bad field to the reason, in input order.

    OVERRIDABLE: the same call with `force=True` would go through (a lower mileage as a correction);
    each front end names its own way to say so (the CLI's --force, a form's check box), so the
    message itself names none.
    """

    def __init__(
        self, fields: Mapping[str, str] | str, message: str | None = None, *, overridable: bool = False
    ) -> None:
        if isinstance(fields, str):
            fields = {"": fields}
        self.fields = dict(fields)
        self.overridable = overridable
        if message is None:
            message = "; ".join(f"{name}: {why}" if name else why for name, why in self.fields.items())
        super().__init__(message)


class NotFound(ShopError):
    """The thing asked for does not exist (or is not visible to this caller)."""


class Forbidden(ShopError):
    """The caller's role does not allow this action."""


class Conflict(ShopError):
    """The change collides with stored state: a duplicate, a stale edit, a slot already taken.

    `alternatives` carries what the caller may try instead (e.g. free slots near the one taken).
    """

    def __init__(self, message: str, alternatives: Sequence[Any] = (), *, overridable: bool = False) -> None:
        """OVERRIDABLE as for `ValidationError`: `force=True` would accept it (a phone two customers share)."""
        super().__init__(message)
        self.alternatives = list(alternatives)
        self.overridable = overridable


class VisitsBooked(Conflict):
    """A car or customer about to leave (be archived) still has visits booked or under way.

    `visits` are those appointments (`shop.booking.Appointment`, soonest first), so a front end
    that words the refusal its own way (the customer portal) needs no second look-up. OVERRIDABLE:
    staff may archive anyway (`force=True`); the visits then stay booked.
    """

    def __init__(self, message: str, visits: Sequence[Any]) -> None:
        super().__init__(message, overridable=True)
        self.visits = list(visits)


class FieldErrors:
    """Collects per-field problems so a form or CSV row reports all of them at once."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, field: str, why: str) -> None:
        self.errors.setdefault(field, why)

    def check(self, field: str, fn, *args: Any, **kwargs: Any) -> Any:  # type: ignore[no-untyped-def]
        """Call fn; a ValidationError it raises is recorded against FIELD and None returned."""
        try:
            return fn(*args, **kwargs)
        except ValidationError as exc:
            self.add(field, next(iter(exc.fields.values())))
            return None

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)
