"""Booking: choose a car and services, a month calendar of free days, the free times of a day, confirm.

Every step is a plain server-rendered page (GET forms and links), so booking works without
JavaScript; `static/calendar.js` only loads a day's times in place. The final step is a POST with
the CSRF token and an idempotency key, so a double click books once.
"""

from __future__ import annotations

import calendar as monthcal
import functools
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

import bottle
from bottle import request

from customer_site.routes.public import PUBLIC, services_by_category
from customer_site.web import (
    config_version,
    go,
    login_required,
    no_store,
    query_value,
    render,
    shop_settings,
    shop_zone,
)
from shop import accounts, booking, catalog, clock, quotes, schedule_cache, vehicles
from shop.auth import Actor
from shop.errors import Conflict, Forbidden, NotFound, ValidationError

WEEKDAYS = [("Mon", "Monday"), ("Tue", "Tuesday"), ("Wed", "Wednesday"), ("Thu", "Thursday"), ("Fri", "Friday"),
            ("Sat", "Saturday"), ("Sun", "Sunday")]  # fmt: skip


@dataclass(frozen=True)
class Choice:
    """What is being booked: a car and services (new booking), an accepted quote, or an appointment being moved.

    A quote travels as its id alone: its car and services are the quote's (`accounts.quote_to_book`), so a
    changed URL cannot book other services "from the quote".
    """

    car: vehicles.Vehicle
    services: list[catalog.ServiceItem]
    appointment: booking.Appointment | None = None
    quote: quotes.QuoteInfo | None = None

    @property
    def service_ids(self) -> list[int]:
        return [s.id for s in self.services]

    @property
    def total(self) -> Decimal:
        return sum((s.price for s in self.services), Decimal("0.00"))

    @property
    def minutes(self) -> int:
        return sum(s.duration_minutes for s in self.services)

    @property
    def base(self) -> str:
        return f"/appointments/{self.appointment.id}/reschedule" if self.appointment else "/book"

    @property
    def calendar(self) -> str:
        return self.base if self.appointment else "/book/calendar"

    def params(self, **extra: str) -> str:
        return urlencode(self.hidden() + list(extra.items()))

    def hidden(self) -> list[tuple[str, str]]:
        """What the next step's URL or form carries (the times fragment cache is keyed on it too)."""
        if self.appointment is not None:
            return []
        if self.quote is not None:
            return [("quote", str(self.quote.id))]
        return [("car", str(self.car.id))] + [("service", str(i)) for i in self.service_ids]


def today() -> date:
    return clock.now().astimezone(shop_zone()).date()


def advance_days() -> int:
    return int(shop_settings()["schedule.advance_days"])


def parse_choice(actor: Actor, source: bottle.FormsDict | None = None) -> tuple[Choice | None, dict[str, str]]:
    """The car and services (or the quote) from the query string (or SOURCE), or the per-field problems.

    Another customer's quote, or a draft, is NotFound (a 404 page), like every object route.
    """
    source = request.query if source is None else source
    raw_quote = query_value("quote") if source is request.query else source.getunicode("quote", default="")
    if raw_quote:
        try:
            found = accounts.quote_to_book(actor, int(raw_quote))
        except ValueError:
            raise NotFound(raw_quote) from None
        except quotes.NotBookable as exc:
            return None, {"quote": str(exc)}
        return Choice(found.car, found.services, quote=found.quote), {}
    errors: dict[str, str] = {}
    car = None
    raw_car = query_value("car") if source is request.query else source.getunicode("car", default="")
    if not raw_car:
        errors["car"] = "please choose a car"
    else:
        try:
            car = accounts.my_car(actor, int(raw_car))
        except (ValueError, NotFound):
            errors["car"] = "please choose one of your cars"
    services = []
    raw = source.getall("service")
    if not raw:
        errors["service"] = "please choose at least one service"
    for value in raw[:10]:
        try:
            item = schedule_cache.get_service(int(value), actor=PUBLIC, version=config_version())
        except (ValueError, ValidationError, NotFound):
            errors["service"] = "please choose services from the list"
            continue
        if not item.active:
            errors["service"] = f"{item.name} can no longer be booked online"
        elif item.id not in [s.id for s in services]:
            services.append(item)
    if errors or car is None:
        return None, errors
    return Choice(car, services), {}


def quote_gate(choice: Choice | None) -> None:
    """A quote that cannot be booked now (already booked, no longer accepted) goes back to its page, which says
    why; the booking steps only serve a quote that `quotes` calls bookable."""
    raw = query_value("quote")
    if raw and (choice is None or choice.quote is None or not choice.quote.bookable):
        go(f"/quotes/{int(raw)}")


def parse_month(value: str | None) -> date:
    first = today().replace(day=1)
    if value:
        try:
            year, month = (int(part) for part in value.split("-", 1))
            first = date(year, month, 1)
        except ValueError:
            pass
    return first


def month_slots(actor: Actor, choice: Choice, first: date) -> dict[date, list[booking.Slot]]:
    """Free starts of every day of FIRST's month from today on, grouped by day."""
    last = date(first.year, first.month, monthcal.monthrange(first.year, first.month)[1])
    start = max(first, today())
    limit = today() + timedelta(days=advance_days())
    last = min(last, limit)
    if start > last:
        return {}
    return day_groups(actor, choice, start, (last - start).days + 1)


def day_groups(actor: Actor, choice: Choice, start: date, days: int) -> dict[date, list[booking.Slot]]:
    slots = schedule_cache.available_slots(choice.service_ids, start, days, vehicle_id=choice.car.id, actor=actor)
    if days == 1:  # the free times of one day (what the calendar script asks for at every click)
        return {start: slots} if slots else {}
    groups: dict[date, list[booking.Slot]] = {}
    for slot in slots:
        groups.setdefault(slot.start.date(), []).append(slot)
    return groups


def weeks(first: date) -> list[list[date | None]]:
    return [
        [d if d.month == first.month else None for d in week]
        for week in monthcal.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]


def _day_text(value: str | None) -> str:
    """An ISO date to carry to the next step, or "" (anything else is dropped, not carried along)."""
    day = parse_day(value)
    return day.isoformat() if day else ""


def _start_text(value: str | None) -> str:
    """A start time (ISO with its offset) to carry to the calendar, or ""."""
    try:
        start = datetime.fromisoformat(value or "")
    except ValueError:
        return ""
    return start.isoformat() if start.tzinfo is not None else ""


def parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def shift_month(first: date, delta: int) -> date:
    month = first.month - 1 + delta
    return date(first.year + month // 12, month % 12 + 1, 1)


def calendar_page(actor: Actor, choice: Choice) -> str:
    no_store()
    first = parse_month(query_value("month"))
    chosen = parse_day(query_value("date"))
    if chosen is not None:
        first = chosen.replace(day=1)
    if request.query.get("fragment") == "times" and chosen is not None:
        times = day_groups(actor, choice, chosen, 1).get(chosen, []) if today() <= chosen else []
        return times_fragment(choice, chosen, times)
    slots = month_slots(actor, choice, first)
    this_month = today().replace(day=1)
    last_month = (today() + timedelta(days=advance_days())).replace(day=1)
    prev_month = shift_month(first, -1) if first > this_month else None
    next_month = shift_month(first, 1) if first < last_month else None
    return render(
        "calendar",
        title="Choose a day" if not choice.appointment else "Choose a new time",
        choice=choice,
        first=first,
        weeks=weeks(first),
        slots=slots,
        chosen=chosen,
        times=slots.get(chosen, []) if chosen else [],
        prev_month=prev_month,
        next_month=next_month,
        weekdays=WEEKDAYS,
        today=today(),
        date_words=_date_words,
        time_words=_local_time,
        picked_start=_start_text(query_value("start")),  # from the public times page
    )


_FRAGMENTS: OrderedDict[tuple, tuple[list[booking.Slot], str]] = OrderedDict()  # type: ignore[type-arg]
_FRAGMENTS_MAX = 1024
_fragments_lock = threading.Lock()


def times_fragment(choice: Choice, chosen: date, times: list[booking.Slot]) -> str:
    """The free times of a day as the HTML the calendar script loads, rendered once per distinct answer.

    The fragment holds no session data (no CSRF token: its form is a GET), only what is in the
    key, so equal keys give equal HTML; the calendar script asks for it at every day click.
    """
    key = (chosen, choice.base, tuple(choice.hidden()), choice.minutes, str(shop_zone()), len(times))
    found = _FRAGMENTS.get(key)
    # The same list object (the cache's own answer, never changed) or equal starts: the same HTML.
    if found is not None and (found[0] is times or [s.start for s in found[0]] == [s.start for s in times]):
        return found[1]
    html = render("_times", choice=choice, chosen=chosen, times=times, date_words=_date_words,
                  time_words=_local_time)  # fmt: skip
    with _fragments_lock:
        _FRAGMENTS[key] = (times, html)
        while len(_FRAGMENTS) > _FRAGMENTS_MAX:
            _FRAGMENTS.popitem(last=False)
    return html


def _local_time(value: datetime) -> str:
    return value.astimezone(shop_zone()).strftime("%H:%M")


@functools.lru_cache(maxsize=1024)
def _date_words(value: date) -> str:
    """'Tuesday 24 November 2026' (the month page labels every day with it: kept, not re-formatted)."""
    return f"{value:%A} {value.day} {value:%B %Y}"


def parse_start(choice: Choice) -> tuple[datetime | None, str | None]:
    raw = request.params.getunicode("start", default="")
    if not raw:
        return None, "please choose a time"
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None, "please choose one of the free times"
    if value.tzinfo is None:
        return None, "please choose one of the free times"
    return value.astimezone(shop_zone()), None


def review_page(choice: Choice, start: datetime, **values: object) -> str:
    """The check-and-confirm page, saying until when the chosen time could still be changed online."""
    terms = accounts.change_window(start, moving=choice.appointment)
    return render("review", title="Check and confirm", choice=choice, start=start, terms=terms, **values)


def install(app: bottle.Bottle) -> None:
    @app.get("/book")
    @login_required
    def choose(actor: Actor) -> str:
        no_store()
        cars = accounts.my_cars(actor)
        picked = {
            "car": request.query.getunicode("car", default=str(cars[0].id) if len(cars) == 1 else ""),
            "service": request.query.getall("service"),
            # From the public times page: the calendar opens on that day with that time picked.
            "date": _day_text(query_value("date")),
            "start": _start_text(query_value("start")),
        }
        return render(
            "book", title="Book a service", cars=cars, groups=services_by_category(), picked=picked, errors={}
        )

    @app.get("/book/calendar")
    @login_required
    def month(actor: Actor) -> str:
        choice, errors = parse_choice(actor)
        quote_gate(choice)
        if choice is None:
            no_store()
            picked = {
                "car": request.query.getunicode("car", default=""),
                "service": request.query.getall("service"),
                "date": _day_text(query_value("date")),
                "start": _start_text(query_value("start")),
            }
            return render(
                "book", title="Book a service", cars=accounts.my_cars(actor), groups=services_by_category(),
                picked=picked, errors=errors,
            )  # fmt: skip
        return calendar_page(actor, choice)

    @app.get("/book/review")
    @login_required
    def review(actor: Actor) -> str:
        no_store()
        choice, _errors = parse_choice(actor)
        quote_gate(choice)
        if choice is None:
            go("/book")
        start, problem = parse_start(choice)
        if start is None:
            go(f"/book/calendar?{choice.params()}")
        return review_page(choice, start, key=secrets.token_urlsafe(16), alternatives=[], problem=problem, errors={})

    @app.post("/book")
    @login_required
    def book(actor: Actor) -> str:
        no_store()
        choice, _errors = parse_choice(actor, request.forms)
        if choice is None:
            raw_quote = request.forms.getunicode("quote", default="")
            go(f"/quotes/{int(raw_quote)}" if raw_quote else "/book")
        start, _problem = parse_start(choice)
        if start is None:
            go(f"/book/calendar?{choice.params()}")
        key = request.forms.getunicode("key", default="")[:100] or None
        idempotency_key = f"portal:{actor.customer_id}:{key}" if key else None
        try:
            if choice.quote is not None:  # links the quote to its visit (one bill per visit)
                appointment = quotes.book_accepted(choice.quote.id, start, actor=actor,
                                                   idempotency_key=idempotency_key)  # fmt: skip
            else:
                appointment = booking.book(
                    actor.customer_id, choice.car.id, choice.service_ids, start, source="portal", actor=actor,
                    idempotency_key=idempotency_key,
                )  # fmt: skip
        except quotes.NotBookable as exc:  # booked meanwhile (another tab): another time would not help
            return review_page(choice, start, key="", alternatives=[], problem="booked", errors={"quote": str(exc)})
        except Conflict as exc:
            return review_page(
                choice, start, key=secrets.token_urlsafe(16), alternatives=exc.alternatives, problem="taken", errors={}
            )
        except ValidationError as exc:
            return review_page(
                choice, start, key=secrets.token_urlsafe(16), alternatives=[], problem="invalid", errors=exc.fields
            )
        go(f"/appointments/{appointment.id}", "booked")
        return ""

    # Rescheduling reuses the calendar with the appointment's car and services.

    def moving(actor: Actor, ident: str) -> Choice:
        try:
            appointment = booking.get_appointment(int(ident), actor=actor)
        except ValueError:
            raise NotFound(ident) from None
        car = accounts.my_car(actor, appointment.vehicle_id)
        services = [
            catalog.ServiceItem(line.service_id, line.name, "", 0, "", line.duration_minutes, line.price, None, True)
            for line in appointment.services
        ]
        return Choice(car, services, appointment)

    @app.get("/appointments/<ident>/reschedule")
    @login_required
    def reschedule_calendar(actor: Actor, ident: str) -> str:
        choice = moving(actor, ident)
        options = accounts.appointment_options(actor, choice.appointment)
        if not options.can_reschedule:
            go(f"/appointments/{choice.appointment.id}")
        return calendar_page(actor, choice)

    @app.get("/appointments/<ident>/reschedule/review")
    @login_required
    def reschedule_review(actor: Actor, ident: str) -> str:
        no_store()
        choice = moving(actor, ident)
        start, _problem = parse_start(choice)
        if start is None:
            go(f"{choice.base}")
        return review_page(choice, start, key="", alternatives=[], problem=None, errors={})

    @app.post("/appointments/<ident>/reschedule")
    @login_required
    def reschedule(actor: Actor, ident: str) -> str:
        no_store()
        choice = moving(actor, ident)
        start, _problem = parse_start(choice)
        if start is None:
            go(choice.base)
        try:
            booking.reschedule(choice.appointment.id, start, actor=actor)
        except Conflict as exc:
            return review_page(choice, start, key="", alternatives=exc.alternatives, problem="taken", errors={})
        except ValidationError as exc:
            return review_page(choice, start, key="", alternatives=[], problem="invalid", errors=exc.fields)
        except Forbidden as exc:
            return review_page(choice, start, key="", alternatives=[], problem="invalid", errors={"start": str(exc)})
        go(f"/appointments/{choice.appointment.id}", "rescheduled")
        return ""
