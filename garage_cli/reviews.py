"""`garage review ...`: customers' reviews for the shop (list, answer, publish, hide, unhide)."""

from __future__ import annotations

import typer

from garage_cli import output
from garage_cli.root import make_app, use_db
from shop import reviews

app = make_app("Customers' reviews: list, answer private feedback, publish, hide and unhide.")
COLUMNS = ["id", "created_at", "customer_name", "rating", "status", "publish_requested", "reply", "comment"]


@app.command("list")
def list_(
    status: str | None = typer.Option(None, "--status", help="published, private or hidden"),
    unanswered: bool = typer.Option(False, "--unanswered", help="only low ratings still waiting for an answer"),
    limit: int = typer.Option(200, "--limit", min=1),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Reviews, newest first."""
    use_db()
    output.emit(reviews.list_reviews(status, unanswered, limit), as_json, COLUMNS)


@app.command("counts")
def counts(as_json: bool = typer.Option(False, "--json")) -> None:
    """How many reviews are published, private and hidden, and how many wait for an answer."""
    use_db()
    output.emit(reviews.review_counts(), as_json)


@app.command("show")
def show(review_id: int, as_json: bool = typer.Option(False, "--json")) -> None:
    """One review with the shop's answer."""
    use_db()
    output.emit(reviews.get_review(review_id), as_json)


@app.command("reply")
def reply(review_id: int, text: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Answer a review (shown to the customer and under the review on the portal)."""
    use_db()
    done = reviews.reply(review_id, text)
    output.done(f"review {done.id} answered", done, as_json)


@app.command("publish")
def publish(review_id: int, as_json: bool = typer.Option(False, "--json")) -> None:
    """Publish a review the customer agreed to publish (a low rating only once answered)."""
    use_db()
    done = reviews.publish(review_id)
    output.done(f"review {done.id} is published", done, as_json)


@app.command("hide")
def hide(
    review_id: int, reason: str = typer.Option("", "--reason"), as_json: bool = typer.Option(False, "--json")
) -> None:
    """Take a published review off the portal (it stays stored)."""
    use_db()
    done = reviews.hide(review_id, reason)
    output.done(f"review {done.id} is hidden", done, as_json)


@app.command("unhide")
def unhide(review_id: int, as_json: bool = typer.Option(False, "--json")) -> None:
    """Bring a hidden review back: published if the customer agreed, else private."""
    use_db()
    done = reviews.unhide(review_id)
    output.done(f"review {done.id} is {done.status}", done, as_json)
