"""Reviews (F8) in the TUI: answer private feedback, publish it, hide and unhide, who may see the area."""

from __future__ import annotations

from textual.widgets import DataTable, Select, Static

from garage_tui.app import GarageApp
from garage_tui.screens.main import MainScreen
from garage_tui.widgets.form import FormScreen
from shop import reviews
from tests import tui_fixtures
from tests.tui_fixtures import settle

tui_shop = tui_fixtures.tui_shop
tui_customers = tui_fixtures.tui_customers
tui_day = tui_fixtures.tui_day
tui_reviews = tui_fixtures.tui_reviews
SIZE = (120, 40)


def rows(app: GarageApp) -> list[list[str]]:
    table = app.screen.query_one("#reviews-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def open_reviews(pilot, which: str | None = None) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("f8")
    await settle(pilot)
    if which is not None:
        pilot.app.screen.query_one("#reviews-which", Select).value = which
        await settle(pilot)
    pilot.app.screen.query_one("#reviews-table", DataTable).focus()
    await pilot.pause()


async def test_desk_answers_private_feedback_then_publishes_it(tui_reviews) -> None:
    app = GarageApp(user=tui_reviews.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_reviews(pilot)
        assert [(r[0], r[2], r[4], r[5]) for r in rows(app)] == [
            (str(tui_reviews.low), "Bernd Brandt", "private", "needed")
        ]
        counts = str(app.screen.query_one("#reviews-counts", Static).content)
        assert counts == "1 published · 1 private · 0 hidden · 1 to answer"
        assert "Waited an hour" in str(app.screen.query_one("#review-detail", Static).content)
        await pilot.press("p")  # not answered yet: the shop's reason, nothing changes
        await settle(pilot)
        assert any("answer the customer before publishing" in str(n.message) for n in app._notifications)
        await pilot.press("r")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.error_text("reply") == "must not be empty"
        form.field_widget("reply").value = "Sorry, Mr Brandt: the next oil change is on us."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert rows(app) == []  # answered: no longer waiting
        app.screen.query_one("#reviews-which", Select).value = "private"
        await settle(pilot)
        app.screen.query_one("#reviews-table", DataTable).focus()
        await pilot.press("p")
        await settle(pilot)
        assert reviews.get_review(tui_reviews.low).status == "published"
        assert reviews.get_review(tui_reviews.low).replied_by == "desk"


async def test_hide_and_unhide_a_published_review(tui_reviews) -> None:
    app = GarageApp(user=tui_reviews.shop.admin)
    async with app.run_test(size=SIZE) as pilot:
        await open_reviews(pilot, "published")
        assert [r[0] for r in rows(app)] == [str(tui_reviews.good)]
        await pilot.press("h")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.field_widget("reason").value = "names a mechanic"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert reviews.get_review(tui_reviews.good).status == "hidden" and rows(app) == []
        app.screen.query_one("#reviews-which", Select).value = "hidden"
        await settle(pilot)
        app.screen.query_one("#reviews-table", DataTable).focus()
        assert [(r[0], r[4]) for r in rows(app)] == [(str(tui_reviews.good), "hidden")]
        await pilot.press("h")
        await settle(pilot)
        assert reviews.get_review(tui_reviews.good).status == "published"
        assert reviews.summary().count == 1


async def test_hiding_private_feedback_is_refused_in_plain_words(tui_reviews) -> None:
    app = GarageApp(user=tui_reviews.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_reviews(pilot, "private")
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert any("not published: there is nothing to hide" in str(n.message) for n in app._notifications)
        assert reviews.get_review(tui_reviews.low).status == "private"


async def test_mechanics_have_no_reviews_area(tui_reviews) -> None:
    app = GarageApp(user=tui_reviews.shop.mechanic)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen) and "reviews" not in [a.key for a in main.areas]
        await pilot.press("f8")
        await settle(pilot)
        assert [str(n.message) for n in app._notifications] == ["Reviews is not available to your role."]


def screen_line(table: DataTable, y: int) -> str:
    """The text of line Y of the table as drawn (0 is the header)."""
    return table.render_line(y).text


async def test_at_80_columns_the_comment_takes_the_room_left_and_the_panel_shows_it_whole(tui_reviews) -> None:
    app = GarageApp(user=tui_reviews.shop.desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_reviews(pilot, "all")
        table = app.screen.query_one("#reviews-table", DataTable)
        assert [str(c.label) for c in table.ordered_columns] == [
            "Customer",
            "Rating",
            "Status",
            "Answered",
            "Comment",
        ]
        assert table.region.right == 80 and table.virtual_size.width <= table.size.width  # nothing cut off
        line = screen_line(table, 1)
        assert "Bernd Brandt" in line and "needed" in line
        assert "Waited an hour past the" in line and line.rstrip().endswith("…")
        detail = str(app.screen.query_one("#review-detail", Static).render())
        assert "Waited an hour past the agreed time and nobody called." in detail
        assert "2026-11-23" in detail  # the date left out of the table


async def test_a_comment_that_looks_like_markup_shows_as_written(tui_day) -> None:
    from shop import booking, jobs
    from shop.auth import Actor, Role

    job = jobs.check_in(tui_day.anna_appointment)
    jobs.set_status(job.id, "in_progress")
    jobs.set_status(job.id, "completed")
    anna = Actor(Role.CUSTOMER, "customer", customer_id=booking.get_appointment(tui_day.anna_appointment).customer_id)
    reviews.submit_review(tui_day.anna_appointment, 4, "Fine [/] but [b]loud[/b] radio", publish=True, actor=anna)
    app = GarageApp(user=tui_day.shop.desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_reviews(pilot, "all")
        table = app.screen.query_one("#reviews-table", DataTable)
        assert "Fine [/] but [b]loud[/b] radio" in screen_line(table, 1)
        assert "Fine [/] but [b]loud[/b] radio" in str(app.screen.query_one("#review-detail", Static).render())
