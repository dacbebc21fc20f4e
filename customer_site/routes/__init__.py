"""Routes grouped by area; each module has `install(app)`."""

from __future__ import annotations

from customer_site.routes import account, appointments, booking, cars, documents, public, times

ROUTE_MODULES = [public, times, account, cars, booking, appointments, documents]
