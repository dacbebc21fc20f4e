"""Admin > Outbox: queued, sent and failed e-mails/SMS, retry of dead ones, and an SMTP test mail."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Label, Select, Static

from garage_tui.widgets.form import Field, FormScreen
from garage_tui.widgets.pane import PaneTable, Section, add_columns
from shop import notifications
from shop.notifications.outbox import STATUSES, Message
from shop.scheduling import calendar

LIMIT = 200
STATUS_OPTIONS = [("all", "all"), *[(s, s) for s in STATUSES]]


class OutboxTable(PaneTable):
    HELP_TITLE: ClassVar[str] = "Admin › Outbox"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "forward('retry')", "Retry message"),
        Binding("t", "forward('test_mail')", "Send test mail"),
        Binding("ctrl+r", "forward('reload')", "Reload"),
    ]


class OutboxSection(Section):
    DEFAULT_CSS = """
    OutboxSection #outbox-filter { height: auto; }
    OutboxSection #outbox-filter Label { margin: 1 1 0 0; }
    OutboxSection #outbox-status { width: 20; }
    """

    def __init__(self) -> None:
        super().__init__(id="outbox-section")
        self.messages: dict[str, Message] = {}

    def compose(self) -> ComposeResult:
        with Horizontal(id="outbox-filter"):
            yield Label("Status")
            yield Select(STATUS_OPTIONS, value="all", allow_blank=False, id="outbox-status")
            yield Static("r retries a dead, failed or dropped message; t sends a test mail now.", classes="hint")
        yield OutboxTable(id="outbox-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="outbox-error", classes="hint")

    def on_mount(self) -> None:
        add_columns(
            self.query_one(DataTable),
            ("#", 5),
            ("Created", 16),
            ("Kind", 18),
            ("To", 24),
            ("Status", 7),
            ("Tries", 5),
            ("Last error", 30),
        )
        self.action_reload()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "outbox-status":
            event.stop()
            self.action_reload()

    def action_reload(self) -> None:
        status = str(self.query_one("#outbox-status", Select).value)
        self.call_service(
            notifications.list_messages,
            status=None if status == "all" else status,
            limit=LIMIT,
            actor=self.actor,
            then=self.fill,
            group="outbox",
        )

    def fill(self, messages: list[Message]) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        self.messages = {str(m.id): m for m in messages}
        for m in messages:
            created = calendar.to_local(m.created_at).strftime("%Y-%m-%d %H:%M")
            table.add_row(
                str(m.id), created, m.kind, m.recipient, m.status, str(m.attempts), m.last_error, key=str(m.id)
            )
        if messages:
            table.move_cursor(row=min(max(row, 0), len(messages) - 1))
        more = f"newest {LIMIT} shown" if len(messages) >= LIMIT else f"{len(messages)} message(s)"
        self.query_one("#outbox-error", Static).update(more)

    def _current(self) -> Message | None:
        table = self.query_one(DataTable)
        if not self.messages or table.cursor_row < 0:
            return None
        return self.messages[str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)]

    def action_retry(self) -> None:
        message = self._current()
        if message is not None:
            self.call_service(notifications.retry, message.id, actor=self.actor, then=self._retried)

    def _retried(self, message: Message) -> None:
        self.app.notify(f"Message {message.id} is {message.status} again.")
        self.action_reload()

    def action_test_mail(self) -> None:
        actor = self.actor
        default = getattr(self.app.user, "email", None) or ""  # type: ignore[attr-defined]

        def submit(v: dict[str, Any]) -> str:
            return notifications.send_test_mail(v["to"], actor=actor)

        form = FormScreen(
            "Send a test mail",
            [Field("to", "To (e-mail address)", default)],
            submit,
            "Send",
            note="Sent right now through the SMTP settings (not through the outbox).",
        )
        self.app.push_screen(form, self._sent)

    def _sent(self, message_id: str | None) -> None:
        if message_id is not None:
            self.app.notify(f"Test mail sent ({message_id}).")
