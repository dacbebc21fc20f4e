"""In-transaction domain events.

A service publishes an event (a frozen dataclass) inside its transaction; subscribers run right
away, in the same transaction, so whatever they write (an outbox message, an audit line) commits
or rolls back with the change that caused it. Subscribers must not do I/O beyond the database.
Areas subscribe by being listed in `SUBSCRIBER_MODULES`, imported on first publish.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

E = TypeVar("E")

_subscribers: dict[type, list[Callable[[Any], None]]] = defaultdict(list)
_loaded = False

# Modules whose import registers subscribers (e.g. the notification rules).
SUBSCRIBER_MODULES: list[str] = [
    "shop.notifications.rules",
]


def subscribe(event_type: type[E]) -> Callable[[Callable[[E], None]], Callable[[E], None]]:
    def register(fn: Callable[[E], None]) -> Callable[[E], None]:
        if fn not in _subscribers[event_type]:
            _subscribers[event_type].append(fn)
        return fn

    return register


def _load() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for name in SUBSCRIBER_MODULES:
            importlib.import_module(name)


def publish(event: Any) -> None:
    _load()
    for fn in list(_subscribers.get(type(event), ())):
        fn(event)
