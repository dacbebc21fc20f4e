"""Public pages: landing, about, services and prices, static files."""

from __future__ import annotations

import bottle

from customer_site.web import STATIC, render
from shop import catalog, settings
from shop.auth import Actor, Role

PUBLIC = Actor(role=Role.CUSTOMER, name="portal visitor")


def services_by_category() -> list[tuple[str, list[catalog.ServiceItem]]]:
    groups: dict[str, list[catalog.ServiceItem]] = {}
    for item in catalog.list_services(actor=PUBLIC):
        groups.setdefault(item.category, []).append(item)
    return list(groups.items())


def opening_hours() -> list[tuple[str, str]]:
    """The week's opening hours as (day, "08:00-12:00, 13:00-17:30") when the calendar module knows them."""
    try:
        from shop import scheduling  # type: ignore[attr-defined]
    except ImportError:
        return []
    describe = getattr(scheduling, "describe_opening_hours", None)
    return describe() if describe else []


def install(app: bottle.Bottle) -> None:
    @app.get("/")
    def landing() -> str:
        return render("landing", title=settings.get("shop.name"), hours=opening_hours())

    @app.get("/about")
    def about() -> str:
        text = settings.get("portal.about")
        paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
        return render("about", title="About us", paragraphs=paragraphs, hours=opening_hours())

    @app.get("/services")
    def services() -> str:
        return render("services", title="Services and prices", groups=services_by_category())

    @app.get("/static/<path:path>")
    def static(path: str) -> bottle.HTTPResponse:
        resp = bottle.static_file(path, root=str(STATIC))
        resp.set_header("Cache-Control", "public, max-age=3600")
        return resp
