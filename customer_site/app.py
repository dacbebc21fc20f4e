"""Assembles the portal: routes by area, the session/CSRF hook, error pages, security headers."""

from __future__ import annotations

from typing import Any

import bottle

from customer_site import web
from customer_site.routes import ROUTE_MODULES


def create_app(https: bool = False) -> Any:
    """The WSGI application. HTTPS marks the session cookie Secure (it is also Secure on https requests)."""
    app = bottle.Bottle(catchall=True)
    app.config["portal.https"] = https
    app.install(web.ShopErrorsPlugin())

    @app.hook("before_request")
    def _before() -> None:
        if request_is_static():
            return
        web.check_csrf()

    web.install_error_pages(app)
    for module in ROUTE_MODULES:
        module.install(app)
    wrapped = web.Middleware(app)
    wrapped.bottle = app  # type: ignore[attr-defined]
    return wrapped


def request_is_static() -> bool:
    return bottle.request.path.startswith("/static/")
