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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from peewee import fn

from shop import clock, settings
from shop.auth import SYSTEM, Actor, Role, require
from shop.db import is_postgres
from shop.errors import ValidationError
from shop.models import Appointment, Bay, MechanicHours, OpeningHours, Service, Staff, TimeOff
from shop.scheduling import calendar
from shop.scheduling.calendar import Interval

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


class Busy:
    """Merged, sorted, disjoint intervals with an O(log n) overlap test."""

    def __init__(self, intervals: Iterable[Interval] = ()) -> None:
        merged: list[list[datetime]] = []
        for start, end in sorted(intervals):
            if end <= start:
                continue
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [m[0] for m in merged]
        self.ends = [m[1] for m in merged]

    def free(self, start: datetime, end: datetime) -> bool:
        i = bisect.bisect_right(self.ends, start)
        return i == len(self.starts) or self.starts[i] >= end

    def covers(self, start: datetime, end: datetime) -> bool:
        """Used for working windows: is [start, end] inside one merged interval?"""
        i = bisect.bisect_right(self.starts, start) - 1
        return i >= 0 and self.ends[i] >= end


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
    """
    out: list[Candidate] = []
    work, block, grid = problem.duration, problem.duration + problem.buffer, problem.grid
    for day, open_at, close_at in problem.windows:
        if day in problem.full_days or (problem.last_day is not None and day > problem.last_day):
            continue
        first_k = 0
        if problem.earliest is not None and problem.earliest > open_at:
            first_k = -((open_at - problem.earliest) // grid)  # ceil division
        last_k = (close_at - work - open_at) // grid
        if last_k < first_k:
            continue
        first_start = open_at + first_k * grid
        limit = open_at + last_k * grid + block
        free_at: dict[int, list[int]] = {}
        for bay, busy in problem.bays.items():
            i = bisect.bisect_right(busy.ends, first_start)
            k = first_k
            starts, ends = busy.starts, busy.ends
            while k <= last_k:
                if i < len(starts) and starts[i] < limit:
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
                k = max(k, after)
        for k in sorted(free_at):
            start = open_at + k * grid
            end = start + work
            if not problem.vehicle_busy.free(start, end):
                continue
            mechanics: tuple[int, ...] = ()
            if problem.mechanics is not None:
                mechanics = tuple(
                    m
                    for m, (hours, busy) in problem.mechanics.items()
                    if (hours is None or hours.covers(start, end)) and busy.free(start, start + block)
                )
                if not mechanics:
                    continue
            out.append(Candidate(start, end, tuple(free_at[k]), mechanics))
    return out


# ---------------------------------------------------------------- loading


def resolve_services(refs: Sequence[int | str]) -> list[ServiceRef]:
    """Services by id or (case-insensitive) name, in the order given; one query."""
    if not refs:
        raise ValidationError({"services": "choose at least one service"})
    ids = [int(r) for r in refs if isinstance(r, int) or str(r).strip().isdigit()]
    names = [str(r).strip().lower() for r in refs if not (isinstance(r, int) or str(r).strip().isdigit())]
    query = Service.select().where((Service.id.in_(ids or [0])) | (fn.LOWER(Service.name).in_(names or [""])))
    by_id = {s.id: s for s in query}
    by_name = {s.name.lower(): s for s in by_id.values()}
    out = []
    for ref in refs:
        row = (
            by_id.get(int(ref))
            if isinstance(ref, int) or str(ref).strip().isdigit()
            else by_name.get(str(ref).strip().lower())
        )
        if row is None:
            raise ValidationError({"services": f"no service {ref!r}"})
        if not row.active:
            raise ValidationError({"services": f"service {row.name!r} is no longer offered"})
        out.append(ServiceRef(row.id, row.name, row.duration_minutes, row.price, row.requires_capability))
    return out


def _week(rows: Iterable) -> dict[int, list[tuple[int, int]]]:  # type: ignore[type-arg]
    week: dict[int, list[tuple[int, int]]] = {}
    for r in rows:
        week.setdefault(r.weekday, []).append((r.start_minute, r.end_minute))
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
) -> Problem:
    """Read the window FIRST..LAST (local days) into a `Problem`."""
    conf = settings.get_many(*SETTING_KEYS)
    tz = ZoneInfo(conf["shop.timezone"])
    closed = calendar.closed_days(first, last, conf["schedule.holidays_country"], conf["schedule.holidays_subdivision"])
    week = _week(OpeningHours.select())
    windows = calendar.weekly_windows(first, last, week, tz, set(closed))
    range_start = calendar.local_instant(first, 0, tz)
    range_end = calendar.local_instant(last + timedelta(days=1), 0, tz)

    needed = {s.requires_capability.strip().lower() for s in services if s.requires_capability}
    bay_query = Bay.select().where(Bay.active == True).order_by(Bay.position, Bay.id)
    bays = [b for b in bay_query if needed <= set(calendar.split_capabilities(b.capabilities))]
    # Prefer the plainest bay that can do the job, keeping special equipment free for those who need it.
    bays.sort(key=lambda b: (len(calendar.split_capabilities(b.capabilities)), b.position, b.id))
    if bay_ids is not None:
        bays = [b for b in bays if b.id in bay_ids]

    now = clock.now()
    if actor.role == Role.CUSTOMER:
        earliest = now + timedelta(minutes=int(conf["schedule.min_notice_minutes"]))
        last_day = calendar.to_local(now).date() + timedelta(days=int(conf["schedule.advance_days"]))
    else:
        earliest, last_day = now, None

    by_bay: dict[int, list[Interval]] = {b.id: [] for b in bays}
    by_mechanic: dict[int, list[Interval]] = {}
    vehicle: list[Interval] = []
    per_day: dict[date, int] = {}
    cap = int(conf["schedule.day_cap"])
    instant = _instants()
    for _id, bay_id, mech_id, veh_id, start_s, end_s, block_s in _window_rows(
        range_start, range_end, exclude_appointment_id
    ):
        start, block_end = instant(start_s), instant(block_s)
        if bay_id in by_bay:
            by_bay[bay_id].append((start, block_end))
        if mech_id is not None:
            by_mechanic.setdefault(mech_id, []).append((start, block_end))
        if vehicle_id is not None and veh_id == vehicle_id:
            vehicle.append((start, instant(end_s)))
        if cap:
            day = start.astimezone(tz).date()
            per_day[day] = per_day.get(day, 0) + 1
    cap = int(conf["schedule.day_cap"])
    full = {d for d, n in per_day.items() if cap and n >= cap}

    mechanics = None
    if mechanic_id is not None or need_mechanic:
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
        off: dict[int, list[Interval]] = {}
        for t in TimeOff.select().where(
            TimeOff.staff.in_(ids), TimeOff.start_at < range_end, TimeOff.end_at > range_start
        ):
            off.setdefault(t.staff_id, []).append((t.start_at, t.end_at))
        mechanics = {}
        for m in ids:
            own = None
            if m in hours:
                own = Busy((s, e) for _, s, e in calendar.weekly_windows(first, last, _week(hours[m]), tz))
            mechanics[m] = (own, Busy(by_mechanic.get(m, []) + off.get(m, [])))

    return Problem(
        windows=windows,
        bays={b: Busy(v) for b, v in by_bay.items()},
        duration=timedelta(minutes=sum(s.duration_minutes for s in services)),
        buffer=timedelta(minutes=int(conf["schedule.buffer_minutes"])),
        grid=timedelta(minutes=int(conf["schedule.slot_minutes"])),
        earliest=earliest,
        last_day=last_day,
        full_days=full,
        vehicle_busy=Busy(vehicle),
        mechanics=mechanics,
        tz=tz,
    )


def _instants():  # type: ignore[no-untyped-def]
    """Stored UTC value (SQLite text, PostgreSQL naive datetime) -> aware UTC datetime, memoised:
    a window's appointments share a few hundred grid times, so most rows cost one dict lookup."""
    cache: dict[object, datetime] = {}
    parse = Appointment.start_at.python_value

    def instant(value: object) -> datetime:
        found = cache.get(value)
        if found is None:
            found = cache[value] = parse(value)
        return found

    return instant


def _window_rows(range_start: datetime, range_end: datetime, exclude_id: int | None) -> list[tuple]:  # type: ignore[type-arg]
    """Active appointments touching the window, as plain tuples: one raw query.

    (Building ~2k peewee model rows, each parsing three timestamps, costs several times the query.)
    """
    field = Appointment.start_at
    p = "%s" if is_postgres() else "?"
    sql = (
        "SELECT id, bay_id, mechanic_id, vehicle_id, start_at, end_at, block_end_at FROM appointment"
        f" WHERE start_at < {p} AND start_at > {p} AND block_end_at > {p}"
        " AND status NOT IN ('cancelled', 'no_show')"
    )
    params = [field.db_value(range_end), field.db_value(range_start - MAX_SPAN), field.db_value(range_start)]
    if exclude_id is not None:
        sql += f" AND id <> {p}"
        params.append(exclude_id)
    return Appointment._meta.database.execute_sql(sql, params).fetchall()


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
