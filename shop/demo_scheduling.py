"""Demo data for scheduling: opening hours, four bays, mechanics' hours, and four weeks of appointments.

Appointments run from two weeks before `shop.clock.now()` to two weeks after it: past ones are
completed (a few no-shows and cancellations), today's are spread over the statuses a real
morning has, future ones are scheduled. Seeded by the demo's Faker, so two demos are identical.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from faker import Faker

from shop import booking, clock, demo, settings
from shop.auth import Actor, Role
from shop.models import Appointment, Customer, Service, Staff, Vehicle
from shop.scheduling import calendar
from shop.scheduling.availability import ServiceRef

BAYS = [
    ("Bay 1", "lift,diagnostics"),
    ("Bay 2", "lift,engine"),
    ("Bay 3", "lift"),
    ("Alignment", "lift,alignment"),
]
# bay -> mechanic username usually working there
BAY_MECHANIC = {"Bay 1": "mara", "Bay 2": "tobias", "Bay 3": "lena", "Alignment": None}
DESK = Actor(role=Role.FRONT_DESK, name="desk")


@demo.step
def demo_calendar(fake: Faker) -> list[demo.Login]:
    calendar.set_hours("mon-fri", "08:00-12:00,13:00-17:30")
    calendar.set_hours("sat", "09:00-13:00")
    calendar.set_hours("sun", "closed")
    settings.set_many({"schedule.holidays_country": "DE", "schedule.holidays_subdivision": "BE"})
    for name, caps in BAYS:
        calendar.add_bay(name, caps)
    if Service.select().where(Service.name == "Wheel alignment").exists():
        Service.update(requires_capability="alignment").where(Service.name == "Wheel alignment").execute()
    usernames = {s.username for s in Staff.select().where(Staff.role == "mechanic")}
    if "lena" in usernames:  # part time: Monday to Thursday
        calendar.set_mechanic_hours("lena", "mon-thu", "08:00-12:00,13:00-17:30")
        calendar.set_mechanic_hours("lena", "fri-sun", "closed")
        today = calendar.to_local(clock.now()).date()
        off = today + timedelta(days=(7 - today.weekday()) % 7 + 8)  # Tuesday of the week after next
        calendar.add_time_off("lena", off.isoformat(), off.isoformat(), reason="training course")
    return []


def _services_by_bay() -> dict[str, list[ServiceRef]]:
    refs = [
        ServiceRef(s.id, s.name, s.duration_minutes, s.price, s.requires_capability)
        for s in Service.select().where(Service.active == True).order_by(Service.id)
    ]
    out = {}
    for name, caps in BAYS:
        have = set(caps.split(","))
        out[name] = [r for r in refs if r.requires_capability is None or r.requires_capability in have]
    return out


@demo.step
def demo_appointments(fake: Faker) -> list[demo.Login]:
    rnd = fake.random
    now = clock.now()
    tz = settings.timezone()
    today = now.astimezone(tz).date()
    cars = [(v.customer_id, v.id) for v in Vehicle.select(Vehicle.id, Vehicle.customer).order_by(Vehicle.id)]
    if not cars or not Customer.select().exists():
        return []
    services = _services_by_bay()
    bays = {b.name: b for b in calendar.list_bays()}
    mechanics = {s.username: s for s in Staff.select().where(Staff.role == "mechanic")}
    lena_days = {0, 1, 2, 3}
    first, last = today - timedelta(days=14), today + timedelta(days=14)
    closed = calendar.closed_days(first, last, "DE", "BE")
    week = {
        d.weekday: [tuple(calendar.parse_hhmm(x) for x in i.split("-")) for i in d.intervals]
        for d in calendar.get_hours()
    }
    windows = calendar.weekly_windows(first, last, week, tz, set(closed))  # type: ignore[arg-type]
    busy_cars: dict[int, list[tuple[datetime, datetime]]] = {}
    for day, open_at, close_at in windows:
        fill = 0.85 if day <= today else max(0.25, 0.8 - 0.04 * (day - today).days)
        for bay_name, bay in bays.items():
            cursor = open_at + timedelta(minutes=15 * rnd.randint(0, 2))
            while True:
                chosen = [rnd.choice(services[bay_name])]
                if rnd.random() < 0.2:
                    extra = rnd.choice(services[bay_name])
                    if extra.id != chosen[0].id:
                        chosen.append(extra)
                work = timedelta(minutes=sum(s.duration_minutes for s in chosen))
                if cursor + work > close_at:
                    break
                if rnd.random() < fill:
                    customer_id, car_id = rnd.choice(cars)
                    if all(not (s < cursor + work and cursor < e) for s, e in busy_cars.get(car_id, [])):
                        busy_cars.setdefault(car_id, []).append((cursor, cursor + work))
                        username = BAY_MECHANIC[bay_name]
                        mech = mechanics.get(username) if username else None
                        if mech is not None and username == "lena" and day.weekday() not in lena_days:
                            mech = None
                        _one(rnd, customer_id, car_id, chosen, cursor, work, bay.id, mech, now, today, day)
                cursor += work + timedelta(minutes=15 * rnd.choice([0, 0, 1, 2, 4]))
    return []


def _one(rnd, customer_id, car_id, chosen, start, work, bay_id, mech, now, today, day) -> None:  # type: ignore[no-untyped-def]
    booked_at = start - timedelta(days=rnd.randint(1, 20), hours=rnd.randint(0, 8))
    booked_at = min(booked_at, now - timedelta(hours=1))
    source = rnd.choice(["desk", "phone", "phone", "portal"])
    appointment_id = booking._insert(
        customer_id, car_id, chosen, start, bay_id, mech.id if mech else None, timedelta(0), source, at=booked_at
    )
    booking._history(appointment_id, DESK, "booked", None, "scheduled", f"booked via {source}", at=booked_at)
    end = start + work
    if day < today or end <= now:
        roll = rnd.random()
        path = ["checked_in", "in_progress", "completed"]
        if roll < 0.07:
            path = ["no_show"]
        elif roll < 0.12:
            path = ["cancelled"]
        elif roll < 0.2:
            path = ["checked_in", "in_progress", "waiting_parts", "in_progress", "completed"]
    elif day == today and start <= now:
        path = rnd.choice([["checked_in", "in_progress"], ["checked_in", "in_progress", "waiting_parts"]])
    elif day == today and start - now <= timedelta(minutes=30):
        path = ["checked_in"]
    else:
        path = ["cancelled"] if rnd.random() < 0.05 else []
    old = "scheduled"
    steps = len(path)
    for i, status in enumerate(path):
        if status == "cancelled":
            at = min(start - timedelta(hours=rnd.randint(2, 48)), now)
        elif status == "no_show":
            at = start + timedelta(minutes=30)
        else:
            at = min(start + (work * i) / max(steps, 1), now)
        booking._history(appointment_id, DESK, "status", old, status, "", at=max(at, booked_at))
        old = status
    if old != "scheduled":
        Appointment.update(status=old).where(Appointment.id == appointment_id).execute()
