"""The Textual app: login first, then the main screen for the logged-in staff member's role.

Start-up imports only what the first screen needs: the main screen and its areas are imported when
someone has logged in (or the app starts with a user), each area's screens when its tab opens.
`tests/test_tui_app.py` checks that heavy libraries (faker, fpdf, icalendar) stay out of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from garage_tui.screens.help import HelpScreen
from garage_tui.screens.login import LoginScreen
from shop.auth import SYSTEM, Actor
from shop.staff import StaffMember

if TYPE_CHECKING:
    from garage_tui.screens.main import MainScreen


def setup_logging() -> None:
    """The one logging set-up of every front end ($GARAGE_LOG_LEVEL, $GARAGE_LOG_FILE, rotating file).

    Never stderr by default: it would draw over the screen. Unexpected errors land there while the
    screen only shows a short note.
    """
    from shop.logging_setup import configure

    configure("tui")


class GarageApp(App[None]):
    CSS_PATH = "garage.tcss"
    TITLE = "garage"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("f1", "help", "Help")]

    def __init__(self, user: StaffMember | None = None) -> None:
        super().__init__()
        self.user = user

    @property
    def actor(self) -> Actor:
        return self.user.actor() if self.user is not None else SYSTEM

    def on_mount(self) -> None:
        if self.user is None:
            self.push_screen(LoginScreen())
        else:
            from garage_tui.screens.main import MainScreen

            self.push_screen(MainScreen(self.user))

    def logged_in(self, member: StaffMember) -> None:
        from garage_tui.screens.main import MainScreen

        self.user = member
        self.switch_screen(MainScreen(member))

    def logout(self) -> None:
        self.user = None
        self.switch_screen(LoginScreen())

    def main_screen(self) -> MainScreen | None:
        from garage_tui.screens.main import MainScreen

        return next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        sections: list[tuple[str, list[type]]] = [("Everywhere", [GarageApp])]
        hidden: frozenset[str] = frozenset()
        if self.user is not None:
            from garage_tui.areas import AREAS, allowed_areas
            from garage_tui.screens.main import MainScreen

            sections[0][1].append(MainScreen)
            allowed = allowed_areas(self.actor)
            for area in allowed:
                sections.append((area.title, [area.pane, *area.pane.HELP_PARTS]))
            # The F-key of an area the role may not open only answers "not available": leave it out,
            # and the keys of pane actions the role may not run (they are off for it).
            hidden = frozenset(
                [f"open_area('{a.key}')" for a in AREAS if a not in allowed]
                + [
                    f"forward('{action}')"
                    for area in allowed
                    for action in area.pane.PERMISSIONS
                    if not area.pane.may(self.actor, action)
                ]
            )
        from garage_tui.widgets.form import FormScreen

        sections.append(("Forms", [FormScreen]))
        self.push_screen(HelpScreen(sections, hidden))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        main = self.main_screen()
        if main is None:
            return
        yield SystemCommand("Log out", "Back to the login screen", self.logout)
        for area in main.areas:
            yield SystemCommand(
                f"Open {area.title}",
                f"Go to {area.title} ({area.fkey.upper()})",
                partial(main.action_open_area, area.key),
            )
            for title, help_text, action in area.pane.COMMANDS:
                if not area.pane.may(self.actor, action):
                    continue
                yield SystemCommand(title, help_text, partial(main.run_area_action, area.key, action))
