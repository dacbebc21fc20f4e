"""The top bar: shop name, who is logged in, and the shop's local time (from `shop.clock`)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from garage_tui.widgets.service import ServiceCalls
from shop import clock, settings
from shop.staff import StaffMember


def _shop_identity() -> tuple[str, object]:
    return settings.get("shop.name"), settings.timezone()


class ShopHeader(ServiceCalls, Horizontal):
    def __init__(self, user: StaffMember | None = None) -> None:
        super().__init__(id="shop-header")
        self.user = user
        self.tz: object | None = None

    def compose(self) -> ComposeResult:
        yield Static("garage", id="header-shop")
        yield Static(self._user_text(), id="header-user")
        yield Static("", id="header-clock")

    def _user_text(self) -> str:
        if self.user is None:
            return ""
        return f"{self.user.full_name} ({self.user.role.replace('_', ' ')})"

    def on_mount(self) -> None:
        self.call_service(_shop_identity, then=self._identity, group="header")
        self.set_interval(15, self.tick)

    def _identity(self, result: tuple[str, object]) -> None:
        name, self.tz = result
        self.query_one("#header-shop", Static).update(name)
        self.app.title = name
        self.tick()

    def tick(self) -> None:
        if self.tz is None:
            return
        local = clock.now().astimezone(self.tz)  # type: ignore[arg-type]
        self.query_one("#header-clock", Static).update(local.strftime("%a %d %b %Y  %H:%M"))
