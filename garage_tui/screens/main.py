"""The main screen after login: header, one tab per area the role may use, footer with keys."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widget import AwaitMount
from textual.widgets import Footer, Static, TabbedContent, TabPane

from garage_tui.areas import AREAS, Area, allowed_areas
from garage_tui.widgets.header import ShopHeader
from garage_tui.widgets.pane import AreaPane
from shop.staff import StaffMember


class MainScreen(Screen[None]):
    # `-narrow` below 116 columns (e.g. 80x24): garage.tcss gives the areas a tighter layout there.
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [(0, "-narrow"), (116, "-wide")]
    # `-short` below 32 lines (e.g. 24): charts give their room to the tables.
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [(0, "-short"), (32, "-tall")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+l", "logout", "Log out"),
        *[Binding(a.fkey, f"open_area('{a.key}')", a.title, show=False) for a in AREAS],
    ]

    def __init__(self, user: StaffMember) -> None:
        super().__init__(id="main")
        self.user = user
        self.areas = allowed_areas(user.actor())
        self._mounting: dict[str, AwaitMount] = {}  # panes being mounted (see `ensure_pane`)

    def compose(self) -> ComposeResult:
        yield ShopHeader(self.user)
        if self.areas:
            with TabbedContent(id="areas"):
                for n, area in enumerate(self.areas):
                    with TabPane(f"{area.title} [dim]{area.fkey.upper()}[/]", id=f"area-{area.key}"):
                        if n == 0:  # the others are built when first opened (see `ensure_pane`)
                            yield area.pane(id=f"pane-{area.key}")
        else:
            yield Static("There is nothing your role may open yet.", classes="hint")
        yield Footer()

    def pane(self, key: str) -> AreaPane:
        return self.query_one(f"#pane-{key}", AreaPane)

    async def ensure_pane(self, key: str) -> AreaPane:
        """The pane of area KEY, imported, built and mounted in its tab the first time it is needed.

        Start-up only builds the first area: building every pane (and loading their data) made the
        first paint wait for screens nobody had asked for yet.
        """
        pane = next(iter(self.query(f"#pane-{key}").results(AreaPane)), None)
        if pane is None:
            area = self.area(key)
            assert area is not None
            pane = area.pane(id=f"pane-{key}")
            self._mounting[key] = self.query_one(f"#area-{key}", TabPane).mount(pane)
        pending = self._mounting.get(key)
        if pending is not None:
            # A palette command opens the tab and asks for the pane at once: the second caller waits for the
            # same mount instead of using a pane whose widgets are not there yet.
            await pending
            self._mounting.pop(key, None)
        return pane

    def area(self, key: str) -> Area | None:
        return next((a for a in self.areas if a.key == key), None)

    def action_open_area(self, key: str) -> bool:
        if self.area(key) is None:
            title = next((a.title for a in AREAS if a.key == key), key)
            self.app.notify(f"{title} is not available to your role.", severity="warning")
            return False
        self.query_one("#areas", TabbedContent).active = f"area-{key}"
        return True

    async def run_area_action(self, key: str, action: str) -> None:
        if self.action_open_area(key):
            pane = await self.ensure_pane(key)
            self.call_after_refresh(pane.run_action, action)

    async def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        # Also sent for the first tab when the screen mounts: that activates (loads and focuses) the first area.
        pane_id = event.pane.id or ""
        if event.tabbed_content.id == "areas" and pane_id.startswith("area-"):
            (await self.ensure_pane(pane_id.removeprefix("area-"))).activate()

    def action_logout(self) -> None:
        self.app.logout()  # type: ignore[attr-defined]
