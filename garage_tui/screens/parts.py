"""Parts & stock: the parts table with on-hand and low-stock marks; receive, adjust."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Input, Static

from garage_tui.widgets.form import Field, FormScreen
from garage_tui.widgets.pane import AreaPane, PaneTable, add_columns
from shop import inventory
from shop.auth import can
from shop.inventory import Movement, PartInfo


class PartsTable(PaneTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "forward('receive')", "Receive"),
        Binding("a", "forward('adjust')", "Adjust"),
        Binding("l", "forward('toggle_low')", "Low stock only"),
        Binding("slash", "forward('focus_search')", "Search"),
    ]


class PartsPane(AreaPane):
    COMMANDS: ClassVar[list[tuple[str, str, str]]] = [
        ("Receive parts", "Goods in from a supplier for the highlighted part", "receive"),
        ("Low stock", "Show only parts at or below their re-order level", "toggle_low"),
    ]
    HELP_PARTS: ClassVar[list[type]] = [PartsTable]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.parts: dict[int, PartInfo] = {}
        self.low_only = False

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search SKU, name or supplier (type to filter)", id="parts-search")
        yield Static("", id="parts-summary", classes="hint")
        yield PartsTable(id="parts-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        add_columns(
            self.query_one("#parts-table", DataTable),
            ("SKU", 14),
            ("Name", 30),
            ("On hand", 8),
            ("Re-order at", 11),
            ("Bin", 8),
            ("Price", 9),
            ("", 5),
        )
        self.reload()

    def activate(self) -> None:
        self.reload()
        super().activate()

    def focus_main(self) -> None:
        self.query_one("#parts-table").focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "parts-search":
            self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#parts-table").focus()

    def action_focus_search(self) -> None:
        self.query_one("#parts-search", Input).focus()

    def reload(self) -> None:
        search = self.query_one("#parts-search", Input).value
        self.call_service(
            inventory.list_parts, search=search, low_only=self.low_only, actor=self.actor, then=self.show, group="parts"
        )

    def show(self, parts: list[PartInfo]) -> None:
        table = self.query_one("#parts-table", DataTable)
        row = table.cursor_row
        table.clear()
        self.parts = {p.id: p for p in parts}
        for p in parts:
            table.add_row(
                p.sku,
                p.name,
                str(p.on_hand),
                str(p.reorder_level),
                p.bin_location,
                str(p.price),
                Text("LOW", style="bold red") if p.low else "",
                key=str(p.id),
            )
        low = sum(1 for p in parts if p.low)
        scope = "low-stock parts only (l shows all)" if self.low_only else "all active parts (l: low stock only)"
        self.query_one("#parts-summary", Static).update(
            f"{len(parts)} parts, {low} at or below re-order level · {scope}"
        )
        if parts:
            table.move_cursor(row=min(max(row, 0), len(parts) - 1))

    def _selected(self) -> PartInfo | None:
        table = self.query_one("#parts-table", DataTable)
        if not self.parts or table.cursor_row < 0:
            return None
        return self.parts.get(int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))

    def action_toggle_low(self) -> None:
        self.low_only = not self.low_only
        self.reload()

    def _may_write(self) -> bool:
        if can(self.actor, "inventory.write"):
            return True
        self.app.notify("Your role may not receive or adjust stock.", severity="warning")
        return False

    def action_receive(self) -> None:
        part = self._selected()
        if part is None or not self._may_write():
            return
        actor = self.actor

        def submit(v: dict[str, Any]) -> Movement:
            return inventory.receive(part.id, v["quantity"], v["unit_cost"] or None, v["reference"], actor=actor)

        fields = [
            Field("quantity", "Quantity received"),
            Field("unit_cost", f"Unit cost (empty keeps {part.unit_cost})"),
            Field("reference", "Delivery note / reference"),
        ]
        self.app.push_screen(FormScreen(f"Receive {part.sku} {part.name}", fields, submit, "Receive"), self._moved)

    def action_adjust(self) -> None:
        part = self._selected()
        if part is None or not self._may_write():
            return
        actor = self.actor

        def submit(v: dict[str, Any]) -> Movement:
            return inventory.adjust(part.id, v["quantity"], v["reason"], actor=actor)

        fields = [
            Field("quantity", "Change (+2 found, -1 damaged)"),
            Field("reason", "Reason"),
        ]
        self.app.push_screen(FormScreen(f"Adjust {part.sku} {part.name}", fields, submit, "Adjust"), self._moved)

    def _moved(self, moved: Movement | None) -> None:
        if moved is not None:
            self.app.notify(f"{moved.sku}: {moved.kind} {moved.quantity}, now {moved.balance} on hand.")
            self.reload()
