"""The areas of the main screen, who may see each, and the key that opens it.

Each area names the module of its pane instead of importing it: start-up imports only the first
area the user sees (the Today board), the others when their tab is first opened. Importing every
screen (and the `shop` modules behind them) up front cost about a quarter of a second of start-up.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shop.auth import Actor, can

if TYPE_CHECKING:
    from garage_tui.widgets.pane import AreaPane


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    fkey: str
    allowed: Callable[[Actor], bool]
    module: str  # garage_tui.screens.<module> holding the pane class
    class_name: str

    @property
    def pane(self) -> type[AreaPane]:
        """The pane class, imported on first use."""
        return getattr(importlib.import_module(f"garage_tui.screens.{self.module}"), self.class_name)


def _any(*actions: str) -> Callable[[Actor], bool]:
    return lambda actor: any(can(actor, a) for a in actions)


AREAS: list[Area] = [
    Area("today", "Today", "f2", _any("booking.read"), "today", "TodayPane"),
    Area("calendar", "Calendar", "f3", _any("booking.read"), "calendar", "CalendarPane"),
    Area("customers", "Customers", "f4", _any("customer.read"), "customers", "CustomersPane"),
    Area("jobs", "Jobs", "f5", _any("job.read"), "jobs", "JobsPane"),
    Area("parts", "Parts", "f6", _any("inventory.read"), "parts", "PartsPane"),
    Area("billing", "Billing", "f7", _any("invoice.read"), "billing", "BillingPane"),
    Area("reviews", "Reviews", "f8", _any("review.write"), "reviews", "ReviewsPane"),
    Area("admin", "Admin", "f9", _any("settings.write", "staff.write"), "admin", "AdminPane"),
    Area("reports", "Reports", "f10", _any("report.read"), "reports", "ReportsPane"),
]


def allowed_areas(actor: Actor) -> list[Area]:
    return [a for a in AREAS if a.allowed(actor)]
