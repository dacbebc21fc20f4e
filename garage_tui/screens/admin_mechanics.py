"""Admin > Mechanics: each mechanic's working hours and time off (what `garage mechanic hours|timeoff` does).

A mechanic with no hours of their own works whenever the shop is open. The rules (hour and day
formats, a time off that ends before it starts) live in `shop.scheduling.calendar`; their reasons
appear under the form's fields.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.markup import escape
from textual.widgets import DataTable, Static

from garage_tui.widgets.form import Field, FormScreen
from garage_tui.widgets.pane import FlexTable, PaneTable, Section, add_columns
from shop.auth import Actor
from shop.errors import ValidationError
from shop.scheduling import calendar
from shop.scheduling.calendar import MechanicSchedule, TimeOffInfo


class MechanicTable(FlexTable):
    HELP_TITLE: ClassVar[str] = "Admin › Mechanics"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "forward('edit_hours')", "Edit working hours"),
        Binding("c", "forward('shop_hours')", "Work the shop's hours"),
        Binding("a", "forward('add_time_off')", "Add time off"),
    ]


class MechanicHoursTable(PaneTable):
    HELP_TITLE: ClassVar[str] = "Admin › Mechanics"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "forward('edit_hours')", "Edit hours of the day"),
        Binding("c", "forward('shop_hours')", "Work the shop's hours"),
    ]


class TimeOffTable(FlexTable):
    HELP_TITLE: ClassVar[str] = "Admin › Mechanics"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "forward('add_time_off')", "Add time off"),
        Binding("x", "forward('remove_time_off')", "Remove time off"),
    ]


class TimeOffDetail(Static):
    """The highlighted time off with its whole reason, under the table (at 80x24 the section scrolls to it)."""

    def on_resize(self, _: events.Resize) -> None:
        # A longer reason wraps to more lines only after the layout: keep them all in view then.
        if self.screen.focused is not None and self.screen.focused.id == "time-off-table":
            self.scroll_visible(animate=False)


def _load(actor: Actor) -> tuple[list[MechanicSchedule], list[TimeOffInfo]]:
    return calendar.mechanic_hours(actor=actor), calendar.list_time_off(actor=actor)


def _key(table: DataTable) -> str | None:
    if table.row_count == 0 or table.cursor_row < 0:
        return None
    return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)


def _week(schedule: MechanicSchedule) -> str:
    """'Mon-Thu 07:00-12:00, 12:30-16:00 · Fri 07:00-13:00': consecutive days with the same hours run together."""
    if schedule.uses_shop_hours:
        return "the shop's opening hours"
    runs: list[list[Any]] = []  # [first day, last day, intervals]
    for d in schedule.days:
        if runs and runs[-1][2] == d.intervals and runs[-1][1].weekday == d.weekday - 1:
            runs[-1][1] = d
        else:
            runs.append([d, d, d.intervals])
    parts = []
    for first, last, intervals in runs:
        if intervals:
            days = first.day.capitalize() + (f"-{last.day.capitalize()}" if last is not first else "")
            parts.append(f"{days} {', '.join(intervals)}")
    return " · ".join(parts) or "-"


def _when(off: TimeOffInfo) -> tuple[str, str]:
    """Whole days as the first and last day off; anything else as the exact local times."""
    if off.start.time() == off.end.time() == time(0):
        return f"{off.start:%Y-%m-%d}", f"{(off.end - timedelta(days=1)):%Y-%m-%d}"
    return f"{off.start:%Y-%m-%d %H:%M}", f"{off.end:%Y-%m-%d %H:%M}"


class MechanicsSection(Section):
    # The tables' heights are in garage.tcss: the app's `DataTable { height: 1fr; }` beats any DEFAULT_CSS.
    DEFAULT_CSS = """
    MechanicsSection { overflow-y: auto; }
    """

    def __init__(self) -> None:
        super().__init__(id="mechanics-section")
        self.schedules: dict[str, MechanicSchedule] = {}
        self.time_off: dict[str, TimeOffInfo] = {}

    def compose(self) -> ComposeResult:
        yield Static(
            "Mechanics: e edits hours, c returns to the shop's hours, a adds time off.", classes="section-title"
        )
        # The week takes the room left (at 80 columns without the user name); the table below has it per day.
        yield MechanicTable(
            [("Mechanic", 22), ("User", 10), ("Works", 48)],
            optional=("User",),
            id="mechanic-table",
            cursor_type="row",
            zebra_stripes=True,
        )
        yield Static("", id="mechanic-hours-title", classes="section-title")
        yield MechanicHoursTable(id="mechanic-hours-table", cursor_type="row", zebra_stripes=True)
        yield Static("Time off from today: a adds, x removes.", classes="section-title")
        yield TimeOffTable(
            [("Mechanic", 22), ("From", 16), ("To", 16), ("Reason", 12)],
            id="time-off-table",
            cursor_type="row",
            zebra_stripes=True,
        )
        # The reason is cut to the column; the panel shows the highlighted one whole.
        yield TimeOffDetail("", id="time-off-detail")

    def on_mount(self) -> None:
        add_columns(self.query_one("#mechanic-hours-table", DataTable), ("Day", 10), ("Works", 40))
        self.reload()

    def reload(self, _: Any = None) -> None:
        self.call_service(_load, self.actor, then=self.fill, group="mechanics")

    def fill(self, data: tuple[list[MechanicSchedule], list[TimeOffInfo]]) -> None:
        schedules, time_off = data
        table = self.query_one("#mechanic-table", MechanicTable)
        row = table.cursor_row
        self.schedules = {str(s.staff_id): s for s in schedules}
        table.set_rows((str(s.staff_id), (s.name, s.username, _week(s))) for s in schedules)
        if schedules:
            table.move_cursor(row=min(max(row, 0), len(schedules) - 1))
        self.show_week()
        table = self.query_one("#time-off-table", TimeOffTable)
        row = table.cursor_row
        self.time_off = {str(t.id): t for t in time_off}
        table.set_rows((str(t.id), (t.mechanic, *_when(t), t.reason)) for t in time_off)
        if time_off:
            table.move_cursor(row=min(max(row, 0), len(time_off) - 1))
        self.show_time_off()

    def current(self) -> MechanicSchedule | None:
        key = _key(self.query_one("#mechanic-table", DataTable))
        return self.schedules.get(key) if key is not None else None

    def show_week(self) -> None:
        """The highlighted mechanic's week, one row per day."""
        schedule = self.current()
        table = self.query_one("#mechanic-hours-table", DataTable)
        row = table.cursor_row
        table.clear()
        title = self.query_one("#mechanic-hours-title", Static)
        if schedule is None:
            title.update("No active mechanics yet: add staff with the role mechanic (Staff tab).")
            return
        if schedule.uses_shop_hours:
            title.update(f"Working hours of {schedule.name}: the shop's (none of their own); e sets a day.")
        else:
            title.update(f"Working hours of {schedule.name}: e edits the highlighted day.")
        for d in schedule.days:
            works = ", ".join(d.intervals) or ("shop hours" if schedule.uses_shop_hours else "off")
            table.add_row(d.day.capitalize(), works, key=str(d.weekday))
        table.move_cursor(row=max(row, 0))

    def show_time_off(self) -> None:
        """The highlighted time off with its whole reason (the column cuts a long one with "…")."""
        detail = self.query_one("#time-off-detail", Static)
        key = _key(self.query_one("#time-off-table", DataTable))
        off = self.time_off.get(key) if key is not None else None
        if off is None:
            detail.update("No time off from today.")
            return
        first, last = _when(off)
        # Typed by staff: a "[" in a reason is text, not markup.
        reason = escape(off.reason) if off.reason else "no reason given"
        detail.update(f"[b]{escape(off.mechanic)}[/b] off {first} to {last}: {reason}")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "mechanic-table":
            event.stop()
            self.show_week()
        elif event.data_table.id == "time-off-table":
            event.stop()
            self.show_time_off()
            if event.data_table.has_focus:
                self._reveal_time_off()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget.id == "time-off-table":
            self._reveal_time_off()

    def _reveal_time_off(self) -> None:
        """At 80x24 the section scrolls: bring the reason panel under the time-off table into view too."""
        self.call_after_refresh(self.query_one(TimeOffDetail).scroll_visible, animate=False)

    # ---- working hours -------------------------------------------------------------------------
    def action_edit_hours(self) -> None:
        schedule = self.current()
        if schedule is None:
            return
        day_key = _key(self.query_one("#mechanic-hours-table", DataTable))
        day = schedule.days[int(day_key)] if day_key is not None else schedule.days[0]
        actor = self.actor

        def submit(v: dict[str, Any]) -> MechanicSchedule:
            return calendar.set_mechanic_hours(schedule.staff_id, v["day"], v["hours"], actor=actor)

        fields = [
            Field("day", "Days (e.g. mon, or mon-fri for several)", day.day),
            Field("hours", "Works (e.g. 08:00-12:00,13:00-17:00, or off)", ", ".join(day.intervals) or "off"),
        ]
        note = "A mechanic with no hours of their own on any day works the shop's opening hours."
        self.app.push_screen(FormScreen(f"Working hours of {schedule.name}", fields, submit, note=note), self._changed)

    def action_shop_hours(self) -> None:
        schedule = self.current()
        if schedule is None or schedule.uses_shop_hours:
            return
        actor = self.actor

        def submit(_: dict[str, Any]) -> MechanicSchedule:
            return calendar.set_mechanic_hours(schedule.staff_id, range(7), "closed", actor=actor)

        note = f"Clears {schedule.name}'s own working hours: from now on they work whenever the shop is open."
        form = FormScreen(f"Shop hours for {schedule.name}", [], submit, "Use shop hours", note=note)
        self.app.push_screen(form, self._changed)

    # ---- time off ------------------------------------------------------------------------------
    def action_add_time_off(self) -> None:
        actor = self.actor
        schedule = self.current()
        options = [(s.name, str(s.staff_id)) for s in self.schedules.values()]

        def submit(v: dict[str, Any]) -> TimeOffInfo:
            if not v["mechanic"]:
                raise ValidationError({"mechanic": "choose a mechanic"})
            return calendar.add_time_off(int(v["mechanic"]), v["start"], v["end"], v["reason"], actor=actor)

        fields = [
            Field("mechanic", "Mechanic", str(schedule.staff_id) if schedule else "", "select", options),
            Field("start", "From (YYYY-MM-DD for whole days, or YYYY-MM-DD HH:MM)"),
            Field("end", "To (the last day, or YYYY-MM-DD HH:MM)"),
            Field("reason", "Reason (optional)", placeholder="e.g. holiday, training, dentist"),
        ]
        self.app.push_screen(FormScreen("Add time off", fields, submit, "Add"), self._changed)

    def action_remove_time_off(self) -> None:
        key = _key(self.query_one("#time-off-table", DataTable))
        if key is not None:
            off = self.time_off[key]

            def removed(_: None) -> None:
                self.app.notify(f"Time off of {off.mechanic} removed.")
                self.reload()

            self.call_service(calendar.remove_time_off, off.id, actor=self.actor, then=removed)

    def _changed(self, result: MechanicSchedule | TimeOffInfo | None) -> None:
        if isinstance(result, MechanicSchedule):
            self.app.notify(f"Working hours of {result.name} saved.")
        elif isinstance(result, TimeOffInfo):
            self.app.notify(f"Time off of {result.mechanic} added.")
        if result is not None:
            self.reload()
