"""A modal form whose errors appear next to the fields the service names.

The form knows nothing of business rules: it collects strings, hands them to one `submit`
callable (which calls a `shop` service in a worker) and shows a `ValidationError`'s per-field
reasons under the matching inputs; other failures show under the form.

A refusal the caller may override (`ShopError.overridable`, e.g. archiving a car with a visit
booked) turns a form given an OVERRIDE_LABEL into a second question: the reason shows, the submit
button reads OVERRIDE_LABEL ("Archive anyway") and submits again with `force=True` in the values,
and the other button reads "Back" and has the focus, so a second Enter backs out rather than
overriding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from garage_tui.widgets.service import ServiceCalls
from shop.errors import Conflict, ShopError, ValidationError


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


@dataclass(frozen=True)
class Field:
    name: str  # the service's field name, so its errors land here
    label: str
    value: str = ""
    kind: str = "text"  # text | password | select | check
    options: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (label, value) for select
    placeholder: str = ""


class FormScreen(ServiceCalls, ModalScreen[Any]):
    """Fill in, Enter or Ctrl+S saves, Escape cancels. Dismisses with the service's result."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Save"),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[Field],
        submit: Callable[[dict[str, Any]], Any],
        submit_label: str = "Save",
        note: str = "",
        cancel_label: str = "Cancel",
        override_label: str = "",
        override_note: str = "",
        refused: ShopError | None = None,
    ) -> None:
        """CANCEL_LABEL: the button that closes without saving ("Back" where the form itself cancels something).

        OVERRIDE_LABEL: what the submit button says once the service refused with an overridable
        error; the values then carry `force` (False until then). OVERRIDE_NOTE is shown under that
        reason (what going on anyway means). REFUSED: a refusal met before the form opened, shown
        (and, when overridable, armed) at once.
        """
        super().__init__(classes="form-screen")
        self.form_title = title
        self.fields = list(fields)
        self.submit = submit
        self.submit_label = submit_label
        self.note = note
        self.cancel_label = cancel_label
        self.override_label = override_label
        self.override_note = override_note
        self.refused = refused
        self.overriding: dict[str, Any] | None = None  # the values an overridable refusal was about

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog form-dialog", can_focus=False) as box:
            box.border_title = self.form_title
            if self.note:
                yield Static(self.note, classes="form-note")
            for f in self.fields:
                yield Label(f.label, classes="field-label")
                if f.kind == "select":
                    yield Select(
                        list(f.options),
                        value=f.value if f.value else Select.NULL,
                        allow_blank=not f.value,
                        id=f"f-{_safe(f.name)}",
                    )
                elif f.kind == "check":
                    yield Checkbox(f.label, value=f.value == "true", id=f"f-{_safe(f.name)}")
                else:
                    yield Input(
                        value=f.value, placeholder=f.placeholder, password=f.kind == "password", id=f"f-{_safe(f.name)}"
                    )
                yield Static("", classes="field-error", id=f"err-{_safe(f.name)}")
            yield Static("", classes="form-error", id="form-error")
            with Horizontal(classes="buttons"):
                yield Button(self.submit_label, variant="primary", id="save")
                yield Button(self.cancel_label, id="cancel")

    def on_mount(self) -> None:
        if self.fields:
            self.field_widget(self.fields[0].name).focus()
        else:  # a confirmation: Enter on the focused button confirms, Escape cancels
            self.query_one("#save", Button).focus()
        if self.refused is not None:
            self.show_errors(self.refused)

    def field_widget(self, name: str) -> Widget:
        return self.query_one(f"#f-{_safe(name)}")

    def error_text(self, name: str) -> str:
        return str(self.query_one(f"#err-{_safe(name)}", Static).content)

    def values(self) -> dict[str, Any]:
        """The fields' values; with an OVERRIDE_LABEL also `force`: True only for the values last refused."""
        out: dict[str, Any] = {}
        for f in self.fields:
            widget = self.field_widget(f.name)
            if isinstance(widget, Select):
                out[f.name] = "" if widget.value in (Select.NULL, Select.BLANK) else widget.value
            elif isinstance(widget, Checkbox):
                out[f.name] = widget.value
            else:
                out[f.name] = widget.value  # type: ignore[attr-defined]
        if self.override_label:
            out["force"] = self.overriding == out  # changed since the refusal: ask the service again
        return out

    def action_submit(self) -> None:
        self._clear_errors()
        self.call_service(self.submit, self.values(), then=self.dismiss, fail=self.show_errors, group="form")

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_submit()
        else:
            self.action_cancel()

    def _clear_errors(self) -> None:
        for widget in self.query(".field-error, .form-error").results(Static):
            widget.update("")
        for widget in self.query(".-invalid-field"):
            widget.remove_class("-invalid-field")

    def show_errors(self, error: ShopError) -> None:
        names = {f.name for f in self.fields}
        general: list[str] = []
        first = None
        if isinstance(error, ValidationError):
            for name, why in error.fields.items():
                if name in names:
                    self.query_one(f"#err-{_safe(name)}", Static).update(why)
                    widget = self.field_widget(name)
                    widget.add_class("-invalid-field")
                    first = first or widget
                else:
                    general.append(f"{name}: {why}" if name else why)
        else:
            general.append(str(error))
        if isinstance(error, Conflict) and error.alternatives:
            general.append("Free instead: " + "; ".join(str(a) for a in error.alternatives[:5]))
        override = self.override_label and getattr(error, "overridable", False)
        if override and self.override_note:
            general.append(self.override_note)
        self.query_one("#form-error", Static).update("\n".join(general))
        if override:
            self.overriding = {k: v for k, v in self.values().items() if k != "force"}
            self.query_one("#save", Button).label = self.override_label
            back = self.query_one("#cancel", Button)
            back.label = "Back"
            back.focus()
        elif first is not None:
            first.focus()
