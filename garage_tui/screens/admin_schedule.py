"""Admin > Schedule: opening hours per weekday, closures (holidays, stocktaking) and bays.

The rules (hour formats, date order, bay names and capabilities) live in `shop.scheduling.calendar`;
its per-field reasons appear under the form's fields.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from garage_tui.widgets.form import Field, FormScreen
from garage_tui.widgets.pane import PaneTable, Section, add_columns
from shop.auth import Actor
from shop.scheduling import calendar
from shop.scheduling.calendar import BayInfo, ClosureInfo, DayHours


class HoursTable(PaneTable):
    HELP_TITLE: ClassVar[str] = "Admin › Schedule"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("e", "forward('edit_hours')", "Edit hours")]


class ClosureTable(PaneTable):
    HELP_TITLE: ClassVar[str] = "Admin › Schedule"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "forward('add_closure')", "Add closure"),
        Binding("x", "forward('remove_closure')", "Remove closure"),
    ]


class BayTable(PaneTable):
    HELP_TITLE: ClassVar[str] = "Admin › Schedule"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "forward('add_bay')", "Add bay"),
        Binding("e", "forward('edit_bay')", "Edit bay"),
        Binding("d", "forward('toggle_bay')", "Deactivate / activate bay"),
    ]


def _schedule(actor: Actor) -> tuple[list[DayHours], list[ClosureInfo], list[BayInfo]]:
    return (
        calendar.get_hours(actor=actor),
        calendar.list_closures(actor=actor),
        calendar.list_bays(include_inactive=True, actor=actor),
    )


def _key(table: DataTable) -> str | None:
    if table.row_count == 0 or table.cursor_row < 0:
        return None
    return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)


class ScheduleSection(Section):
    # The tables' heights are in garage.tcss: the app's `DataTable { height: 1fr; }` beats any DEFAULT_CSS.
    DEFAULT_CSS = """
    ScheduleSection { overflow-y: auto; }
    """

    def __init__(self) -> None:
        super().__init__(id="schedule-section")
        self.hours: dict[str, DayHours] = {}
        self.closures: dict[str, ClosureInfo] = {}
        self.bays: dict[str, BayInfo] = {}

    def compose(self) -> ComposeResult:
        yield Static("Opening hours: e edits the highlighted day.", classes="section-title")
        yield HoursTable(id="hours-table", cursor_type="row", zebra_stripes=True)
        yield Static("Closures from today: a adds, x removes.", classes="section-title")
        yield ClosureTable(id="closure-table", cursor_type="row", zebra_stripes=True)
        yield Static("Bays: a adds, e edits, d deactivates or re-activates.", classes="section-title")
        yield BayTable(id="bay-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        add_columns(self.query_one("#hours-table", DataTable), ("Day", 10), ("Open", 40))
        add_columns(self.query_one("#closure-table", DataTable), ("From", 10), ("To", 10), ("Reason", 40))
        add_columns(self.query_one("#bay-table", DataTable), ("Bay", 20), ("Capabilities", 30), ("Active", 6))
        self.reload()

    def reload(self, _: Any = None) -> None:
        self.call_service(_schedule, self.actor, then=self.fill, group="schedule")

    def fill(self, data: tuple[list[DayHours], list[ClosureInfo], list[BayInfo]]) -> None:
        week, closures, bays = data
        table = self.query_one("#hours-table", DataTable)
        row = table.cursor_row
        table.clear()
        self.hours = {str(d.weekday): d for d in week}
        for d in week:
            table.add_row(d.day.capitalize(), ", ".join(d.intervals) or "closed", key=str(d.weekday))
        table.move_cursor(row=max(row, 0))
        table = self.query_one("#closure-table", DataTable)
        row = table.cursor_row
        table.clear()
        self.closures = {str(c.id): c for c in closures}
        for c in closures:
            table.add_row(c.start_date.isoformat(), c.end_date.isoformat(), c.reason, key=str(c.id))
        if closures:
            table.move_cursor(row=min(max(row, 0), len(closures) - 1))
        table = self.query_one("#bay-table", DataTable)
        row = table.cursor_row
        table.clear()
        self.bays = {str(b.id): b for b in bays}
        for b in bays:
            table.add_row(b.name, ", ".join(b.capabilities), "yes" if b.active else "no", key=str(b.id))
        if bays:
            table.move_cursor(row=min(max(row, 0), len(bays) - 1))

    # ---- opening hours -------------------------------------------------------------------------
    def action_edit_hours(self) -> None:
        key = _key(self.query_one("#hours-table", DataTable))
        if key is None:
            return
        day = self.hours[key]
        actor = self.actor

        def submit(v: dict[str, Any]) -> list[DayHours]:
            return calendar.set_hours([day.weekday], v["hours"], actor=actor)

        fields = [Field("hours", "Open (e.g. 08:00-12:00,13:00-17:30 or closed)", ", ".join(day.intervals) or "closed")]
        self.app.push_screen(FormScreen(f"Opening hours on {day.day.capitalize()}", fields, submit), self._changed)

    # ---- closures ------------------------------------------------------------------------------
    def action_add_closure(self) -> None:
        actor = self.actor

        def submit(v: dict[str, Any]) -> ClosureInfo:
            return calendar.add_closure(v["start_date"], v["end_date"] or None, v["reason"], actor=actor)

        fields = [
            Field("start_date", "First day closed (YYYY-MM-DD)"),
            Field("end_date", "Last day closed (empty: one day)"),
            Field("reason", "Reason", placeholder="e.g. Christmas, stocktaking"),
        ]
        self.app.push_screen(FormScreen("Add closure", fields, submit, "Add"), self._changed)

    def action_remove_closure(self) -> None:
        key = _key(self.query_one("#closure-table", DataTable))
        if key is not None:
            self.call_service(calendar.remove_closure, int(key), actor=self.actor, then=self._changed)

    # ---- bays ----------------------------------------------------------------------------------
    def action_add_bay(self) -> None:
        actor = self.actor

        def submit(v: dict[str, Any]) -> BayInfo:
            return calendar.add_bay(v["name"], v["capabilities"], actor=actor)

        fields = [
            Field("name", "Name", placeholder="e.g. Bay 3"),
            Field("capabilities", "Capabilities (comma separated, optional)", placeholder="lift, alignment"),
        ]
        self.app.push_screen(FormScreen("Add bay", fields, submit, "Add"), self._changed)

    def action_edit_bay(self) -> None:
        key = _key(self.query_one("#bay-table", DataTable))
        if key is None:
            return
        bay = self.bays[key]
        actor = self.actor

        def submit(v: dict[str, Any]) -> BayInfo:
            return calendar.edit_bay(bay.id, name=v["name"], capabilities=v["capabilities"], actor=actor)

        fields = [
            Field("name", "Name", bay.name),
            Field("capabilities", "Capabilities (comma separated)", ", ".join(bay.capabilities)),
        ]
        self.app.push_screen(FormScreen(f"Bay {bay.name}", fields, submit), self._changed)

    def action_toggle_bay(self) -> None:
        key = _key(self.query_one("#bay-table", DataTable))
        if key is not None:
            bay = self.bays[key]
            self.call_service(calendar.edit_bay, bay.id, active=not bay.active, actor=self.actor, then=self._changed)

    def _changed(self, result: Any) -> None:
        if result is not None:
            self.app.notify("Schedule saved.")
            self.reload()
