"""The base of every area pane (the content of one tab of the main screen)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import events
from textual.containers import Vertical
from textual.widgets import DataTable

from garage_tui.widgets.service import ServiceCalls
from shop.auth import SYSTEM, Actor, can


class AreaPane(ServiceCalls, Vertical):
    """An area of the app. `COMMANDS` feed the command palette: (title, help, action on this pane)."""

    COMMANDS: ClassVar[list[tuple[str, str, str]]] = []
    # Widget classes inside this pane whose key bindings the help screen lists too.
    HELP_PARTS: ClassVar[list[type]] = []
    # Pane actions only some roles may run, with the permission each needs: their keys, help lines and
    # palette commands are left out for the others (the service would refuse them anyway).
    PERMISSIONS: ClassVar[dict[str, str]] = {}

    @classmethod
    def may(cls, actor: Actor, action: str) -> bool:
        """Whether ACTOR's role may run this pane's ACTION (see `PERMISSIONS`)."""
        permission = cls.PERMISSIONS.get(action)
        return permission is None or can(actor, permission)

    @property
    def actor(self) -> Actor:
        return getattr(self.app, "actor", SYSTEM)

    def activate(self) -> None:
        """Called when the pane's tab is shown: refresh what may have changed elsewhere, focus the main widget."""
        self.focus_main()

    def focus_main(self) -> None:
        for widget in self.query("Input, DataTable"):
            if widget.focusable:
                widget.focus()
                return


class Section(ServiceCalls, Vertical):
    """A part of a pane with its own keys (e.g. one admin tab)."""

    @property
    def actor(self) -> Actor:
        return getattr(self.app, "actor", SYSTEM)


class PaneTable(DataTable):
    """A table whose key bindings run actions of the pane it sits in: `Binding("n", "forward('new')", ...)`."""

    async def action_forward(self, action: str) -> None:
        for node in self.ancestors:
            if isinstance(node, AreaPane | Section):
                await node.run_action(action)
                return

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide (and switch off) the keys of pane actions the user's role may not run."""
        if action == "forward" and parameters:
            pane = next((n for n in self.ancestors if isinstance(n, AreaPane)), None)
            if pane is not None and not pane.may(pane.actor, str(parameters[0])):
                return False
        return super().check_action(action, parameters)


def add_columns(table: DataTable, *columns: tuple[str, int]) -> None:
    """Columns of fixed width: the layout never depends on when the table measured its rows."""
    for label, width in columns:
        table.add_column(label, width=width)


class FlexTable(PaneTable):
    """A table whose last column takes the width the others leave, its text cut with "…".

    For a column of free text (a review's comment, a mechanic's week) whose whole text the screen shows
    elsewhere too. While that column would be narrower than its minimum (80 columns), the OPTIONAL
    columns are left out, in order. Cells are plain text, never markup: customers write some of them.
    Hosts hand the rows to `set_rows` (key, one string per column), so a resize lays them out again.
    """

    def __init__(self, columns: Sequence[tuple[str, int]], optional: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = list(columns)  # (label, width); the last one's width is its minimum
        self.optional = list(optional)
        self.shown: list[int] = []  # the indexes of the columns laid out, the last one included
        self.flex_width = 0
        self.laid_out_width = -1  # the width the columns were last laid out for
        self.data: list[tuple[str, Sequence[str]]] = []

    def layout_for(self, width: int) -> tuple[list[int], int]:
        """The columns shown in WIDTH cells and the last one's width (room kept for a vertical scrollbar)."""
        pad = 2 * self.cell_padding
        *fixed, (_, minimum) = self.spec
        shown = list(range(len(fixed)))
        room = width - self.styles.scrollbar_size_vertical - pad

        def left() -> int:
            return room - sum(fixed[i][1] + pad for i in shown)

        for label in self.optional:
            if left() >= minimum:
                break
            shown.remove(next(i for i, (name, _) in enumerate(fixed) if name == label))
        return [*shown, len(fixed)], max(minimum, left())

    def on_mount(self) -> None:
        self._lay_out()

    def on_resize(self, _: events.Resize) -> None:
        self._lay_out()

    def _size_updated(self, size: Any, virtual_size: Any, container_size: Any, layout: bool = True) -> bool:
        # Textual posts a Resize only for regions its compositor saw change: a table mounted in a hidden
        # tab (width 0) could keep its first layout when the tab opened. Every new width lays it out again.
        changed = super()._size_updated(size, virtual_size, container_size, layout)
        if changed and self.is_mounted and size.width != self.laid_out_width:
            self.call_later(self._lay_out)
        return changed

    def _lay_out(self) -> None:
        self.laid_out_width = self.size.width
        shown, width = self.layout_for(self.size.width)
        if (shown, width) == (self.shown, self.flex_width):
            return
        self.shown, self.flex_width = shown, width
        row = self.cursor_row
        self.clear(columns=True)
        for i in shown:
            label, fixed = self.spec[i]
            self.add_column(label, width=width if i == len(self.spec) - 1 else fixed)
        self._add(self.data)
        if self.data:
            self.move_cursor(row=min(max(row, 0), len(self.data) - 1))

    def set_rows(self, rows: Iterable[tuple[str, Sequence[str]]]) -> None:
        """Replace the rows: (key, the text of every column in `spec`, the left-out ones included)."""
        self.data = list(rows)
        self.clear()
        self._add(self.data)

    def _add(self, rows: list[tuple[str, Sequence[str]]]) -> None:
        for key, cells in rows:
            self.add_row(*(Text(cells[i], no_wrap=True, overflow="ellipsis") for i in self.shown), key=key)
