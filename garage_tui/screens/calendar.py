"""Calendar: a day grid of bays × time (and a week overview); Enter books a free slot or opens a booking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from garage_tui.screens.appointment import AppointmentScreen
from garage_tui.widgets.form import Field, FormScreen
from garage_tui.widgets.pane import AreaPane, PaneTable
from shop import booking, clock, settings
from shop.auth import Actor
from shop.booking import Appointment, DayBoard
from shop.scheduling import calendar as shop_calendar

STEP = timedelta(minutes=30)
TIME_COLUMN = 6
BAY_WIDTH = (8, 20)  # narrowest and widest bay column of the day grid
DAY_WIDTH = (7, 14)  # the same for the week overview's day columns
STATUS_STYLE = {
    "scheduled": "bold",
    "checked_in": "bold cyan",
    "in_progress": "bold yellow",
    "waiting_parts": "bold magenta",
    "completed": "green",
    "no_show": "dim red",
}


@dataclass(frozen=True)
class WeekData:
    first: date
    boards: tuple[DayBoard, ...]


def today() -> date:
    return clock.now().astimezone(settings.timezone()).date()


def load_week(first: date, actor: Actor) -> WeekData:
    return WeekData(first, tuple(booking.day_board(first + timedelta(days=i), actor=actor) for i in range(6)))


def _times(board: DayBoard) -> list[datetime]:
    if not board.open:
        return []
    start = min(s for s, _ in board.open)
    end = max(e for _, e in board.open)
    out = []
    at = start
    while at < end:
        out.append(at)
        at += STEP
    return out


def _is_open(board: DayBoard, at: datetime) -> bool:
    return any(s <= at and at + STEP <= e for s, e in board.open)


def _at(a: Appointment, at: datetime) -> bool:
    return a.active and a.start < at + STEP and at < a.end


def column_width(room: int, columns: int, limits: tuple[int, int]) -> int:
    """Width of each of COLUMNS columns sharing ROOM cells (after the time column, a scrollbar and the padding).

    So every bay (or day) is in view at 80 columns instead of behind a sideways scroll.
    """
    if columns <= 0:
        return limits[1]
    share = (room - (TIME_COLUMN + 2) - 2) // columns - 2
    return max(limits[0], min(limits[1], share))


class CalendarGrid(PaneTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "forward('open')", "Open / book"),
        Binding("left_square_bracket", "forward('shift(-1)')", "Previous"),
        Binding("right_square_bracket", "forward('shift(1)')", "Next"),
        Binding("t", "forward('today')", "Today"),
        Binding("g", "forward('jump')", "Go to date"),
        Binding("w", "forward('toggle_week')", "Day / week"),
    ]


class CalendarPane(AreaPane):
    COMMANDS: ClassVar[list[tuple[str, str, str]]] = [
        ("Calendar: go to date", "Show the bays of a given day", "jump"),
        ("Calendar: week view", "Switch between the day grid and the week overview", "toggle_week"),
    ]
    HELP_PARTS: ClassVar[list[type]] = [CalendarGrid, AppointmentScreen]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.day: date | None = None
        self.week_view = False
        self.board: DayBoard | None = None
        self.week: WeekData | None = None
        self.cells: dict[tuple[int, int], Any] = {}
        self.room = 0  # the grid's width when it was last drawn

    def compose(self) -> ComposeResult:
        yield Static("", id="calendar-title", classes="section-title")
        yield Static("", id="calendar-hint", classes="hint")
        yield CalendarGrid(id="calendar-grid", cursor_type="cell")

    def on_mount(self) -> None:
        self.reload()

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self.room:
            if self.week_view and self.week is not None:
                self.show_week(self.week)
            elif not self.week_view and self.board is not None:
                self.show_day(self.board)

    def activate(self) -> None:
        self.reload()
        super().activate()

    def reload(self) -> None:
        if self.week_view:
            day = self.day or today()
            first = day - timedelta(days=day.weekday())
            self.call_service(load_week, first, self.actor, then=self.show_week, group="calendar")
        else:
            self.call_service(booking.day_board, self.day, actor=self.actor, then=self.show_day, group="calendar")

    def _grid(self) -> DataTable:
        self.room = self.size.width
        grid = self.query_one("#calendar-grid", DataTable)
        grid.clear(columns=True)
        self.cells = {}
        return grid

    def show_day(self, board: DayBoard) -> None:
        self.board, self.day = board, board.day
        grid = self._grid()
        grid.add_column("Time", width=TIME_COLUMN)
        width = column_width(self.room, len(board.bays), BAY_WIDTH)
        for bay in board.bays:
            grid.add_column(bay.name, width=width)
        closed = f" · closed: {board.closed_reason}" if board.closed_reason else ("" if board.open else " · closed")
        self.query_one("#calendar-title", Static).update(f"Day · {board.day:%A %d %B %Y}{closed}")
        self.query_one("#calendar-hint", Static).update(
            "Enter on 'free' books that time, on a booking opens it · [ ] previous/next day · t today · "
            "g go to date · w week"
        )
        for r, at in enumerate(_times(board)):
            cells: list[Any] = [f"{at:%H:%M}"]
            for c, bay in enumerate(board.bays, start=1):
                here = next((a for a in bay.appointments if _at(a, at)), None)
                if here is not None:
                    first = here.start >= at
                    label = f"{here.customer_name}" if first else "  ┃"
                    cells.append(Text(label, style=STATUS_STYLE.get(here.status, "")))
                    self.cells[(r, c)] = here
                elif _is_open(board, at):
                    cells.append(Text("free", style="dim green"))
                    self.cells[(r, c)] = at
                else:
                    cells.append("")
            grid.add_row(*cells)

    def show_week(self, week: WeekData) -> None:
        self.week = week
        grid = self._grid()
        grid.add_column("Time", width=TIME_COLUMN)
        width = column_width(self.room, len(week.boards), DAY_WIDTH)
        for board in week.boards:
            grid.add_column(f"{board.day:%a %d %b}" if width >= 10 else f"{board.day:%a %d}", width=width)
        last = week.first + timedelta(days=5)
        self.query_one("#calendar-title", Static).update(f"Week · {week.first:%d %b} – {last:%d %b %Y}")
        self.query_one("#calendar-hint", Static).update(
            "booked / bays per half hour · Enter opens that day · [ ] previous/next week · t today · w day view"
        )
        times = sorted({at.time() for board in week.boards for at in _times(board)})
        for r, t in enumerate(times):
            cells: list[Any] = [f"{t:%H:%M}"]
            for c, board in enumerate(week.boards, start=1):
                at = next((x for x in _times(board) if x.time() == t), None)
                if at is None or not _is_open(board, at):
                    cells.append("")
                    continue
                bays = [b for b in board.bays if b.active]
                booked = sum(1 for b in bays if any(_at(a, at) for a in b.appointments))
                style = "dim green" if booked < len(bays) else "bold"
                cells.append(Text(f"{booked}/{len(bays)}", style=style))
                self.cells[(r, c)] = board.day
            grid.add_row(*cells)

    def action_open(self) -> None:
        grid = self.query_one("#calendar-grid", DataTable)
        target = self.cells.get((grid.cursor_coordinate.row, grid.cursor_coordinate.column))
        if isinstance(target, Appointment):
            self.app.push_screen(AppointmentScreen(target.id), lambda _: self.reload())
        elif isinstance(target, datetime):
            from garage_tui.screens.booking import BookingScreen

            self.app.push_screen(BookingScreen(day=target.date(), at=target), lambda _: self.reload())
        elif isinstance(target, date):
            self.day = target
            self.week_view = False
            self.reload()

    def action_shift(self, steps: int) -> None:
        self.day = (self.day or today()) + timedelta(days=steps * (7 if self.week_view else 1))
        self.reload()

    def action_today(self) -> None:
        self.day = today()
        self.reload()

    def action_toggle_week(self) -> None:
        self.week_view = not self.week_view
        self.reload()

    def action_jump(self) -> None:
        def submit(v: dict[str, Any]) -> date:
            return shop_calendar.parse_day(v["date"], "date")

        fields = [Field("date", "Day (YYYY-MM-DD)", f"{self.day or today()}")]
        self.app.push_screen(FormScreen("Go to date", fields, submit, "Go"), self._jumped)

    def _jumped(self, day: date | None) -> None:
        if day is not None:
            self.day = day
            self.reload()
