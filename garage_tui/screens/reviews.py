"""Reviews (F8): customers' ratings for the front desk: answer private feedback, hide or unhide, publish.

Which review may be published, hidden or brought back is decided by `shop.reviews`; its refusals
show as a notification in its own words (e.g. "answer the customer before publishing a low rating").
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.markup import escape
from textual.widgets import DataTable, Label, Select, Static

from garage_tui.widgets.form import Field, FormScreen
from garage_tui.widgets.pane import AreaPane, FlexTable
from shop import reviews
from shop.auth import Actor
from shop.reviews import ReviewCounts, ReviewInfo
from shop.scheduling import calendar

LIMIT = 200
# (label, value): value is a review status, "unanswered" or "all".
FILTERS = [
    ("Needs an answer", "unanswered"),
    ("All", "all"),
    ("Published", "published"),
    ("Private", "private"),
    ("Hidden", "hidden"),
]
STATUS_WORDS = {"published": "published", "private": "private", "hidden": "hidden"}


def stars(rating: int) -> str:
    return "★" * rating + "☆" * (5 - rating)


def load_reviews(which: str, actor: Actor) -> tuple[list[ReviewInfo], ReviewCounts]:
    if which == "unanswered":
        found = reviews.list_reviews(unanswered=True, limit=LIMIT, actor=actor)
    else:
        found = reviews.list_reviews(status=None if which == "all" else which, limit=LIMIT, actor=actor)
    return found, reviews.review_counts(actor=actor)


class ReviewsTable(FlexTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "forward('reply')", "Answer"),
        Binding("h", "forward('toggle_hidden')", "Hide / unhide"),
        Binding("p", "forward('publish')", "Publish"),
        Binding("ctrl+r", "forward('reload')", "Reload"),
    ]


class ReviewsPane(AreaPane):
    COMMANDS: ClassVar[list[tuple[str, str, str]]] = [
        ("Answer a review", "Reply to the highlighted review (private feedback first)", "reply"),
        ("Hide or unhide a review", "Take the highlighted review off the portal, or bring it back", "toggle_hidden"),
    ]
    HELP_PARTS: ClassVar[list[type]] = [ReviewsTable]
    DEFAULT_CSS = """
    ReviewsPane #reviews-filter { height: auto; }
    ReviewsPane #reviews-filter Label { margin: 1 1 0 0; }
    ReviewsPane #reviews-which { width: 24; }
    ReviewsPane #reviews-counts { margin: 1 0 0 1; width: 1fr; }
    ReviewsPane #reviews-table { height: 1fr; }
    ReviewsPane #review-detail { height: auto; max-height: 8; padding: 0 1; border-top: solid $accent; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows: dict[str, ReviewInfo] = {}

    def compose(self) -> ComposeResult:
        with Horizontal(id="reviews-filter"):
            yield Label("Show")
            yield Select(FILTERS, value="unanswered", allow_blank=False, id="reviews-which")
            yield Static("", id="reviews-counts", classes="hint")
        # The comment takes the room left; at 80 columns without the number and the date. The panel below
        # shows the highlighted review whole.
        columns = [("#", 4), ("Date", 10), ("Customer", 20), ("Rating", 6), ("Status", 9), ("Answered", 8)]
        yield ReviewsTable(
            [*columns, ("Comment", 24)],
            optional=("#", "Date"),
            id="reviews-table",
            cursor_type="row",
            zebra_stripes=True,
        )
        yield Static("", id="review-detail")

    def on_mount(self) -> None:
        self.action_reload()

    def activate(self) -> None:
        self.action_reload()
        super().activate()

    def focus_main(self) -> None:
        self.query_one("#reviews-table").focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "reviews-which":
            event.stop()
            self.action_reload()

    def action_reload(self) -> None:
        which = str(self.query_one("#reviews-which", Select).value)
        self.call_service(load_reviews, which, self.actor, then=self.show, group="reviews")

    def show(self, data: tuple[list[ReviewInfo], ReviewCounts]) -> None:
        found, counts = data
        table = self.query_one("#reviews-table", ReviewsTable)
        selected = self._selected()
        self.rows = {str(r.id): r for r in found}
        table.set_rows(
            (
                str(r.id),
                (
                    str(r.id),
                    f"{calendar.to_local(r.created_at):%Y-%m-%d}",
                    r.customer_name,
                    stars(r.rating),
                    STATUS_WORDS.get(r.status, r.status),
                    "yes" if r.reply else ("needed" if r.needs_answer else ""),
                    " ".join(r.comment.split()),
                ),
            )
            for r in found
        )
        if selected is not None and str(selected.id) in self.rows:
            table.move_cursor(row=list(self.rows).index(str(selected.id)))
        self.query_one("#reviews-counts", Static).update(
            f"{counts.published} published · {counts.private} private · {counts.hidden} hidden · "
            f"{counts.unanswered} to answer"
        )
        self.show_detail()

    def _selected(self) -> ReviewInfo | None:
        table = self.query_one("#reviews-table", DataTable)
        if not self.rows or table.cursor_row < 0 or table.row_count == 0:
            return None
        return self.rows.get(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.show_detail()

    def show_detail(self) -> None:
        """The whole comment, the customer's wish about publishing, and the shop's answer."""
        r = self._selected()
        detail = self.query_one("#review-detail", Static)
        if r is None:
            detail.update("No reviews to show here.")
            return
        wish = "wants it published" if r.publish_requested else "did not agree to publish it"
        day = f"{calendar.to_local(r.created_at):%Y-%m-%d}"
        # What customers and staff wrote is escaped: a "[/]" in a comment is text, not markup.
        name = escape(r.customer_name)
        lines = [f"[b]#{r.id} {name}[/b] {stars(r.rating)} · {day} · {r.status} · the customer {wish}"]
        lines.append(escape(r.comment) or "(no comment)")
        if r.reply:
            when = f"{calendar.to_local(r.replied_at):%Y-%m-%d %H:%M}" if r.replied_at else ""
            lines.append(f"[i]Answer by {escape(r.replied_by or '')} {when}:[/i] {escape(r.reply)}")
        elif r.needs_answer:
            lines.append("[b]Needs an answer[/b]: press r to reply to the customer.")
        detail.update("\n".join(lines))

    def _done(self, message: str) -> Any:
        def after(result: ReviewInfo | None) -> None:
            if result is not None:
                self.app.notify(message.format(r=result))
                self.action_reload()

        return after

    def action_reply(self) -> None:
        r = self._selected()
        if r is None:
            return
        actor = self.actor

        def submit(v: dict[str, Any]) -> ReviewInfo:
            return reviews.reply(r.id, v["reply"], actor=actor)

        note = escape(f"{r.customer_name} {stars(r.rating)}: {r.comment or '(no comment)'}")
        form = FormScreen(f"Answer review #{r.id}", [Field("reply", "Your answer", r.reply)], submit, "Answer", note)
        self.app.push_screen(form, self._done("Answer saved for review #{r.id}."))

    def action_toggle_hidden(self) -> None:
        r = self._selected()
        if r is None:
            return
        if r.status == "hidden":
            self.call_service(reviews.unhide, r.id, actor=self.actor, then=self._done("Review #{r.id} is {r.status}."))
            return
        if r.status != "published":  # `shop.reviews` says why it cannot be hidden
            self.call_service(reviews.hide, r.id, actor=self.actor, then=self._done("Review #{r.id} is hidden."))
            return
        actor = self.actor

        def submit(v: dict[str, Any]) -> ReviewInfo:
            return reviews.hide(r.id, v["reason"], actor=actor)

        note = "It disappears from the portal but stays stored; h on it again brings it back."
        fields = [Field("reason", "Reason (optional, kept in the audit log)")]
        form = FormScreen(f"Hide review #{r.id} by {r.customer_name}", fields, submit, "Hide", note)
        self.app.push_screen(form, self._done("Review #{r.id} is hidden."))

    def action_publish(self) -> None:
        r = self._selected()
        if r is not None:
            self.call_service(reviews.publish, r.id, actor=self.actor, then=self._done("Review #{r.id} is published."))
