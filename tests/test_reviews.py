"""Review moderation by staff: counts, hide and unhide, replies to private feedback, permissions."""

from __future__ import annotations

import pytest

from shop import booking, jobs, reviews
from shop.auth import Actor, Role
from shop.errors import Conflict, Forbidden, NotFound, ValidationError
from tests.scheduling_helpers import make_shop

DESK = Actor(Role.FRONT_DESK, "desk", staff_id=1)
MECHANIC = Actor(Role.MECHANIC, "max", staff_id=2)


def reviewed(shop, at: str, rating: int, comment: str, publish: bool, other: bool = False) -> reviews.ReviewInfo:  # type: ignore[no-untyped-def]
    customer, car = (shop.other_customer_id, shop.other_car_id) if other else (shop.customer_id, shop.car_id)
    appointment = booking.book(customer, car, [shop.oil], at)
    job = jobs.check_in(appointment.id)
    jobs.set_status(job.id, "in_progress")
    jobs.set_status(job.id, "completed")
    who = Actor(Role.CUSTOMER, "customer", customer_id=customer)
    return reviews.submit_review(appointment.id, rating, comment, publish=publish, actor=who)


@pytest.fixture
def three(db):  # type: ignore[no-untyped-def]
    """A published 5, a private 2 the customer wants published, and a private 4 without consent."""
    shop = make_shop(bays=2)
    good = reviewed(shop, "2026-11-23 09:00", 5, "Quick and friendly", publish=True)
    low = reviewed(shop, "2026-11-23 09:00", 2, "Waited an hour", publish=True, other=True)
    quiet = reviewed(shop, "2026-11-23 11:00", 4, "Fine", publish=False)
    return good, low, quiet


def test_counts_per_state_and_unanswered_low_ratings(three) -> None:
    good, low, _ = three
    assert reviews.review_counts(actor=DESK) == reviews.ReviewCounts(published=1, private=2, hidden=0, unanswered=1)
    reviews.reply(low.id, "Sorry, the next oil change is on us.", actor=DESK)
    reviews.hide(good.id, "duplicate", actor=DESK)
    assert reviews.review_counts(actor=DESK) == reviews.ReviewCounts(published=0, private=2, hidden=1, unanswered=0)


def test_hide_then_unhide_publishes_the_review_again(three) -> None:
    good, _, _ = three
    hidden = reviews.hide(good.id, "names a mechanic", actor=DESK)
    assert hidden.status == "hidden" and reviews.summary().count == 0
    assert [r.id for r in reviews.list_reviews(status="hidden", actor=DESK)] == [good.id]
    back = reviews.unhide(good.id, actor=DESK)
    assert back.status == "published" and reviews.summary().count == 1


def test_only_published_reviews_can_be_hidden_and_only_hidden_ones_unhidden(three) -> None:
    good, low, _ = three
    with pytest.raises(Conflict, match=rf"review #{low.id} is private, not published"):
        reviews.hide(low.id, actor=DESK)
    with pytest.raises(Conflict, match=rf"review #{good.id} is published, not hidden"):
        reviews.unhide(good.id, actor=DESK)
    with pytest.raises(NotFound):
        reviews.hide(9999, actor=DESK)


def test_a_review_without_consent_goes_back_to_private_when_unhidden(three) -> None:
    """Data hidden before hiding was limited to published reviews: unhide never publishes without consent."""
    from shop.models import Review

    _, _, quiet = three
    Review.update(status="hidden").where(Review.id == quiet.id).execute()
    assert reviews.unhide(quiet.id, actor=DESK).status == "private"


def test_answered_low_rating_with_consent_is_published_then_hidden_and_back(three) -> None:
    _, low, _ = three
    with pytest.raises(ValidationError, match="must not be empty"):
        reviews.reply(low.id, "   ", actor=DESK)
    answered = reviews.reply(low.id, "Sorry, the next oil change is on us.", actor=DESK)
    assert (answered.reply, answered.replied_by, answered.needs_answer) == (
        "Sorry, the next oil change is on us.",
        "desk",
        False,
    )
    assert reviews.publish(low.id, actor=DESK).status == "published"
    reviews.hide(low.id, actor=DESK)
    assert reviews.unhide(low.id, actor=DESK).status == "published"


def test_mechanics_read_reviews_but_cannot_answer_hide_or_unhide(three) -> None:
    good, low, _ = three
    assert len(reviews.list_reviews(actor=MECHANIC)) == 3
    assert reviews.review_counts(actor=MECHANIC).published == 1
    with pytest.raises(Forbidden):
        reviews.reply(low.id, "no", actor=MECHANIC)
    with pytest.raises(Forbidden):
        reviews.hide(good.id, actor=MECHANIC)
    reviews.hide(good.id, actor=DESK)
    with pytest.raises(Forbidden):
        reviews.unhide(good.id, actor=MECHANIC)
    with pytest.raises(Forbidden):
        reviews.review_counts(actor=Actor(Role.CUSTOMER, "c", customer_id=1))


def test_cli_review_commands(cli) -> None:
    shop = make_shop(bays=2)
    good = reviewed(shop, "2026-11-23 09:00", 5, "Quick and friendly", publish=True)
    low = reviewed(shop, "2026-11-23 09:00", 2, "Waited an hour", publish=True, other=True)
    waiting = cli("review", "list", "--unanswered", "--json")
    assert [r["id"] for r in waiting.json()] == [low.id]
    refused = cli("review", "publish", str(low.id))
    assert refused.exit_code == 3 and "answer the customer before publishing" in refused.stderr
    assert cli("review", "reply", str(low.id), "Sorry, the next one is on us.").exit_code == 0
    assert cli("review", "publish", str(low.id), "--json").json()["status"] == "published"
    assert cli("review", "hide", str(good.id), "--reason", "duplicate").stdout.strip() == f"review {good.id} is hidden"
    assert cli("review", "counts", "--json").json() == {"published": 1, "private": 0, "hidden": 1, "unanswered": 0}
    assert cli("review", "unhide", str(good.id)).stdout.strip() == f"review {good.id} is published"
    assert cli("review", "unhide", str(good.id)).exit_code == 3
    assert cli("review", "list", "--status", "nonsense").exit_code == 1
