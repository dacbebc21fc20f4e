"""The public free-times page: when the shop could fit a job in, before anyone signs up or names a car.

A visitor picks services and a day and sees that day's free times, under the same rules as a
customer's booking (minimum notice, how far ahead, opening hours, closures, bays). Each time leads
to the booking steps (log in, choose the car), which re-check it. The page holds nothing personal,
so for visitors without a session the whole page is kept per answer and served again while the
shop's counters stand still: it is the page people click through most while deciding.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

import bottle
from bottle import request

from customer_site.routes.public import PUBLIC, services_by_category
from customer_site.web import page, query_value, render
from shop import schedule_cache
from shop.errors import ValidationError


def params(found: schedule_cache.VisitorDay, day: date) -> str:
    return urlencode([("service", str(s.id)) for s in found.services] + [("date", day.isoformat())])


def day_link(found: schedule_cache.VisitorDay, delta: int) -> str | None:
    """The previous or next day's page, inside the days customers may book."""
    day = found.day + timedelta(days=delta)
    if day < found.first_day or day > found.last_day:
        return None
    return f"/times?{params(found, day)}"


def book_links(found: schedule_cache.VisitorDay) -> list[tuple[object, str]]:
    """Each free time with its way into the booking steps: these services, this day, this time picked
    (log-in first when needed; the car is chosen there)."""
    base = f"/book?{params(found, found.day)}"
    return [(slot, f"{base}&{urlencode({'start': slot.start.isoformat()})}") for slot in found.slots]


def install(app: bottle.Bottle) -> None:
    @app.get("/times")
    def times() -> str | bytes:
        raw_services = request.query.getall("service")
        raw_day = query_value("date") or None
        if page().session is not None or request.query.get("done"):
            return times_page(raw_services, raw_day, visitor=False)  # names who is signed in: made each time
        # A visitor's page holds nothing personal: the same question within a second gets the same page
        # without asking the database (`schedule_cache.recent`); booking any time shown re-checks it.
        key = ("visitor times", tuple(raw_services[: schedule_cache.MAX_SERVICES]), raw_day)
        return schedule_cache.recent(key, VISITOR_PAGE_SECONDS, lambda: times_page(raw_services, raw_day, visitor=True))


VISITOR_PAGE_SECONDS = 1.0


def times_page(raw_services: list[str], raw_day: str | None, visitor: bool) -> bytes:
    """The page for the chosen services and day (or the form alone, or the form with what is wrong)."""
    picked = {"service": raw_services, "date": raw_day or ""}
    if not raw_services and raw_day is None:  # first visit: the form alone
        return render("times", title="Free times", found=None, groups=services_by_category(), picked=picked).encode()
    try:
        found = schedule_cache.visitor_day(raw_services, raw_day, actor=PUBLIC)
    except ValidationError as exc:
        return render("times", title="Free times", found=None, groups=services_by_category(), picked=picked,
                      errors=exc.fields).encode()  # fmt: skip
    cache = request.environ.setdefault("portal.cache", {})
    cache.setdefault("config_version", found.config_version)  # the settings below need no query of their own
    picked = {"service": [str(s.id) for s in found.services], "date": found.day.isoformat()}

    def page_html() -> bytes:
        return render(
            "times", title="Free times", found=found, groups=services_by_category(), picked=picked,
            previous=day_link(found, -1), following=day_link(found, 1), links=book_links(found),
        ).encode()  # fmt: skip

    if not visitor:
        return page_html()
    key = ("times page", tuple(s.id for s in found.services), found.day, found.first_day, found.config_version)
    return schedule_cache.reuse(key, found.version, page_html)
