"""Writing, editing, moderating and voting on reviews: the only writes of the domain.

Every call is one transaction. A call that changes which reviews of a product are
approved locks the product row first, then the review, and recounts the product's stored
rating before it commits, so listings never disagree with the approved reviews.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.catalog import cache as catalog_cache
from backend.catalog.locks import lock_product_for_update
from backend.catalog.ratings import store_product_rating
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import NotFoundError
from backend.core.validation import parse_input
from backend.orders.purchases import has_bought
from backend.reviews.errors import (
    ReviewDecisionError,
    ReviewExistsError,
    ReviewNotAllowedError,
    VoteRefusedError,
)
from backend.reviews.inputs import RejectionInput, ReviewInput
from backend.reviews.locks import REVIEW_NOT_FOUND, lock_review_for_update
from backend.reviews.models import Review, ReviewVote
from backend.reviews.status import DECISIONS_FROM, ReviewStatus

SIGN_IN_TO_REVIEW = "Sign in to review this product."
BUYERS_ONLY = "Only customers who bought this product can review it."
ALREADY_REVIEWED = "You have already reviewed this product: edit your review instead."


def require_moderator(actor: Viewer | None) -> Viewer:
    """The actor, if their groups allow moderating reviews (checked here, whatever the page
    did)."""
    return require_permission(actor, Permission.REVIEWS, "moderate reviews")


def public_author_name(display_name: str) -> str:
    """How a review is signed: first name and the initial of the last ("Ada B."), so a
    review never publishes anyone's full name or e-mail."""
    words = display_name.split()
    if not words:
        return "A customer"
    if len(words) == 1:
        return words[0][:40]
    return f"{words[0][:40]} {words[-1][0].upper()}."


async def _recount_rating(session: AsyncSession, product_id: uuid.UUID) -> None:
    """Store the product's rating from its approved reviews (caller holds the product lock:
    in READ COMMITTED this statement sees every decision committed before the lock)."""
    count, total = (
        await session.exec(
            select(func.count(), func.coalesce(func.sum(Review.rating), 0)).where(
                col(Review.product_id) == product_id,
                col(Review.status) == ReviewStatus.APPROVED,
            )
        )
    ).one()
    await store_product_rating(session, product_id, rating_count=count, rating_sum=int(total))


async def _product_of(session: AsyncSession, review_id: uuid.UUID) -> uuid.UUID:
    product_id = (
        await session.exec(select(Review.product_id).where(col(Review.id) == review_id))
    ).first()
    if product_id is None:
        raise NotFoundError(REVIEW_NOT_FOUND)
    return product_id


async def write_review(
    product_id: uuid.UUID, form: Mapping[str, object], *, author: Viewer | None
) -> uuid.UUID:
    """A buyer's first review of a product; it waits for moderation. Raises
    ReviewNotAllowedError (not signed in, not a buyer), ReviewExistsError (one per
    product), InvalidInputError (a message per field)."""
    if author is None:
        raise ReviewNotAllowedError(SIGN_IN_TO_REVIEW)
    if not await has_bought(author.user_id, product_id):
        raise ReviewNotAllowedError(BUYERS_ONLY)
    data = parse_input(ReviewInput, dict(form))
    try:
        async with session_scope() as session:
            existing = (
                await session.exec(
                    select(Review.id).where(
                        col(Review.product_id) == product_id, col(Review.user_id) == author.user_id
                    )
                )
            ).first()
            if existing is not None:
                raise ReviewExistsError(ALREADY_REVIEWED, review_id=str(existing))
            review = Review(
                product_id=product_id,
                user_id=author.user_id,
                author_name=public_author_name(author.display_name),
                rating=data.rating,
                title=data.title,
                body=data.body,
                status=ReviewStatus.PENDING,
            )
            session.add(review)
            await session.flush()
            review_id = review.id
    except IntegrityError as error:
        # Two submissions at once: the UNIQUE (product_id, user_id) lets one through.
        if "reviews_product_id_user_id_key" in str(error.orig):
            raise ReviewExistsError(ALREADY_REVIEWED) from error
        raise
    return review_id


async def edit_review(
    review_id: uuid.UUID, form: Mapping[str, object], *, author: Viewer | None
) -> None:
    """The author changes their review; a changed review goes back to moderation (and out
    of the product's rating until approved again). Unchanged text changes nothing."""
    if author is None:
        raise ReviewNotAllowedError(SIGN_IN_TO_REVIEW)
    data = parse_input(ReviewInput, dict(form))
    left_approved = False
    async with session_scope() as session:
        product_id = await _product_of(session, review_id)
        await lock_product_for_update(session, product_id)
        review = await lock_review_for_update(session, review_id)
        if review.user_id != author.user_id:
            raise NotFoundError(REVIEW_NOT_FOUND)  # never confirm someone else's review
        if (review.rating, review.title, review.body) == (data.rating, data.title, data.body):
            return
        left_approved = review.status == ReviewStatus.APPROVED
        review.rating, review.title, review.body = data.rating, data.title, data.body
        review.status = ReviewStatus.PENDING
        review.rejection_reason = None
        review.moderated_at = review.moderated_by = None
        review.submitted_at = utcnow()
        session.add(review)
        await session.flush()
        if left_approved:
            await _recount_rating(session, product_id)
    if left_approved:
        await catalog_cache.invalidate_after_commit()


async def _decide(
    review_id: uuid.UUID, decision: ReviewStatus, *, actor: Viewer, reason: str | None
) -> None:
    async with session_scope() as session:
        product_id = await _product_of(session, review_id)
        await lock_product_for_update(session, product_id)
        review = await lock_review_for_update(session, review_id)
        current = ReviewStatus(review.status)
        if current not in DECISIONS_FROM[decision]:
            already = "published" if current == ReviewStatus.APPROVED else "rejected"
            raise ReviewDecisionError(f"This review is already {already}.", status=current.value)
        before = {"status": current.value, "rejection_reason": review.rejection_reason}
        review.status = decision
        review.rejection_reason = reason
        review.moderated_at = utcnow()
        review.moderated_by = actor.user_id
        session.add(review)
        await session.flush()
        # Either way the approved set changes (pending→approved, approved→rejected, …)
        # unless a pending review is rejected: recounting then is harmless and simpler.
        await _recount_rating(session, product_id)
        audit.record(
            session,
            actor=actor,
            action=f"review.{decision.value}",
            entity_type="review",
            entity_id=review.id,
            before=before,
            after={
                "status": decision.value,
                "rejection_reason": reason,
                "product_id": product_id,
                "rating": review.rating,
            },
        )
    await catalog_cache.invalidate_after_commit()


async def approve_review(review_id: uuid.UUID, *, actor: Viewer | None) -> None:
    """Publish a pending (or earlier rejected) review: it counts in the rating from now."""
    moderator = require_moderator(actor)
    await _decide(review_id, ReviewStatus.APPROVED, actor=moderator, reason=None)


async def reject_review(review_id: uuid.UUID, reason: str, *, actor: Viewer | None) -> None:
    """Refuse (or take down) a review with a reason its author can read."""
    moderator = require_moderator(actor)
    data = parse_input(RejectionInput, {"reason": reason})
    await _decide(review_id, ReviewStatus.REJECTED, actor=moderator, reason=data.reason)


async def set_helpful_vote(review_id: uuid.UUID, *, voter: Viewer | None, helpful: bool) -> int:
    """Record (or withdraw) the voter's "helpful" on a published review; idempotent: one
    vote per person per review however often it is sent. Returns the review's count."""
    if voter is None:
        raise VoteRefusedError("Sign in to vote for reviews.")
    async with session_scope() as session:
        review = await lock_review_for_update(session, review_id)
        if review.status != ReviewStatus.APPROVED:
            raise VoteRefusedError("Only published reviews can be voted for.")
        if review.user_id == voter.user_id:
            raise VoteRefusedError("You cannot vote for your own review.")
        if helpful:
            await session.exec(
                insert(ReviewVote)
                .values(review_id=review_id, user_id=voter.user_id)
                .on_conflict_do_nothing(index_elements=["review_id", "user_id"])
            )
        else:
            await session.exec(
                delete(ReviewVote).where(
                    col(ReviewVote.review_id) == review_id, col(ReviewVote.user_id) == voter.user_id
                )
            )
        count = (
            await session.exec(
                select(func.count())
                .select_from(ReviewVote)
                .where(col(ReviewVote.review_id) == review_id)
            )
        ).one()
        review.helpful_count = count
        session.add(review)
    return count
