"""Today: the day at a glance, per bay, with the status steps at a key press; refreshes itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from garage_tui.screens.appointment import STATUS_WORDS, AppointmentScreen, change_status
from garage_tui.widgets.pane import AreaPane, PaneTable, add_columns
from shop import booking, clock, inventory, settings
from shop.auth import Actor, can
from shop.booking import Appointment, DayBoard

REFRESH_SECONDS = 10


@dataclass(frozen=True)
class TodayData:
    board: DayBoard
    low_stock: int | None  # None: the role may not see stock


def load_today(actor: Actor) -> TodayData:
    day = clock.now().astimezone(settings.timezone()).date()
    board = booking.day_board(day, actor=actor)
    low = len(inventory.low_stock(actor=actor)) if can(actor, "inventory.read") else None
    return TodayData(board, low)


class TodayTable(PaneTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "forward('open')", "Open"),
        Binding("i", "forward('to(\"checked_in\")')", "Check in"),
        Binding("s", "forward('to(\"in_progress\")')", "Start"),
        Binding("w", "forward('to(\"waiting_parts\")')", "Waiting parts"),
        Binding("c", "forward('to(\"completed\")')", "Complete"),
        Binding("n", "forward('to(\"no_show\")')", "No-show"),
        Binding("b", "forward('book')", "Book"),
        Binding("ctrl+r", "forward('reload')", "Refresh"),
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

    def compose(self) -> ComposeResult:
        yield Static("", id="today-title", classes="section-title")
        yield Static("", id="today-summary", classes="hint")
        yield TodayTable(id="today-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        add_columns(
            self.query_one("#today-table", DataTable),
            ("Bay", 10),
            ("Time", 11),
            ("Customer", 20),
            ("Car", 24),
            ("Services", 28),
            ("Status", 17),
        )
        self.action_reload()
        self.set_interval(REFRESH_SECONDS, self.action_reload)

    def activate(self) -> None:
        self.action_reload()
        super().activate()

    def action_reload(self) -> None:
        self.call_service(load_today, self.actor, then=self.show, group="today")

    def show(self, data: TodayData) -> None:
        board = data.board
        hours = ", ".join(f"{s:%H:%M}–{e:%H:%M}" for s, e in board.open) or "closed"
        if board.closed_reason:
            hours = f"closed ({board.closed_reason})"
        self.query_one("#today-title", Static).update(f"{board.day:%A %d %B %Y} · open {hours}")
        counts: dict[str, int] = {}
        table = self.query_one("#today-table", DataTable)
        selected = self._selected()
        table.clear()
        self.rows = {}
        for bay in board.bays:
            for a in bay.appointments:
                counts[a.status] = counts.get(a.status, 0) + 1
                self.rows[a.id] = a
                table.add_row(
                    bay.name,
                    f"{a.start:%H:%M}–{a.end:%H:%M}",
                    a.customer_name,
                    a.vehicle,
                    ", ".join(s.name for s in a.services),
                    STATUS_WORDS.get(a.status, a.status),
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
        self.query_one("#today-summary", Static).update(" · ".join(parts))
        if selected is not None and selected.id in self.rows:
            table.move_cursor(row=list(self.rows).index(selected.id))

    def _selected(self) -> Appointment | None:
        table = self.query_one("#today-table", DataTable)
        if not self.rows or table.cursor_row < 0:
            return None
        return self.rows.get(int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))

    def action_open(self) -> None:
        a = self._selected()
        if a is not None:
            self.app.push_screen(AppointmentScreen(a.id), lambda _: self.action_reload())

    def action_to(self, status: str) -> None:
        a = self._selected()
        if a is None:
            return
        if status not in booking.allowed_transitions(a.status):
            now = STATUS_WORDS.get(a.status, a.status).lower()
            self.app.notify(f"{a.customer_name} is {now}; that step is not possible now.", severity="warning")
            return
        change_status(self, a, status, self._moved)

    def _moved(self, result: Appointment | None) -> None:
        if result is not None:
            self.app.notify(f"{result.customer_name}: {STATUS_WORDS.get(result.status, result.status)}.")
            self.action_reload()

    def action_book(self) -> None:
        from garage_tui.screens.booking import BookingScreen

        self.app.push_screen(BookingScreen(), lambda _: self.action_reload())
