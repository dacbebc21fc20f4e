"""Admin > Services: the catalogue of services and prices (add, edit, deactivate, categories).

Prices, durations (whole booking slots) and names are checked by `shop.catalog`; its reasons appear
under the form's fields.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from garage_tui.widgets.form import Field, FormScreen
from garage_tui.widgets.pane import PaneTable, Section, add_columns
from shop import catalog
from shop.auth import Actor
from shop.catalog import Category, ServiceItem


class ServiceTable(PaneTable):
    HELP_TITLE: ClassVar[str] = "Admin › Services"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "forward('add_service')", "Add service"),
        Binding("e", "forward('edit_service')", "Edit service"),
        Binding("d", "forward('toggle_service')", "Deactivate / activate"),
        Binding("i", "forward('toggle_inactive')", "Show inactive"),
        Binding("c", "forward('add_category')", "Add category"),
    ]


def _catalog(include_inactive: bool, actor: Actor) -> tuple[list[ServiceItem], list[Category]]:
    return catalog.list_services(active_only=not include_inactive, actor=actor), catalog.list_categories(actor=actor)


class CatalogSection(Section):
    def __init__(self) -> None:
        super().__init__(id="catalog-section")
        self.services: dict[str, ServiceItem] = {}
        self.categories: list[Category] = []
        self.show_inactive = False

    def compose(self) -> ComposeResult:
        yield Static(
            "a adds, e edits, d deactivates or re-activates, i shows inactive services, c adds a category.",
            classes="hint",
        )
        yield ServiceTable(id="service-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        add_columns(
            self.query_one(DataTable),
            ("Category", 16),
            ("Service", 26),
            ("Minutes", 7),
            ("Price", 10),
            ("Needs", 12),
            ("Active", 6),
        )
        self.reload()

    def reload(self) -> None:
        self.call_service(_catalog, self.show_inactive, self.actor, then=self.fill, group="catalog")

    def fill(self, data: tuple[list[ServiceItem], list[Category]]) -> None:
        services, self.categories = data
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        self.services = {str(s.id): s for s in services}
        for s in services:
            table.add_row(
                s.category,
                s.name,
                str(s.duration_minutes),
                f"{s.price:.2f}",
                s.requires_capability or "",
                "yes" if s.active else "no",
                key=str(s.id),
            )
        if services:
            table.move_cursor(row=min(max(row, 0), len(services) - 1))

    def _current(self) -> ServiceItem | None:
        table = self.query_one(DataTable)
        if not self.services or table.cursor_row < 0:
            return None
        return self.services[str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)]

    def _fields(self, s: ServiceItem | None) -> list[Field]:
        options = [(c.name, str(c.id)) for c in self.categories]
        return [
            Field("name", "Name", s.name if s else ""),
            Field("category", "Category", str(s.category_id) if s else "", kind="select", options=options),
            Field(
                "duration_minutes", "Duration in minutes (whole booking slots)", str(s.duration_minutes) if s else ""
            ),
            Field("price", "Price (net, e.g. 89.90)", f"{s.price:.2f}" if s else ""),
            Field("description", "Description (optional)", s.description if s else ""),
            Field(
                "requires_capability",
                "Needs bay capability (optional)",
                (s.requires_capability or "") if s else "",
                placeholder="e.g. alignment",
            ),
        ]

    def action_add_service(self) -> None:
        actor = self.actor

        def submit(v: dict[str, Any]) -> ServiceItem:
            return catalog.add_service(
                v["name"],
                v["category"],
                v["duration_minutes"],
                v["price"],
                v["description"],
                v["requires_capability"] or None,
                actor=actor,
            )

        note = "" if self.categories else "Add a category first (c)."
        self.app.push_screen(FormScreen("Add service", self._fields(None), submit, "Add", note=note), self._changed)

    def action_edit_service(self) -> None:
        service = self._current()
        if service is None:
            return
        actor = self.actor

        def submit(v: dict[str, Any]) -> ServiceItem:
            v["requires_capability"] = v["requires_capability"] or None
            return catalog.edit_service(service.id, actor=actor, **v)

        self.app.push_screen(FormScreen(f"Service {service.name}", self._fields(service), submit), self._changed)

    def action_toggle_service(self) -> None:
        service = self._current()
        if service is not None:
            self.call_service(
                catalog.edit_service, service.id, actor=self.actor, active=not service.active, then=self._changed
            )

    def action_toggle_inactive(self) -> None:
        self.show_inactive = not self.show_inactive
        self.reload()

    def action_add_category(self) -> None:
        actor = self.actor

        def submit(v: dict[str, Any]) -> Category:
            return catalog.add_category(v["name"], actor=actor)

        self.app.push_screen(FormScreen("Add category", [Field("name", "Name")], submit, "Add"), self._category_added)

    def _category_added(self, result: Category | None) -> None:
        if result is not None:
            self.app.notify(f"Category {result.name} added.")
            self.reload()

    def _changed(self, result: ServiceItem | None) -> None:
        if result is not None:
            state = "" if result.active else " (inactive)"
            self.app.notify(f"{result.name}: {result.price:.2f}{state}.")
            self.reload()
