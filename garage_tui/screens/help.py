"""F1: every key binding, per area, read from the bindings themselves so it never goes stale."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static


def _bindings(cls: type) -> Iterable[Binding]:
    for entry in getattr(cls, "BINDINGS", []):
        if isinstance(entry, Binding):
            yield entry
        else:
            key, action, description = (*entry, "")[:3]
            yield Binding(key, action, description)


_NAMES = {"escape": "Esc", "enter": "Enter", "delete": "Del", "space": "Space", "up": "↑", "down": "↓"}


def key_display(key: str) -> str:
    """ctrl+l -> Ctrl+L, f9 -> F9, a -> a."""
    parts = key.split("+")
    *mods, last = parts
    last = _NAMES.get(last, last.upper() if len(last) > 1 or mods else last)
    return "+".join([*(m.capitalize() for m in mods), last])


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "close", "Close")]

    def __init__(self, sections: list[tuple[str, list[type]]], hidden_actions: frozenset[str] = frozenset()) -> None:
        """HIDDEN_ACTIONS: bindings not to list (e.g. the F-keys of areas the role may not open)."""
        super().__init__()
        self.sections = sections
        self.hidden_actions = hidden_actions

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help-box") as box:
            box.border_title = "Keys (Escape closes)"
            yield Static(
                "Ctrl+P opens the command palette: type what you want to do (e.g. 'add staff'). "
                "Tab / Shift+Tab move between fields; the mouse works too."
            )
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in (("Where", 18), ("Key", 16), ("Does", 40)):
            table.add_column(label, width=width)
        for title, classes in self.sections:
            seen: set[tuple[str, str, str]] = set()  # a key may do different things in different parts of one area
            for cls in classes:
                where = getattr(cls, "HELP_TITLE", "") or title  # e.g. a screen opened from the area
                for binding in _bindings(cls):
                    if binding.action in self.hidden_actions:
                        continue
                    if not binding.description or (where, binding.key, binding.description) in seen:
                        continue
                    seen.add((where, binding.key, binding.description))
                    keys = " / ".join(key_display(k.strip()) for k in binding.key.split(","))
                    table.add_row(where, keys, binding.tooltip or binding.description)  # the footer's word, or more
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
