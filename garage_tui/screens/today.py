"""Today: the day at a glance, per bay, with the status steps at a key press; refreshes itself.

This is the first screen after login, so it imports little: the appointment screen (and the job and
invoice services behind it) only when an appointment is opened or moved. Below `WIDE` columns the
table drops the Services column and uses short status words, so Status stays visible at 80x24.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from garage_tui.widgets.pane import AreaPane, PaneTable, add_columns
from garage_tui.widgets.words import money, status_word
from shop import booking, clock, inventory, reports, settings
from shop.auth import Actor, can
from shop.booking import Appointment, DayBoard

REFRESH_SECONDS = 10
WIDE = 116  # pane width from which every column fits (120x40 and up)
WIDE_COLUMNS = (("Bay", 10), ("Time", 11), ("Customer", 18), ("Car", 24), ("Services", 22), ("Status", 17))
NARROW_COLUMNS = (("Bay", 9), ("Time", 11), ("Customer", 15), ("Car", 20), ("Status", 11))


@dataclass(frozen=True)
class TodayData:
    board: DayBoard
    low_stock: int | None  # None: the role may not see stock
    money: reports.DeskFigures | None = None  # None: the role may not see invoices (mechanics)


def load_today(actor: Actor) -> TodayData:
    day = clock.now().astimezone(settings.timezone()).date()
    board = booking.day_board(day, actor=actor)
    low = len(inventory.low_stock(actor=actor)) if can(actor, "inventory.read") else None
    money = reports.desk_figures(actor=actor) if can(actor, "invoice.read") else None
    return TodayData(board, low, money)


def car_label(a: Appointment, plate_first: bool) -> str:
    """The car as "make model (plate)", or "plate make model" where a cut-off label would hide the plate."""
    if not plate_first or not a.plate:
        return a.vehicle
    return f"{a.plate} {a.vehicle.removesuffix(f' ({a.plate})')}"


class TodayTable(PaneTable):
    # The footer shows these in order and cuts the rest at 80 columns: Book (the desk's most common
    # step) comes second, "Parts wait" is the narrow board's word; No-show (rare, and a button in the
    # appointment) and Refresh (the board refreshes itself) are left to F1.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "forward('open')", "Open"),
        Binding("b", "forward('book')", "Book"),
        Binding("i", "forward('to(\"checked_in\")')", "Check in"),
        Binding("s", "forward('to(\"in_progress\")')", "Start"),
        Binding("w", "forward('to(\"waiting_parts\")')", "Parts wait", tooltip="Waiting for parts"),
        Binding("c", "forward('to(\"completed\")')", "Complete"),
        Binding("n", "forward('to(\"no_show\")')", "No-show", show=False),
        Binding("ctrl+r", "forward('reload')", "Refresh", show=False),
    ]


class TodayPane(AreaPane):
    COMMANDS: ClassVar[list[tuple[str, str, str]]] = [
        ("Book appointment", "Customer, car, services, then a free slot", "book"),
        ("Refresh today", "Reload the day board now", "reload"),
    ]
    HELP_PARTS: ClassVar[list[type]] = [TodayTable]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows: dict[int, Appointment] = {}
        self.data: TodayData | None = None
        self.narrow: bool | None = None  # the column layout in use (None: none yet)

    def compose(self) -> ComposeResult:
        yield Static("", id="today-title", classes="section-title")
        yield Static("", id="today-summary", classes="hint")
        yield TodayTable(id="today-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        # The first load comes with `activate` (its tab opening), so start-up reads the day once, not three times.
        self.set_interval(REFRESH_SECONDS, self.action_reload)

    def on_resize(self, event: events.Resize) -> None:
        self._layout(event.size.width < WIDE)

    def _layout(self, narrow: bool) -> None:
        """Set the columns for the pane's width (again only when it crosses `WIDE`) and refill the table."""
        if narrow == self.narrow:
            return
        self.narrow = narrow
        selected = self._selected()
        table = self.query_one("#today-table", DataTable)
        table.clear(columns=True)
        self.rows = {}
        add_columns(table, *(NARROW_COLUMNS if narrow else WIDE_COLUMNS))
        if self.data is not None:
            self.show(self.data, selected)

    def activate(self) -> None:
        self.action_reload()
        super().activate()

    def action_reload(self) -> None:
        self.call_service(load_today, self.actor, then=self.show, group="today")

    def show(self, data: TodayData, selected: Appointment | None = None) -> None:
        self.data = data
        if self.narrow is None:
            self._layout(self.size.width < WIDE)  # fills the table itself
            return
        board = data.board
        hours = ", ".join(f"{s:%H:%M}–{e:%H:%M}" for s, e in board.open) or "closed"
        if board.closed_reason:
            hours = f"closed ({board.closed_reason})"
        self.query_one("#today-title", Static).update(f"{board.day:%A %d %B %Y} · open {hours}")
        counts: dict[str, int] = {}
        table = self.query_one("#today-table", DataTable)
        selected = selected or self._selected()
        table.clear()
        self.rows = {}
        for bay in board.bays:
            for a in bay.appointments:
                counts[a.status] = counts.get(a.status, 0) + 1
                self.rows[a.id] = a
                services = () if self.narrow else (", ".join(s.name for s in a.services),)
                table.add_row(
                    bay.name,
                    f"{a.start:%H:%M}–{a.end:%H:%M}",
                    a.customer_name,
                    car_label(a, plate_first=bool(self.narrow)),
                    *services,
                    status_word(a.status, short=self.narrow),
                    key=str(a.id),
                )
        parts = [
            f"due {counts.get('scheduled', 0)}",
            f"checked in {counts.get('checked_in', 0)}",
            f"in progress {counts.get('in_progress', 0)}",
            f"waiting for parts {counts.get('waiting_parts', 0)}",
            f"ready {counts.get('completed', 0)}",
        ]
        if data.low_stock is not None:
            parts.append(f"low-stock parts {data.low_stock}")
        if data.money is not None:
            parts.append(f"unpaid invoices {data.money.unpaid} · {money(data.money.due)} due")
            parts.append(f"today's revenue {money(data.money.revenue)}")
        self.query_one("#today-summary", Static).update(" · ".join(parts))
        if selected is not None and selected.id in self.rows:
            table.move_cursor(row=list(self.rows).index(selected.id))

    def _selected(self) -> Appointment | None:
        table = self.query_one("#today-table", DataTable)
        if not self.rows or table.cursor_row < 0:
            return None
        return self.rows.get(int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))

    def action_open(self) -> None:
        from garage_tui.screens.appointment import AppointmentScreen

        a = self._selected()
        if a is not None:
            self.app.push_screen(AppointmentScreen(a.id), lambda _: self.action_reload())

    def action_to(self, status: str) -> None:
        a = self._selected()
        if a is None:
            return
        from garage_tui.screens.appointment import change_status

        if status not in booking.allowed_transitions(a.status):
            now = status_word(a.status).lower()
            self.app.notify(f"{a.customer_name} is {now}; that step is not possible now.", severity="warning")
            return
        change_status(self, a, status, self._moved)

    def _moved(self, result: Appointment | None) -> None:
        if result is not None:
            self.app.notify(f"{result.customer_name}: {status_word(result.status)}.")
            self.action_reload()

    def action_book(self) -> None:
        from garage_tui.screens.booking import BookingScreen

        self.app.push_screen(BookingScreen(), lambda _: self.action_reload())
