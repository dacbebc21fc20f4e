"""The one clock. Every "now" in garage comes from here, so tests and demos can fix time.

`GARAGE_NOW` (an ISO instant) freezes the clock for a whole process; tests use `use_clock`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self.at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at += delta

    def set(self, at: datetime) -> None:
        self.at = at.astimezone(UTC)


def _from_env() -> Clock:
    value = os.environ.get("GARAGE_NOW")
    if value:
        at = datetime.fromisoformat(value)
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        return FrozenClock(at)
    return SystemClock()


_clock: Clock = _from_env()


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return _clock.now()


def set_clock(clock: Clock) -> Clock:
    global _clock
    previous, _clock = _clock, clock
    return previous


@contextlib.contextmanager
def use_clock(clock: Clock) -> Iterator[Clock]:
    previous = set_clock(clock)
    try:
        yield clock
    finally:
        set_clock(previous)
