"""Rules every "edit some fields of a record" service shares: which fields may change, and
optimistic concurrency (a stale version is refused instead of silently overwriting a colleague)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shop.errors import Conflict, ValidationError


def check_editable(fields: Mapping[str, Any], editable: Iterable[str]) -> None:
    allowed = list(editable)
    unknown = [f for f in fields if f not in allowed]
    if unknown:
        raise ValidationError({unknown[0]: f"cannot be edited; editable: {', '.join(allowed)}"})


def check_version(what: str, current: int, version: int | None) -> None:
    """Refuse an edit made on a copy read before someone else's change (VERSION None: no check)."""
    if version is not None and int(version) != current:
        raise Conflict(
            f"{what} was changed by someone else (version {current}, you edited {version}); reload and try again"
        )
