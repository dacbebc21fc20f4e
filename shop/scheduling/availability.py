"""Free slots: when do the requested services fit in one bay that can do them?

`available_slots` loads the window once (settings, services, opening hours, closures, bays, the
window's active appointments, and the mechanics when one is needed: a handful of queries whatever
the window's length) and then sweeps each open interval of each day on the slot grid, checking
each bay's merged busy intervals by bisection. A start S is free for a job of work D when:

- [S, S+D] lies inside one opening interval of a day that is not closed, a holiday or full
  (the day cap counts active appointments starting that local day);
- S is on that interval's grid (interval start + k × slot_minutes, real minutes, so DST days get
  every real wall time exactly once);
- some active bay with every capability the services need is idle over [S, S+D+buffer): no
  active appointment's occupied interval [start, end+buffer) overlaps it;
- the car is not booked elsewhere during [S, S+D); with a mechanic, the mechanic works over
  [S, S+D] (their hours, or the shop's if they have none) and has no appointment or time off
  overlapping [S, S+D+buffer);
- for customers: S is at least the minimum notice from now and its day at most the advance limit
  ahead; for staff: S is not in the past.
"""

from __future__ import annotations

import bisect
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from shop import clock, settings
from shop.auth import SYSTEM, Actor, Role, require
from shop.db import is_postgres
from shop.errors import ValidationError
from shop.models import Appointment, MechanicHours, Service, Staff, TimeOff
from shop.scheduling import calendar, sql

INACTIVE_STATUSES = ("cancelled", "no_show")
# No appointment spans two days (the database refuses it), so a window's appointments all start
# after window start - MAX_SPAN: a bounded range on the start_at index, however long the history.
MAX_SPAN = timedelta(days=2)
MAX_DAYS = 366


@dataclass(frozen=True)
class Slot:
    start: datetime  # shop local time with offset
    end: datetime  # end of the work (the buffer is not shown)

    def __str__(self) -> str:
        return f"{self.start:%a %Y-%m-%d %H:%M}-{self.end:%H:%M} (UTC{self.start:%z})"


@dataclass(frozen=True)
class ServiceRef:
    id: int
    name: str
    duration_minutes: int
    price: Decimal
    requires_capability: str | None


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)


def seconds(instant: datetime) -> int:
    """Aware datetime -> whole seconds since the epoch: the sweep's time unit.

    Plain ints compare and subtract several times faster than datetimes, and every scheduling
    time is on a whole minute (opening hours, the grid, durations and buffers are minutes).
    """
    return (instant - EPOCH) // _SECOND


def _span(value: timedelta) -> int:
    return value // _SECOND


class Busy:
    """Merged, sorted, disjoint intervals (whole seconds since the epoch) with an O(log n) overlap test."""

    __slots__ = ("ends", "starts")

    def __init__(self, intervals: Iterable[tuple[datetime | int, datetime | int]] = ()) -> None:
        pairs = [
            (a if isinstance(a, int) else seconds(a), b if isinstance(b, int) else seconds(b)) for a, b in intervals
        ]
        self.starts, self.ends = _merge(pairs)

    @classmethod
    def of_seconds(cls, pairs: list[tuple[int, int]]) -> Busy:
        """From (start, end) pairs already in seconds (sorted here, in place)."""
        busy = cls.__new__(cls)
        busy.starts, busy.ends = _merge(pairs)
        return busy

    def free(self, start: datetime, end: datetime) -> bool:
        return self.free_s(seconds(start), seconds(end))

    def free_s(self, start: int, end: int) -> bool:
        """Is [start, end) clear of every interval?"""
        i = bisect.bisect_right(self.ends, start)
        return i == len(self.starts) or self.starts[i] >= end

    def covers(self, start: datetime, end: datetime) -> bool:
        return self.covers_s(seconds(start), seconds(end))

    def covers_s(self, start: int, end: int) -> bool:
        """Used for working windows: is [start, end] inside one merged interval?"""
        i = bisect.bisect_right(self.starts, start) - 1
        return i >= 0 and self.ends[i] >= end


def _merge(pairs: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Sort PAIRS and merge overlapping or touching ones; empty intervals are dropped."""
    pairs.sort()
    starts: list[int] = []
    ends: list[int] = []
    last = None
    for start, end in pairs:
        if end <= start:
            continue
        if last is not None and start <= last:
            if end > last:
                ends[-1] = last = end
        else:
            starts.append(start)
            ends.append(end)
            last = end
    return starts, ends


@dataclass
class Problem:
    """Everything the sweep needs, in UTC; built by `load`, or directly by tests."""

    windows: list[tuple[date, datetime, datetime]]  # open intervals of open days (local day, start, end)
    bays: dict[int, Busy]  # capable bays in preference order -> occupied intervals
    duration: timedelta
    buffer: timedelta
    grid: timedelta
    earliest: datetime | None = None
    last_day: date | None = None
    full_days: set[date] = field(default_factory=set)
    vehicle_busy: Busy = field(default_factory=Busy)
    # None: no mechanic needed; else mechanic id -> (working windows, busy)
    mechanics: dict[int, tuple[Busy | None, Busy]] | None = None
    tz: ZoneInfo | None = None  # the shop's zone, read with the other settings


@dataclass(frozen=True)
class Candidate:
    start: datetime  # UTC
    end: datetime
    bays: tuple[int, ...]  # free bays at START, in preference order
    mechanics: tuple[int, ...]  # free mechanics (empty when none is needed)


def sweep(problem: Problem) -> list[Candidate]:
    """Walk each bay's busy intervals through each open window once, collecting the free grid points.

    Grid point k of a window is open_at + k × grid. A busy interval [b0, b1) rules out the points
    with start + work + buffer > b0 and start < b1, so between two busy intervals the free points
    are one arithmetic range: the cost is O(busy intervals + free points), not points × bays.
    All arithmetic is on whole seconds; datetimes are made only for the free starts found.
    """
    out: list[Candidate] = []
    work, grid = _span(problem.duration), _span(problem.grid)
    block = work + _span(problem.buffer)
    earliest = None if problem.earliest is None else seconds(problem.earliest)
    bays = [(bay, busy.starts, busy.ends) for bay, busy in problem.bays.items()]
    vehicle, mechanics = problem.vehicle_busy, problem.mechanics
    full, last_day = problem.full_days, problem.last_day
    bisect_right = bisect.bisect_right
    for day, open_dt, close_dt in problem.windows:
        if day in full or (last_day is not None and day > last_day):
            continue
        open_at = seconds(open_dt)
        first_k = 0
        if earliest is not None and earliest > open_at:
            first_k = -((open_at - earliest) // grid)  # ceil division
        last_k = (seconds(close_dt) - work - open_at) // grid
        if last_k < first_k:
            continue
        first_start = open_at + first_k * grid
        limit = open_at + last_k * grid + block
        free_at: dict[int, list[int]] = {}
        for bay, starts, ends in bays:
            i = bisect_right(ends, first_start)
            n = len(starts)
            k = first_k
            while k <= last_k:
                if i < n and starts[i] < limit:
                    upto = min(last_k, (starts[i] - block - open_at) // grid)
                    after = -((open_at - ends[i]) // grid)
                    i += 1
                else:
                    upto, after = last_k, last_k + 1
                for free_k in range(k, upto + 1):
                    if free_k in free_at:
                        free_at[free_k].append(bay)
                    else:
                        free_at[free_k] = [bay]
                if after > k:
                    k = after
        for k in sorted(free_at):
            start = open_at + k * grid
            found = _candidate(start, work, block, tuple(free_at[k]), vehicle, mechanics)
            if found is not None:
                out.append(found)
    return out


def _candidate(
    start: int,
    work: int,
    block: int,
    bays: tuple[int, ...],
    vehicle: Busy,
    mechanics: dict[int, tuple[Busy | None, Busy]] | None,
) -> Candidate | None:
    """The candidate at START (seconds) given its free BAYS, or None if the car or the mechanics forbid it."""
    end = start + work
    if not vehicle.free_s(start, end):
        return None
    free_mechanics: tuple[int, ...] = ()
    if mechanics is not None:
        free_mechanics = tuple(
            m
            for m, (hours, busy) in mechanics.items()
            if (hours is None or hours.covers_s(start, end)) and busy.free_s(start, start + block)
        )
        if not free_mechanics:
            return None
    at = EPOCH + timedelta(seconds=start)
    return Candidate(at, at + timedelta(seconds=work), bays, free_mechanics)


def check(problem: Problem, start: datetime) -> Candidate | None:
    """What `sweep` finds at START alone, or None when START is not a free start.

    A booking needs one start, not a window's: this costs a bisection per bay instead of a walk
    over the day (the property tests prove it agrees with `sweep`).
    """
    s = seconds(start)
    work, grid = _span(problem.duration), _span(problem.grid)
    block = work + _span(problem.buffer)
    if problem.earliest is not None and s < seconds(problem.earliest):
        return None
    for day, open_dt, close_dt in problem.windows:
        open_at = seconds(open_dt)
        if s < open_at or s + work > seconds(close_dt) or (s - open_at) % grid:
            continue
        if day in problem.full_days or (problem.last_day is not None and day > problem.last_day):
            continue
        bays = tuple(bay for bay, busy in problem.bays.items() if busy.free_s(s, s + block))
        found = _candidate(s, work, block, bays, problem.vehicle_busy, problem.mechanics) if bays else None
        if found is not None:
            return found
    return None


# ---------------------------------------------------------------- loading


def resolve_services(refs: Sequence[int | str]) -> list[ServiceRef]:
    """Services by id or (case-insensitive) name, in the order given; one query."""
    if not refs:
        raise ValidationError({"services": "choose at least one service"})
    ids = [int(r) for r in refs if isinstance(r, int) or str(r).strip().isdigit()]
    names = [str(r).strip().lower() for r in refs if not (isinstance(r, int) or str(r).strip().isdigit())]
    ids, names = ids or [0], names or [""]
    price = Service.price.python_value
    found = sql.rows(
        "SELECT id, name, duration_minutes, price, requires_capability, active FROM service"
        f" WHERE id IN ({', '.join('?' * len(ids))}) OR LOWER(name) IN ({', '.join('?' * len(names))})",
        [*ids, *names],
    )
    by_id = {r[0]: r for r in found}
    by_name = {r[1].lower(): r for r in found}
    out = []
    for ref in refs:
        row = (
            by_id.get(int(ref))
            if isinstance(ref, int) or str(ref).strip().isdigit()
            else by_name.get(str(ref).strip().lower())
        )
        if row is None:
            raise ValidationError({"services": f"no service {ref!r}"})
        service_id, name, minutes, cents, capability, active = row
        if not active:
            raise ValidationError({"services": f"service {name!r} is no longer offered"})
        out.append(ServiceRef(service_id, name, minutes, price(cents), capability))
    return out


def _week(rows: Iterable) -> dict[int, list[tuple[int, int]]]:  # type: ignore[type-arg]
    week: dict[int, list[tuple[int, int]]] = {}
    for r in rows:
        week.setdefault(r.weekday, []).append((r.start_minute, r.end_minute))
    return week


def opening_week() -> dict[int, list[tuple[int, int]]]:
    """The shop's opening hours: weekday -> [(start minute, end minute)], one plain query."""
    week: dict[int, list[tuple[int, int]]] = {}
    for weekday, lo, hi in sql.rows("SELECT weekday, start_minute, end_minute FROM opening_hours"):
        week.setdefault(weekday, []).append((lo, hi))
    return week


SETTING_KEYS = (
    "shop.timezone",
    "schedule.slot_minutes",
    "schedule.buffer_minutes",
    "schedule.min_notice_minutes",
    "schedule.advance_days",
    "schedule.day_cap",
    "schedule.holidays_country",
    "schedule.holidays_subdivision",
)


def load(
    services: Sequence[ServiceRef],
    first: date,
    last: date,
    actor: Actor = SYSTEM,
    vehicle_id: int | None = None,
    mechanic_id: int | None = None,
    need_mechanic: bool = False,
    exclude_appointment_id: int | None = None,
    bay_ids: Sequence[int] | None = None,
    only: tuple[datetime, datetime] | None = None,
    bay_rows: Sequence[tuple[int, str, int]] | None = None,
    conf: dict[str, str] | None = None,
) -> Problem:
    """Read the window FIRST..LAST (local days) into a `Problem`.

    ONLY=(start, end) reads just the appointments overlapping that interval (enough to decide one
    start, as a booking does) instead of the whole window's. BAY_ROWS (id, capabilities, position
    of the active bays) and CONF (the `SETTING_KEYS`) may be passed by a caller that has read them.
    Every read is a plain query: settings, closures, opening hours, bays, the appointments (one
    query whatever the window's length), and the mechanics' hours and time off when one is needed.
    """
    if conf is None:
        conf = settings.get_many(*SETTING_KEYS)
    tz = ZoneInfo(conf["shop.timezone"])
    closed = calendar.closed_days(first, last, conf["schedule.holidays_country"], conf["schedule.holidays_subdivision"])
    windows = calendar.weekly_windows(first, last, opening_week(), tz, set(closed))
    range_start = calendar.local_instant(first, 0, tz)
    range_end = calendar.local_instant(last + timedelta(days=1), 0, tz)

    needed = {s.requires_capability.strip().lower() for s in services if s.requires_capability}
    if bay_rows is None:
        bay_rows = sql.rows("SELECT id, capabilities, position FROM bay WHERE active ORDER BY position, id")
    capable = []
    for bay_id, capabilities, position in bay_rows:
        caps = calendar.split_capabilities(capabilities)
        if needed <= set(caps) and (bay_ids is None or bay_id in bay_ids):
            capable.append((len(caps), position, bay_id))
    # Prefer the plainest bay that can do the job, keeping special equipment free for those who need it.
    capable.sort()

    now = clock.now()
    if actor.role == Role.CUSTOMER:
        earliest = now + timedelta(minutes=int(conf["schedule.min_notice_minutes"]))
        last_day = calendar.to_local(now).date() + timedelta(days=int(conf["schedule.advance_days"]))
    else:
        earliest, last_day = now, None

    by_bay: dict[int, list[tuple[int, int]]] = {bay_id: [] for _, _, bay_id in capable}
    by_mechanic: dict[int, list[tuple[int, int]]] = {}
    vehicle: list[tuple[int, int]] = []
    cap = int(conf["schedule.day_cap"])
    need_mechanics = mechanic_id is not None or need_mechanic
    rows = _window_rows(only or (range_start, range_end), exclude_appointment_id, vehicle_id, need_mechanics)
    for bay_id, start, block_end, *more in rows:
        busy = by_bay.get(bay_id)
        if busy is not None:
            busy.append((start, block_end))
        if more:
            vehicle_end, mech_id = more
            if vehicle_end is not None:
                vehicle.append((start, vehicle_end))
            if mech_id is not None:
                by_mechanic.setdefault(mech_id, []).append((start, block_end))
    full: set[date] = set()
    if cap and only is not None:
        full = _full_days(first, last, tz, cap, exclude_appointment_id)
    elif cap:
        full = _full_days_of(rows, first, last, tz, cap)

    mechanics = None
    if need_mechanics:
        mechanics = _mechanics(mechanic_id, first, last, tz, range_start, range_end, by_mechanic)

    return Problem(
        windows=windows,
        bays={bay_id: Busy.of_seconds(by_bay[bay_id]) for _, _, bay_id in capable},
        duration=timedelta(minutes=sum(s.duration_minutes for s in services)),
        buffer=timedelta(minutes=int(conf["schedule.buffer_minutes"])),
        grid=timedelta(minutes=int(conf["schedule.slot_minutes"])),
        earliest=earliest,
        last_day=last_day,
        full_days=full,
        vehicle_busy=Busy.of_seconds(vehicle),
        mechanics=mechanics,
        tz=tz,
    )


def _midnights(first: date, last: date, tz: ZoneInfo) -> list[int]:
    """Seconds of local midnight of each day FIRST..LAST+1 (bisect a start into its local day)."""
    return [seconds(calendar.local_instant(first + timedelta(days=i), 0, tz)) for i in range((last - first).days + 2)]


def _full_days_of(rows: list[tuple], first: date, last: date, tz: ZoneInfo, cap: int) -> set[date]:  # type: ignore[type-arg]
    """Days FIRST..LAST with at least CAP active appointments starting on them, counted from ROWS."""
    bounds = _midnights(first, last, tz)
    counts: dict[int, int] = {}
    for row in rows:
        i = bisect.bisect_right(bounds, row[1]) - 1
        if 0 <= i < len(bounds) - 1:
            counts[i] = counts.get(i, 0) + 1
    return {first + timedelta(days=i) for i, n in counts.items() if n >= cap}


def _full_days(first: date, last: date, tz: ZoneInfo, cap: int, exclude_id: int | None) -> set[date]:
    """Like `_full_days_of` when only part of the window's appointments were read: one count per day."""
    full = set()
    day = first
    while day <= last:
        params: list[object] = [
            _stamp(calendar.local_instant(day, 0, tz)),
            _stamp(calendar.local_instant(day + timedelta(days=1), 0, tz)),
        ]
        text = f"SELECT COUNT(*) FROM appointment WHERE start_at >= ? AND start_at < ? AND status NOT IN {_INACTIVE}"
        if exclude_id is not None:
            text += " AND id <> ?"
            params.append(exclude_id)
        if sql.rows(text, params)[0][0] >= cap:
            full.add(day)
        day += timedelta(days=1)
    return full


def _mechanics(
    mechanic_id: int | None,
    first: date,
    last: date,
    tz: ZoneInfo,
    range_start: datetime,
    range_end: datetime,
    by_mechanic: dict[int, list[tuple[int, int]]],
) -> dict[int, tuple[Busy | None, Busy]]:
    """Each candidate mechanic's working windows (None: the shop's hours) and busy time (jobs, time off)."""
    if mechanic_id is not None:
        staff = [calendar.get_mechanic(mechanic_id)]
        if not staff[0].active:
            raise ValidationError({"mechanic": f"{staff[0].username} is deactivated"})
    else:
        staff = list(Staff.select().where(Staff.role == "mechanic", Staff.active == True).order_by(Staff.id))
    ids = [s.id for s in staff]
    hours: dict[int, list] = {}  # type: ignore[type-arg]
    for h in MechanicHours.select().where(MechanicHours.staff.in_(ids)):
        hours.setdefault(h.staff_id, []).append(h)
    busy: dict[int, list[tuple[int, int]]] = {m: list(by_mechanic.get(m, [])) for m in ids}
    for t in TimeOff.select().where(TimeOff.staff.in_(ids), TimeOff.start_at < range_end, TimeOff.end_at > range_start):
        busy[t.staff_id].append((seconds(t.start_at), seconds(t.end_at)))
    mechanics: dict[int, tuple[Busy | None, Busy]] = {}
    for m in ids:
        own = None
        if m in hours:
            own = Busy((s, e) for _, s, e in calendar.weekly_windows(first, last, _week(hours[m]), tz))
        mechanics[m] = (own, Busy.of_seconds(busy[m]))
    return mechanics


_INACTIVE = "(" + ", ".join(f"'{s}'" for s in INACTIVE_STATUSES) + ")"


def _stamp(instant: datetime) -> object:
    return Appointment.start_at.db_value(instant)


def _epoch(column: str) -> str:
    """SQL for COLUMN (a stored UTC instant) as whole seconds since the epoch."""
    if is_postgres():
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT)"
    if sqlite3.sqlite_version_info >= (3, 38):
        return f"unixepoch({column})"
    return f"CAST(strftime('%s', {column}) AS INTEGER)"


def _window_rows(
    span: tuple[datetime, datetime],
    exclude_id: int | None,
    vehicle_id: int | None,
    mechanics: bool,
) -> list[tuple]:  # type: ignore[type-arg]
    """Active appointments whose occupied time [start, block end) overlaps SPAN: one plain query.

    Rows are (bay id, start, block end[, the car's end or None, mechanic id]) in whole seconds;
    the last two columns only when a car or a mechanic is involved. The database turns the times
    into integers: parsing them in Python, or building peewee rows, cost several times the query.
    No appointment spans two days (the database refuses it), so the rows all start after
    span start - MAX_SPAN: a bounded range on the start_at index, however long the history.
    """
    columns = f"bay_id, {_epoch('start_at')}, {_epoch('block_end_at')}"
    params: list[object] = []
    if vehicle_id is not None or mechanics:
        columns += f", CASE WHEN vehicle_id = ? THEN {_epoch('end_at')} END, mechanic_id"
        params.append(vehicle_id if vehicle_id is not None else 0)
    text = (
        f"SELECT {columns} FROM appointment WHERE start_at < ? AND start_at > ? AND block_end_at > ?"
        f" AND status NOT IN {_INACTIVE}"
    )
    params += [_stamp(span[1]), _stamp(span[0] - MAX_SPAN), _stamp(span[0])]
    if exclude_id is not None:
        text += " AND id <> ?"
        params.append(exclude_id)
    return sql.rows(text, params)


def _check_days(days: int) -> int:
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": f"must be between 1 and {MAX_DAYS}"})
    return days


def find(
    service_refs: Sequence[int | str],
    from_date: str | date | None = None,
    days: int = 7,
    vehicle_id: int | None = None,
    actor: Actor = SYSTEM,
    mechanic_id: int | None = None,
    need_mechanic: bool = False,
    exclude_appointment_id: int | None = None,
) -> list[Candidate]:
    """Like `available_slots`, with the free bays and mechanics of each start (for booking)."""
    return _find(service_refs, from_date, days, vehicle_id, actor, mechanic_id, need_mechanic, exclude_appointment_id)[
        1
    ]


def _find(
    service_refs: Sequence[int | str],
    from_date: str | date | None,
    days: int,
    vehicle_id: int | None,
    actor: Actor,
    mechanic_id: int | None,
    need_mechanic: bool,
    exclude_appointment_id: int | None = None,
) -> tuple[Problem, list[Candidate]]:
    services = resolve_services(service_refs)
    first = calendar.parse_day(from_date, "from")
    last = first + timedelta(days=_check_days(days) - 1)
    problem = load(services, first, last, actor, vehicle_id, mechanic_id, need_mechanic, exclude_appointment_id)
    return problem, sweep(problem)


def available_slots(
    service_ids: Sequence[int | str],
    from_date: str | date | None = None,
    days: int = 7,
    vehicle_id: int | None = None,
    actor: Actor = SYSTEM,
    mechanic_id: int | None = None,
    need_mechanic: bool = False,
) -> list[Slot]:
    """Every start from FROM_DATE (local, default today) for DAYS days at which all the services fit.

    SERVICE_IDS are ids or names; durations add up. Customers (actor role customer) get the minimum
    notice and advance limits; staff do not (but never the past). With MECHANIC_ID that mechanic
    must be free; with NEED_MECHANIC any one. VEHICLE_ID skips times the car is booked elsewhere.
    """
    require(actor, "booking.own")
    problem, found = _find(service_ids, from_date, days, vehicle_id, actor, mechanic_id, need_mechanic)
    tz = problem.tz or settings.timezone()
    return [Slot(c.start.astimezone(tz), c.end.astimezone(tz)) for c in found]
