"""Admin: shop settings and staff (admins only; the tab is hidden from other roles)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from garage_tui.screens.admin_catalog import CatalogSection, ServiceTable
from garage_tui.screens.admin_mechanics import MechanicHoursTable, MechanicsSection, MechanicTable, TimeOffTable
from garage_tui.screens.admin_outbox import OutboxSection, OutboxTable
from garage_tui.screens.admin_schedule import BayTable, ClosureTable, HoursTable, ScheduleSection
from garage_tui.widgets.form import Field, FormScreen
from garage_tui.widgets.pane import AreaPane, Section, add_columns
from shop import settings, staff
from shop.settings import SettingValue
from shop.staff import StaffMember

ROLE_OPTIONS = [("Admin", "admin"), ("Front desk", "front_desk"), ("Mechanic", "mechanic")]


class SettingsSection(Section):
    HELP_TITLE: ClassVar[str] = "Admin › Settings"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Edit setting"),
        Binding("ctrl+r", "reload", "Reload"),
    ]

    def __init__(self) -> None:
        super().__init__(id="settings-section")
        self.rows: dict[str, SettingValue] = {}

    def compose(self) -> ComposeResult:
        yield Static("Enter or e edits the highlighted setting.", classes="hint")
        yield DataTable(id="settings-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        add_columns(self.query_one(DataTable), ("Setting", 26), ("Value", 32), ("What it is", 50))
        self.action_reload()

    def action_reload(self) -> None:
        self.call_service(settings.show, actor=self.actor, then=self.fill, group="settings")

    def fill(self, values: list[SettingValue]) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        self.rows = {v.key: v for v in values}
        for v in values:
            table.add_row(v.key, v.value + ("" if not v.is_default else "  (default)"), v.help, key=v.key)
        if values:
            table.move_cursor(row=min(row, len(values) - 1))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def action_edit(self) -> None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0:
            return
        key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        current = self.rows[key]
        actor = self.actor

        def submit(values: dict[str, Any]) -> str:
            return settings.set_value(key, values[key], actor=actor)

        value = "" if current.value == "********" else current.value
        form = FormScreen(
            f"Setting {key}", [Field(key, current.help, value)], submit, note=f"Default: {current.default}"
        )
        self.app.push_screen(form, self._saved)

    def _saved(self, result: str | None) -> None:
        if result is not None:
            self.app.notify("Setting saved.")
            self.action_reload()


class StaffSection(Section):
    HELP_TITLE: ClassVar[str] = "Admin › Staff"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add staff"),
        Binding("o", "role", "Change role"),
        Binding("d", "toggle_active", "Deactivate / activate"),
        Binding("i", "toggle_inactive", "Show inactive"),
    ]

    def __init__(self) -> None:
        super().__init__(id="staff-section")
        self.members: dict[str, StaffMember] = {}
        self.show_inactive = False

    def compose(self) -> ComposeResult:
        yield Static(
            "a adds, o changes the role, d deactivates or re-activates, i shows inactive logins.", classes="hint"
        )
        yield DataTable(id="staff-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        add_columns(
            self.query_one(DataTable), ("Username", 12), ("Name", 22), ("Role", 11), ("E-mail", 28), ("Active", 6)
        )
        self.reload()

    def reload(self) -> None:
        self.call_service(
            staff.list_staff, include_inactive=self.show_inactive, actor=self.actor, then=self.fill, group="staff"
        )

    def fill(self, members: list[StaffMember]) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        self.members = {m.username: m for m in members}
        for m in members:
            role = m.role.replace("_", " ")
            table.add_row(m.username, m.full_name, role, m.email or "", "yes" if m.active else "no", key=m.username)
        if members:
            table.move_cursor(row=min(row, len(members) - 1))

    def _current(self) -> StaffMember | None:
        table = self.query_one(DataTable)
        if not self.members or table.cursor_row < 0:
            return None
        return self.members[str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)]

    def action_add(self) -> None:
        actor = self.actor

        def submit(v: dict[str, Any]) -> StaffMember:
            return staff.add_staff(v["username"], v["full_name"], v["role"], v["password"], v["email"], actor=actor)

        fields = [
            Field("username", "Username", placeholder="e.g. jan"),
            Field("full_name", "Full name"),
            Field("role", "Role", value="front_desk", kind="select", options=ROLE_OPTIONS),
            Field("email", "E-mail (optional)"),
            Field("password", "Password (at least 10 characters)", kind="password"),
        ]
        self.app.push_screen(FormScreen("Add staff member", fields, submit, "Add"), self._changed)

    def action_role(self) -> None:
        member = self._current()
        if member is None:
            return
        actor = self.actor

        def submit(v: dict[str, Any]) -> StaffMember:
            return staff.set_role(member.username, v["role"], actor=actor)

        fields = [Field("role", "Role", value=member.role, kind="select", options=ROLE_OPTIONS)]
        self.app.push_screen(FormScreen(f"Role of {member.full_name}", fields, submit), self._changed)

    def action_toggle_active(self) -> None:
        member = self._current()
        if member is not None:
            self.call_service(
                staff.set_active, member.username, not member.active, actor=self.actor, then=self._changed
            )

    def action_toggle_inactive(self) -> None:
        self.show_inactive = not self.show_inactive
        self.reload()

    def _changed(self, result: StaffMember | None) -> None:
        if result is not None:
            state = "" if result.active else " (inactive)"
            self.app.notify(f"{result.full_name}: {result.role.replace('_', ' ')}{state}.")
            self.reload()


class AdminPane(AreaPane):
    # Tab id -> the table to focus whenever that tab is shown by an action (see _show_tab).
    _tab_tables: ClassVar[dict[str, str]] = {}
    COMMANDS: ClassVar[list[tuple[str, str, str]]] = [
        ("Add staff member", "Create a login for a new colleague", "add_staff"),
        ("Edit shop settings", "Shop name, address, time zone, tax rate ...", "open_settings"),
        ("Mechanics' hours and time off", "Working hours and days off of each mechanic", "open_mechanics"),
    ]
    # Every tab's keys, for the help screen (F1); tabs whose tables share a key are told apart by HELP_TITLE.
    HELP_PARTS: ClassVar[list[type]] = [
        SettingsSection,
        StaffSection,
        HoursTable,
        ClosureTable,
        BayTable,
        MechanicTable,
        MechanicHoursTable,
        TimeOffTable,
        ServiceTable,
        OutboxTable,
    ]

    def compose(self) -> ComposeResult:
        with TabbedContent(id="admin-tabs"):
            with TabPane("Settings", id="admin-settings"):
                yield SettingsSection()
            with TabPane("Staff", id="admin-staff"):
                yield StaffSection()
            with TabPane("Schedule", id="admin-schedule"):
                yield ScheduleSection()
            with TabPane("Mechanics", id="admin-mechanics"):
                yield MechanicsSection()
            with TabPane("Services", id="admin-catalog"):
                yield CatalogSection()
            with TabPane("Outbox", id="admin-outbox"):
                yield OutboxSection()

    def _show_tab(self, tab: str, table: str) -> None:
        """Switch tab and focus its table. A pane just opened from the palette is still settling its tabs
        (it flips back to the first tab and again to this one), which hides and blurs the table: so the
        table is focused each time that tab is reported active (`TabActivated`), not just once."""
        self._tab_tables = {**self._tab_tables, tab: table}
        tabs = self.query_one("#admin-tabs", TabbedContent)
        if tabs.active == tab:
            self.call_after_refresh(self.query_one(table).focus)
        tabs.active = tab

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        table = self._tab_tables.get(event.pane.id or "") if event.tabbed_content.id == "admin-tabs" else None
        if table:
            self.call_after_refresh(self.query_one(table).focus)

    def action_open_settings(self) -> None:
        self._show_tab("admin-settings", "#settings-table")

    def action_open_mechanics(self) -> None:
        self._show_tab("admin-mechanics", "#mechanic-table")

    def action_add_staff(self) -> None:
        self._show_tab("admin-staff", "#staff-table")
        self.query_one(StaffSection).action_add()
