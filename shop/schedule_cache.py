"""Reuse of free slots, settings and services between requests while nothing they depend on changed.

The portal asks the same questions over and over (the free times of a day, the shop's name and
currency, the opening hours, the chosen services); each answer costs several queries and, for free slots, a sweep
of the day. This module keeps the answers in process memory, stamped with version counters that
triggers bump in the same transaction as any change to their inputs (migration 0040):

- ``config``: settings, opening hours, closures, bays, services and categories, mechanic hours,
  time off;
- one counter per UTC date for appointments (booked, cancelled, moved).

A request reads the counters it needs (one small query) and reuses a cached answer only when
they are unchanged, so a committed booking, cancellation or settings change is seen at once by
every process. The counters are read *before* the answer is computed: a change committed in
between is then stamped with the older counters and recomputed by the next request, never kept.

Free slots are computed once for all customers (no car) and then narrowed per request: starts
earlier than the minimum notice from now (time moves on while the answer is cached) and times
at which the customer's car is booked elsewhere (same rule as the sweep: the car's active
appointments overlapping [start, end)). Staff get no caching. The booking itself re-checks the
slot inside its transaction (`shop.booking.book`), so a cached slot can never double-book.

One answer is allowed to lag: `recent` keeps a public answer (the visitors' free-times page) for
up to a second without asking the counters at all. Everything a signed-in customer or the staff
see, and every booking, goes through the counters as above.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from shop import booking, catalog, clock, settings
from shop.auth import SYSTEM, Actor, Role, require
from shop.db import database, is_postgres
from shop.errors import FieldErrors, NotFound
from shop.models import Appointment
from shop.scheduling import calendar

T = TypeVar("T")
CONFIG = "config"
MAX_ENTRIES = 2048  # cached slot answers per process (a day's answer is a few kB)
# A local day's slots depend on appointments that start from two days before it (none spans two
# days, see shop.scheduling.availability.MAX_SPAN) and on the UTC dates a local day touches.
DAYS_BEFORE, DAYS_AFTER = 3, 1

_lock = threading.Lock()
_settings: dict[tuple[str, ...], tuple[int, dict[str, str]]] = {}
_services: dict[int, tuple[int, catalog.ServiceItem]] = {}
_slots: OrderedDict[tuple, tuple[tuple, datetime, list[booking.Slot]]] = OrderedDict()  # type: ignore[type-arg]
_hours: list[tuple[int, list[calendar.DayHours]] | None] = [None]
_memo: OrderedDict[tuple, tuple[object, object]] = OrderedDict()  # type: ignore[type-arg]
_recent: OrderedDict[tuple, tuple[float, object]] = OrderedDict()  # type: ignore[type-arg]
_monotonic = time.monotonic  # process time for `recent` (tests replace it), never the shop's clock
_owner: list[object] = [None]  # the database the cached answers came from (held, so its id is never reused)
SLOT_SETTINGS = ("shop.timezone", "schedule.min_notice_minutes")


def clear() -> None:
    """Forget everything (done by itself when the process opens another database)."""
    with _lock:
        _settings.clear()
        _services.clear()
        _slots.clear()
        _memo.clear()
        _recent.clear()
        _hours[0] = None
        _owner[0] = database.obj


def _same_database() -> None:
    """Counters of two databases are unrelated: answers from another one are dropped."""
    if database.obj is not _owner[0]:
        clear()


def _param() -> str:
    return "%s" if is_postgres() else "?"


def config_version() -> int:
    """The counter of everything but appointments: one query on the primary key."""
    _same_database()
    row = database.execute_sql(f"SELECT version FROM schedule_version WHERE scope = {_param()}", (CONFIG,)).fetchone()
    return int(row[0]) if row else 0


def get_settings(*keys: str, version: int | None = None) -> dict[str, str]:
    """`settings.get_many(*keys)`, reused while the config counter (read now, or VERSION) stands still."""
    current = config_version() if version is None else version
    hit = _settings.get(keys)
    if hit is not None and hit[0] == current:
        return hit[1]
    values = settings.get_many(*keys)
    with _lock:
        _settings[keys] = (current, values)
    return values


def get_service(service_id: int, actor: Actor = SYSTEM, version: int | None = None) -> catalog.ServiceItem:
    """`catalog.get_service(id)`, reused while the config counter stands still (NotFound is not kept)."""
    require(actor, "catalog.read")
    current = config_version() if version is None else version
    hit = _services.get(service_id)
    if hit is not None and hit[0] == current:
        return hit[1]
    item = catalog.get_service(int(service_id), actor=actor)
    with _lock:
        _services[service_id] = (current, item)
    return item


def get_hours(actor: Actor = SYSTEM, version: int | None = None) -> list[calendar.DayHours]:
    """`calendar.get_hours()` (the week's opening hours), reused while the config counter stands still."""
    current = config_version() if version is None else version
    hit = _hours[0]
    if hit is not None and hit[0] == current:
        return hit[1]
    hours = calendar.get_hours(actor=actor)
    _hours[0] = (current, hours)
    return hours


def reuse(key: tuple, version: object, make: Callable[[], T]) -> T:  # type: ignore[type-arg]
    """MAKE()'s answer for KEY, made again only when VERSION differs from the one it was made under.

    For answers a front end builds from this module's answers (a page that holds nothing personal):
    kept like them, and forgotten with them when the process opens another database.
    """
    _same_database()
    hit = _memo.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]  # type: ignore[return-value]
    value = make()
    _keep(_memo, key, (version, value))
    return value


def recent(key: tuple, max_age: float, make: Callable[[], T]) -> T:  # type: ignore[type-arg]
    """MAKE()'s answer for KEY when it was made less than MAX_AGE seconds ago, else made again.

    For public answers that may lag the database by a moment and are asked for many times a second
    (a visitor's free times: whatever it shows, a booking re-checks its time in its own transaction).
    Unlike `reuse` it asks the database nothing while the answer is fresh. Forgotten with every other
    answer when the process opens another database.
    """
    _same_database()
    now = _monotonic()
    hit = _recent.get(key)
    if hit is not None and now - hit[0] < max_age:
        return hit[1]  # type: ignore[return-value]
    value = make()
    _keep(_recent, key, (now, value))
    return value


def _keep(store: OrderedDict, key: tuple, entry: tuple) -> None:  # type: ignore[type-arg]
    """Store ENTRY under KEY, forgetting the oldest entries beyond MAX_ENTRIES."""
    with _lock:
        store[key] = entry
        while len(store) > MAX_ENTRIES:
            store.popitem(last=False)


@functools.cache
def _stamp_sql(postgres: bool, with_car: bool) -> str:
    """The counters query of `_stamp_and_car` (built once per engine: every slots request runs it).

    On SQLite the answer is one row of joined text: Python's sqlite3 lets other threads run at every
    row it steps to, and under a busy portal each such hand-off costs more than the row itself.
    """
    if not postgres:
        sql = (
            "SELECT (SELECT group_concat(scope || ' ' || version, ',') FROM schedule_version"
            " WHERE scope = ? OR scope BETWEEN ? AND ?)"
        )
        if with_car:
            sql += (
                ", (SELECT group_concat(start_at || ',' || end_at, ',') FROM appointment WHERE vehicle_id = ?"
                " AND start_at < ? AND start_at > ? AND status NOT IN ('cancelled', 'no_show'))"
            )
        return sql
    sql = "SELECT scope, version, NULL, NULL FROM schedule_version WHERE scope = %s OR scope BETWEEN %s AND %s"
    if with_car:
        sql += (
            " UNION ALL SELECT 'car', 0, start_at, end_at FROM appointment WHERE vehicle_id = %s"
            " AND start_at < %s AND start_at > %s AND status NOT IN ('cancelled', 'no_show')"
        )
    return sql


def _stamp_and_car(first: date, last: date, vehicle_id: int | None) -> tuple[tuple, list[tuple[datetime, datetime]]]:  # type: ignore[type-arg]
    """The counters for local days FIRST..LAST and the car's active appointments then: one round trip."""
    _same_database()
    low = (first - timedelta(days=DAYS_BEFORE)).isoformat()
    high = (last + timedelta(days=DAYS_AFTER)).isoformat()
    params: list[object] = [CONFIG, low, high]
    if vehicle_id is not None:
        field = Appointment.start_at
        window_start = datetime.combine(first - timedelta(days=DAYS_BEFORE), datetime.min.time(), tzinfo=UTC)
        window_end = datetime.combine(last + timedelta(days=DAYS_AFTER + 1), datetime.min.time(), tzinfo=UTC)
        params += [vehicle_id, field.db_value(window_end), field.db_value(window_start)]
    postgres = is_postgres()
    sql = _stamp_sql(postgres, vehicle_id is not None)
    stamp: list[tuple[str, int]] = []
    car: list[tuple[datetime, datetime]] = []
    parse = Appointment.start_at.python_value
    if postgres:
        for scope, version, start, end in database.execute_sql(sql, params).fetchall():
            if scope == "car":
                car.append((parse(start), parse(end)))
            else:
                stamp.append((scope, int(version)))
        return tuple(sorted(stamp)), car
    counters, *bookings = database.execute_sql(sql, params).fetchone()
    for part in (counters or "").split(","):
        if part:
            scope, version = part.split(" ")
            stamp.append((scope, int(version)))
    if bookings and bookings[0]:
        values = bookings[0].split(",")
        car = [(parse(values[i]), parse(values[i + 1])) for i in range(0, len(values), 2)]
    return tuple(sorted(stamp)), car


def _narrow(
    service_ids: Sequence[int],
    from_date: date,
    days: int,
    stamp: tuple,  # type: ignore[type-arg]
    car: list[tuple[datetime, datetime]],
    actor: Actor,
) -> list[booking.Slot]:
    """The customer's free starts from the cached answer for STAMP (computed once when it is missing)."""
    conf = get_settings(*SLOT_SETTINGS, version=dict(stamp).get(CONFIG, 0))
    now = clock.now()
    today = now.astimezone(ZoneInfo(conf["shop.timezone"])).date()  # the advance limit counts from today
    key = (tuple(service_ids), from_date, days, today)
    hit = _slots.get(key)
    if hit is not None and hit[0] == stamp and hit[1] <= now:  # a clock set back would need earlier starts
        slots = hit[2]
        with _lock:
            if key in _slots:
                _slots.move_to_end(key)
    else:
        slots = booking.available_slots(list(service_ids), from_date=from_date, days=days, actor=actor)
        _keep(_slots, key, (stamp, now, slots))
    earliest = now + timedelta(minutes=int(conf["schedule.min_notice_minutes"]))
    first = 0
    while first < len(slots) and slots[first].start < earliest:  # sorted by start; usually none or a few
        first += 1
    if not car:
        return slots[first:]
    return [s for s in slots[first:] if not any(a_start < s.end and s.start < a_end for a_start, a_end in car)]


def available_slots(
    service_ids: Sequence[int],
    from_date: date,
    days: int = 1,
    vehicle_id: int | None = None,
    actor: Actor = SYSTEM,
) -> list[booking.Slot]:
    """`booking.available_slots` for a customer, from the cache when nothing it depends on changed.

    Same answer as the uncached call (tests compare them); staff and mechanic questions are not
    cached and go straight through.
    """
    require(actor, "booking.own")
    if actor.role != Role.CUSTOMER:
        return booking.available_slots(list(service_ids), from_date=from_date, days=days, vehicle_id=vehicle_id,
                                       actor=actor)  # fmt: skip
    last = from_date + timedelta(days=days - 1)
    stamp, car = _stamp_and_car(from_date, last, vehicle_id)
    return _narrow(service_ids, from_date, days, stamp, car, actor)


@dataclass(frozen=True)
class VisitorDay:
    """The free times of one day for services chosen by anyone, signed in or not (the public times page)."""

    services: tuple[catalog.ServiceItem, ...]
    day: date
    slots: tuple[booking.Slot, ...]
    first_day: date  # today in the shop: nothing earlier can be booked
    last_day: date  # the last day customers may book (the advance limit)
    config_version: int  # the settings counter this answer was read under (the page's settings reuse it)
    # What the slots were worked out from (the counters, today, how many are left after the notice): equal
    # versions mean equal slots, so a page made from them can be reused without comparing every slot.
    version: tuple  # type: ignore[type-arg]

    @property
    def minutes(self) -> int:
        return sum(s.duration_minutes for s in self.services)

    @property
    def price(self) -> Decimal:
        """The services' catalogue prices added up (net, as every catalogue price)."""
        return sum((s.price for s in self.services), Decimal("0.00"))


MAX_SERVICES = 10
# Free times for a visitor follow a customer's rules (notice, advance limit), whoever asks: the answer is
# shared through the cache with every customer's, so staff rules must never be computed into it.
VISITOR = Actor(role=Role.CUSTOMER, name="portal visitor")


def visitor_day(service_ids: Sequence[object], day: str | None, actor: Actor = SYSTEM) -> VisitorDay:
    """Free starts of DAY (ISO date text; None: the first day with free times in the next two weeks) for the
    services, under the same rules as a customer's booking, without a car: anyone may ask before signing up.

    With a day this is one query (the counters, the settings counter among them) when the answer is cached;
    the page is asked for at every click, by people who have not decided to book yet.
    """
    require(actor, "catalog.read")
    errors = FieldErrors()
    ids: list[int] = []
    for value in list(service_ids)[:MAX_SERVICES]:
        try:
            ident = int(str(value).strip())
        except ValueError:
            errors.add("service", "please choose services from the list")
            continue
        if ident not in ids:
            ids.append(ident)
    if not ids and "service" not in errors.errors:
        errors.add("service", "please choose at least one service")
    chosen: date | None = None
    if day is not None and day.strip():
        try:
            chosen = date.fromisoformat(day.strip())
        except ValueError:
            errors.add("date", "please enter a date like 2026-11-25")
    if chosen is not None:
        stamp, _ = _stamp_and_car(chosen, chosen, None)
        config = dict(stamp).get(CONFIG, 0)
    else:
        config = config_version()
        stamp = None
    services = []
    for ident in ids:
        try:
            item = get_service(ident, actor=actor, version=config) if 0 < ident < 2**63 else None
        except NotFound:
            item = None
        if item is None:
            errors.add("service", "please choose services from the list")
        elif not item.active:
            errors.add("service", f"{item.name} can no longer be booked online")
        else:
            services.append(item)
    conf = get_settings("shop.timezone", "schedule.advance_days", version=config)
    today = clock.now().astimezone(ZoneInfo(conf["shop.timezone"])).date()
    last_day = today + timedelta(days=int(conf["schedule.advance_days"]))
    if chosen is not None and chosen < today:
        errors.add("date", f"that day has passed; please choose {today.isoformat()} or later")
    elif chosen is not None and chosen > last_day:
        errors.add("date", f"we take bookings up to {last_day.isoformat()}; please choose an earlier day")
    errors.raise_if_any()
    if chosen is None:  # the first day with free times, else today (its page then says there are none)
        found = available_slots(ids, today, min(14, (last_day - today).days + 1), actor=VISITOR)
        chosen = found[0].start.date() if found else today
        stamp, _ = _stamp_and_car(chosen, chosen, None)
    slots = _narrow(ids, chosen, 1, stamp, [], VISITOR)
    version = (stamp, today, len(slots))
    return VisitorDay(tuple(services), chosen, tuple(slots), today, last_day, config, version)
