"""Reviews: after a completed appointment the customer gives a rating (1-5) and a comment, once.

- A rating of 4 or 5 with the customer's consent is published on the portal at once.
- A rating of 1-3 goes to the shop as private feedback first: staff read and answer it
  (`reply`); it is published only if the customer asked for that and staff then `publish` it.
- Without consent a review stays private whatever the rating.
- Staff may `hide` a published review (it stays stored) and `unhide` it: it is published again
  when the customer agreed and a low rating has been answered, else it goes back to private.

Staff functions (TUI/CLI): `list_reviews`, `review_counts`, `get_review`, `reply`, `publish`, `hide`,
`unhide`, `summary`.
Customer functions (portal): `submit_review`, `review_for_appointment`. Public: `published`, `summary`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from peewee import IntegrityError, fn

from shop import audit, clock
from shop.auth import SYSTEM, Actor, Role, require
from shop.db import transaction
from shop.errors import Conflict, FieldErrors, NotFound, ValidationError
from shop.models import Appointment, Customer, Review

STATUSES = ("published", "private", "hidden")
PUBLISH_FROM = 4  # ratings from here up are published at once when the customer agrees
MAX_COMMENT = 2000


@dataclass(frozen=True)
class ReviewInfo:
    id: int
    appointment_id: int
    customer_id: int
    customer_name: str  # shown publicly as first name and initial only (see `public_name`)
    rating: int
    comment: str
    publish_requested: bool
    status: str
    reply: str
    replied_at: datetime | None
    replied_by: str | None
    created_at: datetime

    @property
    def public_name(self) -> str:
        parts = self.customer_name.split()
        if not parts:
            return "A customer"
        return parts[0] + (f" {parts[-1][0]}." if len(parts) > 1 else "")

    @property
    def needs_answer(self) -> bool:
        return self.rating < PUBLISH_FROM and not self.reply


@dataclass(frozen=True)
class ReviewCounts:
    """How many reviews are in each state: what the staff's review list shows at its top."""

    published: int
    private: int
    hidden: int
    unanswered: int  # low ratings still waiting for the shop's reply (any state)


@dataclass(frozen=True)
class ReviewSummary:
    count: int
    average: Decimal | None  # one decimal, over published reviews


def _out(row: Review, name: str | None = None) -> ReviewInfo:
    return ReviewInfo(
        row.id,
        row.appointment_id,
        row.customer_id,
        name if name is not None else row.customer.name,
        row.rating,
        row.comment,
        row.publish_requested,
        row.status,
        row.reply,
        row.replied_at,
        row.replied_by,
        row.created_at,
    )


def _parse_rating(value: object) -> int:
    try:
        rating = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({"rating": "please choose from 1 to 5 stars"}) from None
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": "please choose from 1 to 5 stars"})
    return rating


@transaction
def submit_review(
    appointment_id: int, rating: object, comment: str, publish: bool = False, actor: Actor = SYSTEM
) -> ReviewInfo:
    """The customer's review of their own completed appointment (one per appointment)."""
    if actor.role != Role.CUSTOMER or actor.customer_id is None:
        raise ValidationError({"": "only the customer can review their appointment"})
    appointment = Appointment.get_or_none(Appointment.id == appointment_id)
    if appointment is None or appointment.customer_id != actor.customer_id:
        raise NotFound(f"no appointment {appointment_id}")
    errors = FieldErrors()
    value = errors.check("rating", _parse_rating, rating)
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT:
        errors.add("comment", f"must be at most {MAX_COMMENT} characters")
    errors.raise_if_any()
    if appointment.status != "completed":
        raise ValidationError({"rating": "you can review an appointment once the work is completed"})
    status = "published" if publish and value >= PUBLISH_FROM else "private"
    now = clock.now()
    try:
        with Review._meta.database.atomic():
            row = Review.create(
                appointment=appointment.id,
                customer=actor.customer_id,
                rating=value,
                comment=text,
                publish_requested=bool(publish),
                status=status,
                reply="",
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        raise Conflict("this appointment already has a review") from None
    audit.record(actor, "review.submit", "review", row.id, rating=value, status=status)
    return _out(row, Customer.get_by_id(actor.customer_id).name)


def review_for_appointment(appointment_id: int, actor: Actor = SYSTEM) -> ReviewInfo | None:
    """The review of an appointment, or None; customers only see their own."""
    row = Review.get_or_none(Review.appointment == appointment_id)
    if row is None:
        return None
    if actor.role == Role.CUSTOMER:
        if row.customer_id != actor.customer_id:
            raise NotFound(f"no appointment {appointment_id}")
    else:
        require(actor, "review.read")
    return _out(row)


def published(limit: int = 50) -> list[ReviewInfo]:
    """Published reviews, newest first (public)."""
    query = (
        Review.select(Review, Customer.name)
        .join(Customer)
        .where(Review.status == "published")
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(limit)
    )
    return [_out(r, r.customer.name) for r in query]


def summary() -> ReviewSummary:
    """How many reviews are published and their average rating (one decimal)."""
    row = Review.select(fn.COUNT(Review.id), fn.SUM(Review.rating)).where(Review.status == "published").tuples()
    count, total = row.first() or (0, None)
    if not count:
        return ReviewSummary(0, None)
    average = (Decimal(int(total)) / Decimal(int(count))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return ReviewSummary(int(count), average)


def list_reviews(
    status: str | None = None,
    unanswered: bool = False,
    limit: int = 200,
    customer_id: int | None = None,
    actor: Actor = SYSTEM,
) -> list[ReviewInfo]:
    """Staff: reviews newest first; `unanswered` gives the low ratings still waiting for a reply."""
    require(actor, "review.read")
    query = Review.select(Review, Customer.name).join(Customer).order_by(Review.created_at.desc(), Review.id.desc())
    if customer_id is not None:
        query = query.where(Review.customer == customer_id)
    if status:
        if status not in STATUSES:
            raise ValidationError({"status": f"unknown status {status!r}; use {', '.join(STATUSES)}"})
        query = query.where(Review.status == status)
    if unanswered:
        query = query.where(Review.rating < PUBLISH_FROM, Review.reply == "")
    return [_out(r, r.customer.name) for r in query.limit(limit)]


def review_counts(actor: Actor = SYSTEM) -> ReviewCounts:
    """Staff: the number of reviews per state and of low ratings still waiting for an answer."""
    require(actor, "review.read")
    per_status = dict(Review.select(Review.status, fn.COUNT(Review.id)).group_by(Review.status).tuples())
    unanswered = Review.select().where(Review.rating < PUBLISH_FROM, Review.reply == "").count()
    return ReviewCounts(
        int(per_status.get("published", 0)),
        int(per_status.get("private", 0)),
        int(per_status.get("hidden", 0)),
        int(unanswered),
    )


def _get(review_id: int) -> Review:
    row = Review.get_or_none(Review.id == review_id)
    if row is None:
        raise NotFound(f"no review #{review_id}")
    return row


def get_review(review_id: int, actor: Actor = SYSTEM) -> ReviewInfo:
    require(actor, "review.read")
    return _out(_get(review_id))


@transaction
def reply(review_id: int, text: str, actor: Actor = SYSTEM) -> ReviewInfo:
    """Staff answer a review (shown under it on the portal and to the customer)."""
    require(actor, "review.write")
    row = _get(review_id)
    answer = (text or "").strip()
    if not answer:
        raise ValidationError({"reply": "must not be empty"})
    if len(answer) > MAX_COMMENT:
        raise ValidationError({"reply": f"must be at most {MAX_COMMENT} characters"})
    row.reply = answer
    row.replied_at = clock.now()
    row.replied_by = actor.name
    row.updated_at = clock.now()
    row.save()
    audit.record(actor, "review.reply", "review", row.id)
    return _out(row)


@transaction
def publish(review_id: int, actor: Actor = SYSTEM) -> ReviewInfo:
    """Staff publish a review the customer agreed to publish (e.g. a low rating after answering it)."""
    require(actor, "review.write")
    row = _get(review_id)
    if not row.publish_requested:
        raise Conflict(f"review #{review_id}: the customer did not agree to publish it")
    if row.rating < PUBLISH_FROM and not row.reply:
        raise Conflict(f"review #{review_id}: answer the customer before publishing a low rating")
    row.status = "published"
    row.updated_at = clock.now()
    row.save()
    audit.record(actor, "review.publish", "review", row.id)
    return _out(row)


@transaction
def hide(review_id: int, reason: str = "", actor: Actor = SYSTEM) -> ReviewInfo:
    """Staff take a published review off the portal (it stays stored; `unhide` brings it back)."""
    require(actor, "review.write")
    row = _get(review_id)
    if row.status != "published":
        raise Conflict(f"review #{review_id} is {row.status}, not published: there is nothing to hide")
    row.status = "hidden"
    row.updated_at = clock.now()
    row.save()
    audit.record(actor, "review.hide", "review", row.id, reason=reason.strip())
    return _out(row)


@transaction
def unhide(review_id: int, actor: Actor = SYSTEM) -> ReviewInfo:
    """Undo `hide`: published again if the customer agreed (and a low rating was answered), else private."""
    require(actor, "review.write")
    row = _get(review_id)
    if row.status != "hidden":
        raise Conflict(f"review #{review_id} is {row.status}, not hidden")
    may_publish = row.publish_requested and (row.rating >= PUBLISH_FROM or bool(row.reply))
    row.status = "published" if may_publish else "private"
    row.updated_at = clock.now()
    row.save()
    audit.record(actor, "review.unhide", "review", row.id, status=row.status)
    return _out(row)
