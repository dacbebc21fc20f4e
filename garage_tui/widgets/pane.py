"""The base of every area pane (the content of one tab of the main screen)."""

from __future__ import annotations

from typing import ClassVar

from textual.containers import Vertical
from textual.widgets import DataTable

from garage_tui.widgets.service import ServiceCalls
from shop.auth import SYSTEM, Actor


class AreaPane(ServiceCalls, Vertical):
    """An area of the app. `COMMANDS` feed the command palette: (title, help, action on this pane)."""

    COMMANDS: ClassVar[list[tuple[str, str, str]]] = []
    # Widget classes inside this pane whose key bindings the help screen lists too.
    HELP_PARTS: ClassVar[list[type]] = []

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


def add_columns(table: DataTable, *columns: tuple[str, int]) -> None:
    """Columns of fixed width: the layout never depends on when the table measured its rows."""
    for label, width in columns:
        table.add_column(label, width=width)
