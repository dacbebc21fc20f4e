"""Login: staff username and password; repeated failures are slowed down by `shop.staff.login`."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Middle, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static

from garage_tui.widgets.header import ShopHeader
from garage_tui.widgets.service import ServiceCalls
from shop import staff
from shop.errors import ShopError


class LoginScreen(ServiceCalls, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+q", "app.quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield ShopHeader()
        with Middle(), Center(), Vertical(id="login-box", classes="dialog") as box:
            box.border_title = "Staff login"
            yield Label("Username")
            yield Input(id="username", placeholder="e.g. desk")
            yield Label("Password")
            yield Input(id="password", password=True)
            yield Static("", id="login-error", classes="form-error")
            yield Button("Log in", variant="primary", id="login")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#username", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "username":
            self.query_one("#password", Input).focus()
        else:
            self.attempt()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.attempt()

    def attempt(self) -> None:
        username = self.query_one("#username", Input).value
        password = self.query_one("#password", Input).value
        if not username.strip():
            self.failed(None, "enter your username")
            self.query_one("#username", Input).focus()
            return
        self.query_one("#login-error", Static).update("Checking…")
        self.call_service(staff.login, username, password, then=self.app.logged_in, fail=self.failed, group="login")

    def failed(self, error: ShopError | None, text: str = "") -> None:
        self.query_one("#login-error", Static).update(text or str(error).removeprefix("password: "))
        password = self.query_one("#password", Input)
        password.value = ""
        password.focus()
