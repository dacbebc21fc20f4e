"""The areas of the main screen, who may see each, and the key that opens it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from garage_tui.screens.admin import AdminPane
from garage_tui.screens.billing import BillingPane
from garage_tui.screens.calendar import CalendarPane
from garage_tui.screens.customers import CustomersPane
from garage_tui.screens.jobs import JobsPane
from garage_tui.screens.parts import PartsPane
from garage_tui.screens.reports import ReportsPane
from garage_tui.screens.today import TodayPane
from garage_tui.widgets.pane import AreaPane
from shop.auth import Actor, can


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    fkey: str
    allowed: Callable[[Actor], bool]
    pane: type[AreaPane]


def _any(*actions: str) -> Callable[[Actor], bool]:
    return lambda actor: any(can(actor, a) for a in actions)


AREAS: list[Area] = [
    Area("today", "Today", "f2", _any("booking.read"), TodayPane),
    Area("calendar", "Calendar", "f3", _any("booking.read"), CalendarPane),
    Area("customers", "Customers", "f4", _any("customer.read"), CustomersPane),
    Area("jobs", "Jobs", "f5", _any("job.read"), JobsPane),
    Area("parts", "Parts", "f6", _any("inventory.read"), PartsPane),
    Area("billing", "Billing", "f7", _any("invoice.read"), BillingPane),
    Area("admin", "Admin", "f9", _any("settings.write", "staff.write"), AdminPane),
    Area("reports", "Reports", "f10", _any("report.read"), ReportsPane),
]


def allowed_areas(actor: Actor) -> list[Area]:
    return [a for a in AREAS if a.allowed(actor)]
