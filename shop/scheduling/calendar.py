"""The shop calendar: opening hours, closures, public holidays, bays, mechanics' hours and time off.

Hours are local wall times in the shop's time zone (`shop.settings.timezone()`); everything stored
as an instant is UTC. `day_windows` turns a local day into real UTC intervals, which is where DST
is handled: a day's 08:00-12:00 is always four real hours of 08:00-12:00 on the wall, and on a
transition day a window crossing the change is as long as it really is (an hour shorter in spring,
longer in autumn). A wall time that does not exist (the spring gap) is read as the instant the gap
starts to be skipped to (02:30 → 03:30 in Berlin, like most calendars); an ambiguous one (autumn)
as its first occurrence.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from peewee import IntegrityError

from shop import audit, clock, settings
from shop.auth import SYSTEM, Actor, Role, require
from shop.db import is_postgres, transaction
from shop.errors import ConfigError, Conflict, FieldErrors, NotFound, ValidationError
from shop.models import Bay, Closure, MechanicHours, OpeningHours, Staff, TimeOff

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# 08:30, 8:30, 8.30 (as typed in Germany) or a whole hour: 8
_HHMM = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*$")
# The screens print hours with an en dash (08:00–12:00): typed back, it means the same as a hyphen.
_DASHES = str.maketrans({"–": "-", "—": "-"})
_CAPABILITY = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")

Interval = tuple[datetime, datetime]


# ---------------------------------------------------------------- parsing and local time


def parse_hhmm(text: str, field: str = "time") -> int:
    """'08:30' -> 510 minutes after midnight; '24:00' is allowed as the end of a day."""
    match = _HHMM.match(text)
    if not match:
        raise ValidationError({field: f"{text!r} is not a time like 08:00"})
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValidationError({field: f"{text!r} is not a time of day"})
    return hours * 60 + minutes


def format_minute(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_intervals(text: str | Iterable[str], field: str = "hours") -> list[tuple[int, int]]:
    """'08:00-12:00,13:00-17:30' (or a list of 'HH:MM-HH:MM') -> sorted minute pairs; 'closed' -> [].

    An empty text is refused rather than read as closed: a field cleared by mistake must not close a day.
    """
    if isinstance(text, str) and not text.strip():
        raise ValidationError({field: "must not be empty (type closed for a day without hours)"})
    parts = [p.strip() for p in (text.split(",") if isinstance(text, str) else text) if p.strip()]
    if len(parts) == 1 and parts[0].lower() in ("closed", "-", "none", "off"):
        return []
    out = []
    for part in parts:
        start, sep, end = part.translate(_DASHES).partition("-")
        if not sep:
            raise ValidationError({field: f"{part!r} is not an interval like 08:00-12:00"})
        lo, hi = parse_hhmm(start, field), parse_hhmm(end, field)
        if lo >= hi:
            raise ValidationError({field: f"{part!r} ends before it starts"})
        out.append((lo, hi))
    out.sort()
    for (_, a_end), (b_start, _) in itertools.pairwise(out):
        if b_start < a_end:
            raise ValidationError({field: "intervals overlap"})
    return out


def parse_weekdays(text: str, field: str = "day") -> list[int]:
    """'mon', 'Monday', 'mon-fri', 'sat,sun', '0' -> weekday numbers (0 = Monday)."""
    days: list[int] = []

    def one(word: str) -> int:
        word = word.strip().lower()
        if word.isdigit() and int(word) < 7:
            return int(word)
        for i, name in enumerate(WEEKDAYS):
            if len(word) >= 3 and name == word[:3]:
                return i
        raise ValidationError({field: f"{word!r} is not a weekday (mon..sun)"})

    for part in text.split(","):
        lo, sep, hi = part.partition("-")
        if sep:
            a, b = one(lo), one(hi)
            if b < a:
                raise ValidationError({field: f"{part!r}: the range must run forwards, e.g. mon-fri"})
            days.extend(range(a, b + 1))
        else:
            days.append(one(part))
    return sorted(set(days))


@functools.lru_cache(maxsize=8192)
def local_instant(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall time MINUTE on local DAY (24:00 is next midnight; gaps move forward).

    Memoised: a pure function of the time zone rules, and availability asks for the same days'
    opening times over and over (60 days × their intervals on every call).
    """
    extra, minute = divmod(minute, 1440)
    day = day + timedelta(days=extra)
    naive = datetime.combine(day, time(minute // 60, minute % 60))
    # fold=0: an ambiguous time is its first occurrence; a time in a gap is read with the offset
    # before the change, i.e. it lands as far after the gap as it was into it (02:30 -> 03:30).
    return naive.replace(tzinfo=tz).astimezone(UTC)


def to_local(instant: datetime) -> datetime:
    return instant.astimezone(settings.timezone())


def parse_local(text: str | datetime, field: str = "at", tz: ZoneInfo | None = None) -> datetime:
    """'2026-11-24 09:30' (shop local) or ISO 8601 with an offset -> aware UTC.

    A local time that does not exist (clocks jump forward) is refused; an ambiguous one (clocks
    go back) means the first occurrence unless an offset says otherwise.
    """
    tz = tz or settings.timezone()
    if isinstance(text, datetime):
        value = text
    else:
        try:
            value = datetime.fromisoformat(text.strip().replace("T", " "))
        except ValueError:
            raise ValidationError({field: f"{text!r} is not a date and time like 2026-11-24 09:30"}) from None
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    aware = value.replace(tzinfo=tz)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != value:
        raise ValidationError({field: f"{value:%Y-%m-%d %H:%M} does not exist in {tz.key} (the clocks jump forward)"})
    return aware.astimezone(UTC)


def parse_day(text: str | date | None, field: str = "date") -> date:
    if text is None:
        return to_local(clock.now()).date()
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    word = text.strip().lower()
    if word in ("today", "tomorrow"):
        return to_local(clock.now()).date() + timedelta(days=1 if word == "tomorrow" else 0)
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise ValidationError({field: f"{text!r} is not a date like 2026-11-24"}) from None


# ---------------------------------------------------------------- opening hours


@dataclass(frozen=True)
class DayHours:
    weekday: int
    day: str
    intervals: tuple[str, ...]  # 'HH:MM-HH:MM', empty when closed

    @property
    def closed(self) -> bool:
        return not self.intervals


def _week(rows: Iterable) -> list[DayHours]:  # type: ignore[type-arg]
    by_day: dict[int, list[tuple[int, int]]] = {d: [] for d in range(7)}
    for r in rows:
        by_day[r.weekday].append((r.start_minute, r.end_minute))
    return [
        DayHours(d, WEEKDAYS[d], tuple(f"{format_minute(a)}-{format_minute(b)}" for a, b in sorted(by_day[d])))
        for d in range(7)
    ]


def get_hours(actor: Actor = SYSTEM) -> list[DayHours]:
    """The week's opening hours, Monday first."""
    if actor.role != Role.CUSTOMER:  # customers see the hours on the portal
        require(actor, "schedule.read")
    return _week(OpeningHours.select())


@transaction
def set_hours(days: str | Iterable[int], intervals: str | Iterable[str], actor: Actor = SYSTEM) -> list[DayHours]:
    """Replace the opening hours of DAYS ('mon-fri') with INTERVALS ('08:00-12:00,13:00-17:30' or 'closed')."""
    require(actor, "schedule.write")
    errors = FieldErrors()
    weekdays = errors.check("day", parse_weekdays, days) if isinstance(days, str) else sorted(set(days))
    pairs = errors.check("hours", parse_intervals, intervals)
    errors.raise_if_any()
    OpeningHours.delete().where(OpeningHours.weekday.in_(weekdays)).execute()
    for weekday in weekdays:
        for lo, hi in pairs:
            OpeningHours.create(weekday=weekday, start_minute=lo, end_minute=hi)
    audit.record(actor, "schedule.hours", "opening_hours", None, days=[WEEKDAYS[d] for d in weekdays], hours=pairs)
    return _week(OpeningHours.select())


# ---------------------------------------------------------------- closures and holidays


@dataclass(frozen=True)
class ClosureInfo:
    id: int
    start_date: date
    end_date: date
    reason: str


def _closure(row: Closure) -> ClosureInfo:
    return ClosureInfo(row.id, _as_date(row.start_date), _as_date(row.end_date), row.reason)


def _as_date(value: object) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value  # type: ignore[return-value]


@transaction
def add_closure(
    start_date: str | date, end_date: str | date | None = None, reason: str = "", actor: Actor = SYSTEM
) -> ClosureInfo:
    """Close the shop for whole local days START..END (inclusive). Existing bookings are kept."""
    require(actor, "schedule.write")
    errors = FieldErrors()
    first = errors.check("start_date", parse_day, start_date, "start_date")
    last = errors.check("end_date", parse_day, end_date, "end_date") if end_date else first
    if not reason.strip():
        errors.add("reason", "must not be empty (e.g. 'Christmas', 'stocktaking')")
    if first and last and last < first:
        errors.add("end_date", "is before the start date")
    errors.raise_if_any()
    row = Closure.create(start_date=first, end_date=last, reason=reason.strip(), created_at=clock.now())
    audit.record(actor, "schedule.closure.add", "closure", row.id, start=first, end=last, reason=reason.strip())
    return _closure(row)


def list_closures(from_date: str | date | None = None, actor: Actor = SYSTEM) -> list[ClosureInfo]:
    """Closures ending on or after FROM_DATE (default: today), earliest first."""
    require(actor, "schedule.read")
    first = parse_day(from_date)
    rows = Closure.select().where(Closure.end_date >= first).order_by(Closure.start_date, Closure.id)
    return [_closure(r) for r in rows]


@transaction
def remove_closure(closure_id: int, actor: Actor = SYSTEM) -> ClosureInfo:
    require(actor, "schedule.write")
    row = Closure.get_or_none(Closure.id == closure_id)
    if row is None:
        raise NotFound(f"no closure {closure_id}")
    info = _closure(row)
    row.delete_instance()
    audit.record(actor, "schedule.closure.remove", "closure", closure_id)
    return info


def holiday_names(first: date, last: date, country: str, subdivision: str = "") -> dict[date, str]:
    """Public holidays between FIRST and LAST from the `holidays` package (empty when COUNTRY is '')."""
    if not country:
        return {}
    table = _holiday_table(country, subdivision, first.year, last.year)
    return {d: name for d, name in table if first <= d <= last}


@functools.lru_cache(maxsize=64)
def _holiday_table(country: str, subdivision: str, first_year: int, last_year: int) -> tuple[tuple[date, str], ...]:
    """The package's holidays of those years, computed once per process (they are fixed rules)."""
    import holidays

    try:
        table = holidays.country_holidays(
            country, subdiv=subdivision or None, years=range(first_year, last_year + 1), language="en_US"
        )
    except NotImplementedError as exc:
        raise ConfigError(f"schedule.holidays_subdivision: {exc}") from None
    return tuple(sorted(table.items()))


# ---------------------------------------------------------------- bays


@dataclass(frozen=True)
class BayInfo:
    id: int
    name: str
    capabilities: tuple[str, ...]
    active: bool
    position: int


def _bay(row: Bay) -> BayInfo:
    return BayInfo(row.id, row.name, split_capabilities(row.capabilities), row.active, row.position)


def split_capabilities(text: str) -> tuple[str, ...]:
    return tuple(sorted({c.strip().lower() for c in (text or "").split(",") if c.strip()}))


def _parse_capabilities(value: str | Iterable[str]) -> str:
    caps = split_capabilities(value if isinstance(value, str) else ",".join(value))
    for cap in caps:
        if not _CAPABILITY.match(cap):
            raise ValidationError({"capabilities": f"{cap!r}: use lower-case letters, digits, '-' or '_'"})
    return ",".join(caps)


def _get_bay(ref: int | str) -> Bay:
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        row = Bay.get_or_none(Bay.id == int(ref))
    else:
        row = Bay.get_or_none(Bay.name == ref.strip())
    if row is None:
        raise NotFound(f"no bay {ref!r}")
    return row


@transaction
def add_bay(name: str, capabilities: str | Iterable[str] = "", actor: Actor = SYSTEM) -> BayInfo:
    require(actor, "schedule.write")
    errors = FieldErrors()
    if not name.strip():
        errors.add("name", "must not be empty")
    elif name.strip().isdigit():
        errors.add("name", "must not be only digits (they are read as a bay id)")
    caps = errors.check("capabilities", _parse_capabilities, capabilities)
    errors.raise_if_any()
    position = (Bay.select().count() or 0) + 1
    try:
        with Bay._meta.database.atomic():
            row = Bay.create(
                name=name.strip(), capabilities=caps, active=True, position=position, created_at=clock.now()
            )
    except IntegrityError:
        raise Conflict(f"a bay named {name.strip()!r} already exists") from None
    audit.record(actor, "schedule.bay.add", "bay", row.id, name=row.name, capabilities=caps)
    return _bay(row)


@transaction
def edit_bay(
    ref: int | str,
    name: str | None = None,
    capabilities: str | Iterable[str] | None = None,
    active: bool | None = None,
    actor: Actor = SYSTEM,
) -> BayInfo:
    """Rename a bay, replace its capabilities, or (de)activate it. Booked appointments stay where they are."""
    require(actor, "schedule.write")
    row = _get_bay(ref)
    errors = FieldErrors()
    if name is not None:
        if not name.strip() or name.strip().isdigit():
            errors.add("name", "must not be empty or only digits")
        else:
            row.name = name.strip()
    if capabilities is not None:
        row.capabilities = errors.check("capabilities", _parse_capabilities, capabilities) or ""
    if active is not None:
        row.active = active
    errors.raise_if_any()
    try:
        with Bay._meta.database.atomic():
            row.save()
    except IntegrityError:
        raise Conflict(f"a bay named {row.name!r} already exists") from None
    audit.record(
        actor, "schedule.bay.edit", "bay", row.id, name=row.name, capabilities=row.capabilities, active=row.active
    )
    return _bay(row)


def list_bays(include_inactive: bool = False, actor: Actor = SYSTEM) -> list[BayInfo]:
    require(actor, "schedule.read")
    query = Bay.select().order_by(Bay.position, Bay.id)
    if not include_inactive:
        query = query.where(Bay.active == True)
    return [_bay(r) for r in query]


# ---------------------------------------------------------------- mechanics


@dataclass(frozen=True)
class MechanicSchedule:
    staff_id: int
    username: str
    name: str
    days: tuple[DayHours, ...]
    uses_shop_hours: bool  # no hours of their own: they work whenever the shop is open


@dataclass(frozen=True)
class TimeOffInfo:
    id: int
    staff_id: int
    mechanic: str
    start: datetime  # shop local
    end: datetime
    reason: str


def get_mechanic(ref: int | str) -> Staff:
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        row = Staff.get_or_none(Staff.id == int(ref))
    else:
        row = Staff.get_or_none(Staff.username == ref.strip().lower())
    if row is None:
        raise NotFound(f"no staff member {ref!r}")
    if row.role != Role.MECHANIC.value:
        raise ValidationError({"mechanic": f"{row.username} is a {row.role}, not a mechanic"})
    return row


def _schedule(row: Staff, hours: list) -> MechanicSchedule:  # type: ignore[type-arg]
    return MechanicSchedule(row.id, row.username, row.full_name, tuple(_week(hours)), not hours)


def mechanic_hours(ref: int | str | None = None, actor: Actor = SYSTEM) -> list[MechanicSchedule]:
    """Working hours of one mechanic, or of every active mechanic."""
    require(actor, "schedule.read")
    if ref is not None:
        rows = [get_mechanic(ref)]
    else:
        rows = list(
            Staff.select().where(Staff.role == Role.MECHANIC.value, Staff.active == True).order_by(Staff.full_name)
        )
    hours: dict[int, list] = {r.id: [] for r in rows}  # type: ignore[type-arg]
    for h in MechanicHours.select().where(MechanicHours.staff.in_([r.id for r in rows])):
        hours[h.staff_id].append(h)
    return [_schedule(r, hours[r.id]) for r in rows]


@transaction
def set_mechanic_hours(
    ref: int | str, days: str | Iterable[int], intervals: str | Iterable[str], actor: Actor = SYSTEM
) -> MechanicSchedule:
    """Replace a mechanic's working hours on DAYS; a mechanic with no hours at all works the shop's hours."""
    require(actor, "schedule.write")
    row = get_mechanic(ref)
    errors = FieldErrors()
    weekdays = errors.check("day", parse_weekdays, days) if isinstance(days, str) else sorted(set(days))
    pairs = errors.check("hours", parse_intervals, intervals)
    errors.raise_if_any()
    MechanicHours.delete().where(MechanicHours.staff == row.id, MechanicHours.weekday.in_(weekdays)).execute()
    for weekday in weekdays:
        for lo, hi in pairs:
            MechanicHours.create(staff=row.id, weekday=weekday, start_minute=lo, end_minute=hi)
    audit.record(actor, "schedule.mechanic_hours", "staff", row.id, days=[WEEKDAYS[d] for d in weekdays], hours=pairs)
    return mechanic_hours(row.id)[0]


def _time_off(row: TimeOff, name: str) -> TimeOffInfo:
    return TimeOffInfo(row.id, row.staff_id, name, to_local(row.start_at), to_local(row.end_at), row.reason)


@transaction
def add_time_off(
    ref: int | str, start: str | datetime, end: str | datetime, reason: str = "", actor: Actor = SYSTEM
) -> TimeOffInfo:
    """Block a mechanic from START to END (local 'YYYY-MM-DD HH:MM', or a date for whole days)."""
    require(actor, "schedule.write")
    row = get_mechanic(ref)
    errors = FieldErrors()
    start_at = errors.check("start", _parse_bound, start, "start", False)
    end_at = errors.check("end", _parse_bound, end, "end", True)
    if start_at and end_at and end_at <= start_at:
        errors.add("end", "must be after the start")
    errors.raise_if_any()
    off = TimeOff.create(staff=row.id, start_at=start_at, end_at=end_at, reason=reason.strip())
    audit.record(actor, "schedule.time_off.add", "staff", row.id, start=start_at, end=end_at, reason=reason.strip())
    return _time_off(off, row.full_name)


def _parse_bound(value: str | datetime, field: str, is_end: bool) -> datetime:
    """A date alone means the start of that day, or for an end the end of that day."""
    if isinstance(value, str) and re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", value):
        day = parse_day(value, field) + timedelta(days=1 if is_end else 0)
        return local_instant(day, 0, settings.timezone())
    return parse_local(value, field)


def list_time_off(
    ref: int | str | None = None, from_date: str | date | None = None, actor: Actor = SYSTEM
) -> list[TimeOffInfo]:
    require(actor, "schedule.read")
    since = local_instant(parse_day(from_date), 0, settings.timezone())
    query = TimeOff.select(TimeOff, Staff).join(Staff).where(TimeOff.end_at > since).order_by(TimeOff.start_at)
    if ref is not None:
        query = query.where(TimeOff.staff == get_mechanic(ref).id)
    return [_time_off(r, r.staff.full_name) for r in query]


@transaction
def remove_time_off(time_off_id: int, actor: Actor = SYSTEM) -> None:
    require(actor, "schedule.write")
    row = TimeOff.get_or_none(TimeOff.id == time_off_id)
    if row is None:
        raise NotFound(f"no time off {time_off_id}")
    row.delete_instance()
    audit.record(actor, "schedule.time_off.remove", "staff", row.staff_id, time_off_id=time_off_id)


# ---------------------------------------------------------------- windows for availability


def weekly_windows(
    first: date,
    last: date,
    week: dict[int, list[tuple[int, int]]],
    tz: ZoneInfo,
    closed: set[date] = frozenset(),  # type: ignore[assignment]
) -> list[tuple[date, datetime, datetime]]:
    """(local day, UTC start, UTC end) for each open interval between FIRST and LAST, adjacent ones merged."""
    out: list[tuple[date, datetime, datetime]] = []
    day = first
    while day <= last:
        if day not in closed:
            for lo, hi in sorted(week.get(day.weekday(), ())):
                start, end = local_instant(day, lo, tz), local_instant(day, hi, tz)
                if end <= start:
                    continue
                if out and out[-1][0] == day and out[-1][2] >= start:
                    out[-1] = (day, out[-1][1], max(end, out[-1][2]))
                else:
                    out.append((day, start, end))
        day += timedelta(days=1)
    return out


def closed_days(first: date, last: date, country: str = "", subdivision: str = "") -> dict[date, str]:
    """Local days the shop is shut between FIRST and LAST (closures, then holidays), with the reason."""
    out: dict[date, str] = dict(holiday_names(first, last, country, subdivision))
    p = "%s" if is_postgres() else "?"
    rows = Closure._meta.database.execute_sql(
        f"SELECT start_date, end_date, reason FROM closure WHERE end_date >= {p} AND start_date <= {p}",
        (first.isoformat(), last.isoformat()),
    ).fetchall()  # a plain query: availability reads this on every call
    for start_date, end_date, reason in rows:
        day, end = max(_as_date(start_date), first), min(_as_date(end_date), last)
        while day <= end:
            out[day] = reason
            day += timedelta(days=1)
    return out
