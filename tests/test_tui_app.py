"""The TUI shell: login (and its throttle), role-aware areas, help, command palette, admin settings and staff."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, Static, TabbedContent

from garage_tui.app import GarageApp
from garage_tui.screens.help import HelpScreen
from garage_tui.screens.main import MainScreen
from garage_tui.widgets.form import FormScreen
from shop import settings, staff
from shop.errors import ValidationError
from tests import tui_fixtures
from tests.tui_fixtures import PASSWORDS, run_command, settle

tui_shop = tui_fixtures.tui_shop
SIZE = (120, 40)
ROOT = Path(__file__).resolve().parent.parent


def cells(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def open_admin(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("f9")
    await settle(pilot)


async def log_in(pilot, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    pilot.app.screen.query_one("#username", Input).value = username
    pilot.app.screen.query_one("#password", Input).value = password
    await pilot.click("#login")
    await settle(pilot)


async def test_login_with_right_password_opens_the_main_screen_for_that_role(tui_shop) -> None:
    app = GarageApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot, "ada", PASSWORDS["ada"])
        assert isinstance(app.screen, MainScreen)
        assert app.user is not None and app.user.username == "ada"
        assert app.screen.query_one("#header-user", Static).content == "Ada Admin (admin)"
        assert str(app.screen.query_one("#header-clock", Static).content) == "Mon 23 Nov 2026  08:00"
        assert [a.key for a in app.screen.areas] == [
            "today",
            "calendar",
            "customers",
            "jobs",
            "parts",
            "billing",
            "reviews",
            "admin",
            "reports",
        ]


async def test_login_with_wrong_password_stays_and_says_so(tui_shop) -> None:
    app = GarageApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot, "ada", "not-the-password")
        assert not isinstance(app.screen, MainScreen)
        assert str(app.screen.query_one("#login-error", Static).content) == "wrong username or password"
        assert app.screen.query_one("#password", Input).value == ""


def test_repeated_login_failures_make_the_next_attempt_wait(tui_shop, frozen_clock) -> None:
    for _ in range(staff.FREE_LOGIN_ATTEMPTS):
        with pytest.raises(ValidationError, match="wrong username or password"):
            staff.login("desk", "guess-guess-guess")
    with pytest.raises(ValidationError, match=r"too many failed attempts; try again in 2 s"):
        staff.login("desk", PASSWORDS["desk"])  # even the right password waits
    frozen_clock.advance(timedelta(seconds=2))
    assert staff.login("desk", PASSWORDS["desk"]).username == "desk"
    assert staff.login_delay("desk") == timedelta(0)


def test_login_delay_doubles_and_is_capped(tui_shop, frozen_clock) -> None:
    delays = []
    for _ in range(12):
        frozen_clock.advance(staff.MAX_LOGIN_DELAY)
        with pytest.raises(ValidationError):
            staff.login("max", "wrong-wrong-wrong")
        delays.append(staff.login_delay("max").total_seconds())
    assert delays[:5] == [0, 0, 2, 4, 8]
    assert max(delays) == staff.MAX_LOGIN_DELAY.total_seconds()


async def test_mechanic_cannot_open_admin(tui_shop) -> None:
    app = GarageApp(user=tui_shop.mechanic)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "admin" not in [a.key for a in app.screen.areas]
        assert not app.screen.query("#pane-admin")
        await pilot.press("f9")
        await pilot.pause()
        assert any("not available to your role" in str(n.message) for n in app._notifications)


async def test_front_desk_cannot_open_admin(tui_shop) -> None:
    app = GarageApp(user=tui_shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.screen.query("#pane-admin")


async def test_admin_setting_edit_shows_the_reason_next_to_the_field_then_saves(tui_shop) -> None:
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot)
        table = app.screen.query_one("#settings-table", DataTable)
        table.focus()
        keys = [row[0] for row in cells(table)]
        table.move_cursor(row=keys.index("tax.rate"))
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        field = app.screen.field_widget("tax.rate")
        field.value = "250"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.error_text("tax.rate") == "must be between 0 and 100"
        field.value = "7"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert settings.get("tax.rate") == "7"
        assert ["tax.rate", "7", "VAT/sales tax rate in percent"] in cells(table)


async def test_admin_setting_left_empty_or_negative_says_so_and_keeps_the_old_value(tui_shop) -> None:
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_admin(pilot)
        table = app.screen.query_one("#settings-table", DataTable)
        table.focus()
        table.move_cursor(row=[row[0] for row in cells(table)].index("labour.rate"))
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        for typed, reason in (("", "must not be empty"), ("-5", "must not be negative")):
            form.field_widget("labour.rate").value = typed
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen is form and form.error_text("labour.rate") == reason
        assert settings.get("labour.rate") == "90.00"


async def test_admin_adds_staff_with_field_errors_first(tui_shop) -> None:
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot)
        app.screen.query_one("#admin-tabs", TabbedContent).active = "admin-staff"
        app.screen.query_one("#staff-table", DataTable).focus()
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#f-username", Input).value = "9x"
        form.query_one("#f-password", Input).value = "short"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.error_text("username").startswith("use 2-32 lower-case letters")
        assert form.error_text("full_name") == "must not be empty"
        assert form.error_text("password") == "must be at least 10 characters"
        form.query_one("#f-username", Input).value = "jan"
        form.query_one("#f-full_name", Input).value = "Jan Neu"
        form.query_one("#f-role", Select).value = "mechanic"
        form.query_one("#f-password", Input).value = "jan-new-password"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert staff.get_staff("jan").role == "mechanic"
        assert ["jan", "Jan Neu", "mechanic", "", "yes"] in cells(app.screen.query_one("#staff-table", DataTable))


async def test_admin_deactivates_staff_and_shows_them_with_inactive(tui_shop) -> None:
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot)
        app.screen.query_one("#admin-tabs", TabbedContent).active = "admin-staff"
        table = app.screen.query_one("#staff-table", DataTable)
        table.focus()
        table.move_cursor(row=[r[0] for r in cells(table)].index("max"))
        await pilot.press("d")
        await settle(pilot)
        assert not staff.get_staff("max").active
        assert "max" not in [r[0] for r in cells(table)]
        await pilot.press("i")
        await settle(pilot)
        assert ["max", "Max Mechanic", "mechanic", "", "no"] in cells(table)


async def test_last_admin_cannot_be_deactivated_and_the_reason_is_shown(tui_shop) -> None:
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot)
        app.screen.query_one("#admin-tabs", TabbedContent).active = "admin-staff"
        table = app.screen.query_one("#staff-table", DataTable)
        table.focus()
        table.move_cursor(row=[r[0] for r in cells(table)].index("ada"))
        await pilot.press("d")
        await settle(pilot)
        assert staff.get_staff("ada").active
        assert any("last active admin" in str(n.message) for n in app._notifications)


async def test_help_lists_the_keys_of_every_area_the_role_may_use(tui_shop) -> None:
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = cells(app.screen.query_one("#help-table", DataTable))
        assert ["Admin › Staff", "a", "Add staff"] in rows
        for tab_key in (
            ["Admin › Schedule", "a", "Add closure"],
            ["Admin › Schedule", "a", "Add bay"],
            ["Admin › Mechanics", "e", "Edit working hours"],
            ["Admin › Mechanics", "x", "Remove time off"],
            ["Admin › Services", "a", "Add service"],
            ["Admin › Outbox", "r", "Retry message"],
            ["Reviews", "h", "Hide / unhide"],
            ["Appointment", "m", "Assign mechanic"],
            ["Quote editor", "b", "Book accepted services at a free time"],
            ["Invoice editor", "e", "Edit the highlighted line (also Enter)"],
        ):
            assert tab_key in rows
        assert ["Everywhere", "F1", "Help"] in rows
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_help_leaves_out_the_keys_of_areas_the_role_may_not_open(tui_shop) -> None:
    app = GarageApp(user=tui_shop.desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = cells(app.screen.query_one("#help-table", DataTable))
        everywhere = [key for where, key, _ in rows if where == "Everywhere"]
        assert ["Everywhere", "F2", "Today"] in rows and ["Everywhere", "F8", "Reviews"] in rows
        assert "F9" not in everywhere and "F10" not in everywhere  # Admin and Reports: not for the front desk
        assert not any(where in ("Admin", "Reports") or where.startswith("Admin ›") for where, _, _ in rows)


async def test_command_palette_runs_an_area_action(tui_shop) -> None:
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await run_command(pilot, "add staff member")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        assert app.screen.form_title == "Add staff member"


async def test_logout_returns_to_login(tui_shop) -> None:
    app = GarageApp(user=tui_shop.admin)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert app.user is None
        assert app.screen.query_one("#username", Input).has_focus


def test_importing_the_app_leaves_heavy_libraries_and_other_screens_for_later() -> None:
    """Start-up speed: the first paint must not wait for faker, fpdf, icalendar or screens not yet opened."""
    code = (
        "import sys, garage_tui.app; "
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in ('faker', 'fpdf', 'icalendar', "
        "'holidays', 'plotext', 'textual_plotext') or m.startswith('garage_tui.screens.'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["garage_tui.screens.help", "garage_tui.screens.login"]


def test_the_garage_command_which_also_opens_the_tui_does_not_import_faker_fpdf_or_icalendar() -> None:
    heavy = "{'faker', 'fpdf', 'icalendar'}"
    code = f"import sys, cli; print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & {heavy})))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split() == []


async def test_only_the_first_area_is_built_at_start_and_the_others_when_opened(tui_shop) -> None:
    app = GarageApp(user=tui_shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query("#pane-today")
        assert not app.screen.query("#pane-customers")
        await pilot.press("f4")
        await settle(pilot)
        assert app.screen.query_one("#customer-search", Input).has_focus


def test_garage_without_a_command_opens_the_tui(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[GarageApp] = []
    monkeypatch.setattr(GarageApp, "run", lambda self: started.append(self))
    monkeypatch.setattr("garage_tui.app.setup_logging", lambda: None)
    result = cli()
    assert result.exit_code == 0, result.stderr
    assert len(started) == 1 and started[0].user is None  # the login screen comes first
    assert "Usage: garage" in cli("--help").stdout
