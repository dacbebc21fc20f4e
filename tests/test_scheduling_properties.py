"""Property tests: the availability sweep equals a brute-force reference, and any sequence of
book / reschedule / cancel / status changes leaves no overlap and a consistent timeline."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from shop import booking, customers, vehicles
from shop.db import database
from shop.errors import Conflict, Forbidden, ValidationError
from shop.scheduling import calendar
from shop.scheduling.availability import Busy, Problem, check, sweep
from tests.scheduling_helpers import make_shop

BASE = datetime(2026, 11, 23, tzinfo=UTC)
M = timedelta(minutes=1)


def brute_force(p: Problem, bays_raw: dict[int, list], vehicle_raw: list) -> list[tuple[datetime, tuple[int, ...]]]:  # type: ignore[type-arg]
    """Every grid point of every window, each checked against every interval directly."""
    out = []
    for day, open_at, close_at in p.windows:
        s = open_at
        while s + p.duration <= close_at:
            block_end = s + p.duration + p.buffer
            ok = (p.earliest is None or s >= p.earliest) and day not in p.full_days
            ok = ok and all(not (vs < s + p.duration and s < ve) for vs, ve in vehicle_raw)
            free = tuple(b for b, busy in bays_raw.items() if all(not (bs < block_end and s < be) for bs, be in busy))
            if ok and free:
                out.append((s, free))
            s += p.grid
    return out


intervals = st.lists(st.tuples(st.integers(0, 3 * 24 * 60), st.integers(5, 300)), max_size=8)


@st.composite
def problems(draw):  # type: ignore[no-untyped-def]
    """A random calendar: up to five opening windows over three days, up to three bays with
    bookings, a car with bookings, any duration, buffer, grid, earliest start and full day."""
    windows = draw(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 20 * 60), st.integers(30, 6 * 60)), max_size=5))
    bays = draw(st.lists(intervals, min_size=1, max_size=3))
    vehicle = draw(intervals)
    duration = draw(st.sampled_from([15, 30, 45, 60, 90, 150]))
    buffer = draw(st.sampled_from([0, 5, 15]))
    grid = draw(st.sampled_from([15, 30]))
    earliest = draw(st.one_of(st.none(), st.integers(0, 3 * 24 * 60)))
    full = draw(st.sets(st.integers(0, 2), max_size=1))
    day0 = BASE.date()
    wins = []
    for d, start, length in sorted(windows):  # non-overlapping per day, as calendar.weekly_windows makes them
        s = BASE + timedelta(days=d, minutes=start)
        e = min(s + length * M, BASE + timedelta(days=d + 1))
        if wins and wins[-1][0] == day0 + timedelta(days=d) and wins[-1][2] >= s:
            continue
        wins.append((day0 + timedelta(days=d), s, e))
    bays_raw = {i + 1: [(BASE + a * M, BASE + (a + n) * M) for a, n in busy] for i, busy in enumerate(bays)}
    vehicle_raw = [(BASE + a * M, BASE + (a + n) * M) for a, n in vehicle]
    problem = Problem(
        windows=wins,
        bays={b: Busy(v) for b, v in bays_raw.items()},
        duration=duration * M,
        buffer=buffer * M,
        grid=grid * M,
        earliest=None if earliest is None else BASE + earliest * M,
        full_days={day0 + timedelta(days=d) for d in full},
        vehicle_busy=Busy(vehicle_raw),
    )
    return problem, bays_raw, vehicle_raw


@settings(max_examples=60, deadline=None)
@given(problems())
def test_sweep_matches_brute_force(case) -> None:  # type: ignore[no-untyped-def]
    problem, bays_raw, vehicle_raw = case
    assert [(c.start, c.bays) for c in sweep(problem)] == brute_force(problem, bays_raw, vehicle_raw)


@settings(max_examples=60, deadline=None)
@given(problems(), st.lists(st.integers(0, 3 * 24 * 60), max_size=20))
def test_checking_one_start_agrees_with_the_sweep(case, minutes) -> None:  # type: ignore[no-untyped-def]
    """What a booking re-checks (one start) is what availability offers (the whole sweep)."""
    problem, _, _ = case
    found = {c.start: c for c in sweep(problem)}
    on_grid = [open_at + k * problem.grid for _, open_at, close_at in problem.windows for k in range(100)]
    for start in on_grid + [BASE + m * M for m in minutes]:
        assert check(problem, start) == found.get(start)


DAYS = [date(2026, 11, 24), date(2026, 11, 25)]
HOURS = [(8 * 60, 12 * 60), (13 * 60, 17 * 60 + 30)]  # make_shop's Monday-Friday hours


@functools.cache
def _deletion_order() -> list[str]:
    """The tables, each before every table it references (so plain DELETEs satisfy the foreign keys).

    The same on both engines (same migrations), so worked out once per session.
    """
    refs = {t: {fk.dest_table for fk in database.get_foreign_keys(t)} - {t} for t in database.get_tables()}
    order: list[str] = []
    while refs:
        free = sorted(t for t in refs if not any(t in deps for other, deps in refs.items() if other != t))
        assert free, f"foreign keys form a cycle: {refs}"
        order += free
        for t in free:
            del refs[t]
    return [t for t in order if t not in ("schema_migration", "sqlite_sequence")]


def _empty_database(order: list[str]) -> None:
    """Every row deleted (DELETE is far cheaper than TRUNCATE on PostgreSQL for a run this small)."""
    with database.atomic():
        for table in order:
            database.execute_sql(f'DELETE FROM "{table}"')


class BookingMachine(RuleBasedStateMachine):
    """An empty shop per run (on the test's engine); random front-desk actions; the database must stay consistent."""

    def __init__(self) -> None:
        super().__init__()
        self.shop = make_shop(bays=2)
        self.bays = [b.id for b in calendar.list_bays()]
        self.cars = [(self.shop.customer_id, self.shop.car_id), (self.shop.other_customer_id, self.shop.other_car_id)]
        c = customers.add_customer("Clara Stein", phone="+49 30 5550199")
        self.cars.append((c.id, vehicles.add_vehicle(c.id, "Seat", "Leon", 2020, plate="B-XY 42").id))
        self.services = [[self.shop.oil], [self.shop.quick], [self.shop.brakes], [self.shop.oil, self.shop.quick]]
        self.ids: list[int] = []

    @staticmethod
    def _at(day: int, minute: int) -> str:
        start = datetime(2026, 11, 24 + day, 8, 0) + timedelta(minutes=minute * 15)
        return f"{start:%Y-%m-%d %H:%M}"

    @rule(car=st.integers(0, 2), services=st.integers(0, 3), day=st.integers(0, 1), minute=st.integers(0, 38))
    def book(self, car: int, services: int, day: int, minute: int) -> None:
        try:
            a = booking.book(*self.cars[car], self.services[services], self._at(day, minute))
        except (Conflict, ValidationError):
            return
        self.ids.append(a.id)

    @rule(pick=st.integers(0, 50), day=st.integers(0, 1), minute=st.integers(0, 38))
    def reschedule(self, pick: int, day: int, minute: int) -> None:
        if self.ids:
            try:
                booking.reschedule(self.ids[pick % len(self.ids)], self._at(day, minute))
            except (Conflict, ValidationError):
                pass

    @rule(pick=st.integers(0, 50))
    def cancel(self, pick: int) -> None:
        if self.ids:
            try:
                booking.cancel(self.ids[pick % len(self.ids)])
            except (ValidationError, Forbidden):
                pass

    @rule(pick=st.integers(0, 50), status=st.sampled_from(booking.STATUSES))
    def set_status(self, pick: int, status: str) -> None:
        if self.ids:
            try:
                booking.set_status(self.ids[pick % len(self.ids)], status)
            except ValidationError:
                pass

    @invariant()
    def no_two_active_appointments_overlap_on_a_bay(self) -> None:
        count = database.execute_sql(
            "SELECT COUNT(*) FROM appointment a JOIN appointment b ON a.bay_id = b.bay_id AND a.id < b.id"
            " WHERE a.status NOT IN ('cancelled', 'no_show') AND b.status NOT IN ('cancelled', 'no_show')"
            " AND a.start_at < b.block_end_at AND b.start_at < a.block_end_at"
        ).fetchone()[0]
        assert count == 0

    @invariant()
    def timelines_chain_from_booking_to_the_current_status(self) -> None:
        for a_id in self.ids[-3:]:
            a = booking.get_appointment(a_id)
            assert a.timeline[0].from_status is None and a.timeline[0].to_status == "scheduled"
            for prev, nxt in zip(a.timeline, a.timeline[1:], strict=False):
                assert nxt.from_status == prev.to_status
                assert nxt.to_status in booking.TRANSITIONS[prev.to_status] or nxt.kind == "rescheduled"
            assert a.timeline[-1].to_status == a.status

    @invariant()
    def free_slots_match_a_brute_force_reference(self) -> None:
        day = DAYS[len(self.ids) % 2]
        active = [a for a in booking.list_appointments(day=day) if a.active]
        got = [s.start.astimezone(UTC) for s in booking.available_slots([self.shop.oil], day, 1)]
        tz = calendar.to_local(BASE).tzinfo
        expected = []
        for lo, hi in HOURS:
            s, close = calendar.local_instant(day, lo, tz), calendar.local_instant(day, hi, tz)  # type: ignore[arg-type]
            while s + 60 * M <= close:
                if any(
                    all(not (x.start < s + 60 * M and s < x.end) for x in active if x.bay_id == b) for b in self.bays
                ):
                    expected.append(s)
                s += 15 * M
        assert got == expected


def test_any_sequence_of_changes_keeps_bookings_consistent(db) -> None:  # type: ignore[no-untyped-def]
    """Book / reschedule / cancel / status changes in any order, on SQLite and PostgreSQL."""

    order = _deletion_order()

    def fresh_machine() -> BookingMachine:
        _empty_database(order)
        return BookingMachine()

    run_state_machine_as_test(
        fresh_machine,
        settings=settings(
            max_examples=15, stateful_step_count=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
        ),
    )
