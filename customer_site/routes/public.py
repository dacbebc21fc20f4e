"""Public pages: landing, about, services and prices, static files."""

from __future__ import annotations

import bottle

from customer_site.web import STATIC, config_version, render, static_version
from shop import catalog, reviews, schedule_cache
from shop.auth import Actor, Role

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PUBLIC = Actor(role=Role.CUSTOMER, name="portal visitor")


def services_by_category() -> list[tuple[str, list[catalog.ServiceItem]]]:
    groups: dict[str, list[catalog.ServiceItem]] = {}
    for item in catalog.list_services(actor=PUBLIC):
        groups.setdefault(item.category, []).append(item)
    return list(groups.items())


def opening_hours() -> list[tuple[str, str]]:
    """The week's opening hours as (day, "08:00-12:00, 13:00-17:30" or "closed")."""
    return [
        (DAY_NAMES[day.weekday], ", ".join(i.replace("-", "–") for i in day.intervals) if day.intervals else "Closed")
        for day in schedule_cache.get_hours(actor=PUBLIC, version=config_version())
    ]


def install(app: bottle.Bottle) -> None:
    @app.get("/")
    def landing() -> str:
        return render("landing", hours=opening_hours(), rating=reviews.summary())

    @app.get("/about")
    def about() -> str:
        text = schedule_cache.get_settings("portal.about", version=config_version())["portal.about"]
        paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
        return render("about", title="About us", paragraphs=paragraphs, hours=opening_hours())

    @app.get("/services")
    def services() -> str:
        return render("services", title="Services and prices", groups=services_by_category())

    @app.get("/favicon.ico")
    def favicon() -> bottle.HTTPResponse:
        resp = bottle.static_file("favicon.svg", root=str(STATIC), mimetype="image/svg+xml")
        resp.set_header("Cache-Control", "public, max-age=86400")
        return resp

    @app.get("/static/<path:path>")
    def static(path: str) -> bottle.HTTPResponse:
        resp = bottle.static_file(path, root=str(STATIC))
        if resp.status_code in (200, 304):
            # Pages link to /static/NAME?v=HASH (web.static_url): that exact content never changes.
            versioned = bottle.request.query.get("v") == static_version(path) != ""
            policy = "public, max-age=31536000, immutable" if versioned else "public, max-age=3600"
            resp.set_header("Cache-Control", policy)
        return resp
