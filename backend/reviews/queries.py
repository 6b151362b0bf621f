"""Read-only review queries for the product page, the author and the moderation page."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import case, func
from sqlmodel import col, select

from backend.accounts.schemas import Viewer
from backend.catalog import queries as catalog
from backend.core.db import read_scope
from backend.core.errors import NotFoundError
from backend.core.pagination import Page, clamp_page
from backend.orders.purchases import has_bought, variants_bought
from backend.reviews.locks import REVIEW_NOT_FOUND
from backend.reviews.models import Review, ReviewVote
from backend.reviews.schemas import (
    ModerationCounts,
    ModerationItem,
    OwnReview,
    PublishedReview,
    RatingSummary,
    ReviewerStanding,
)
from backend.reviews.services import BUYERS_ONLY, SIGN_IN_TO_REVIEW, require_moderator
from backend.reviews.status import REVIEW_STATUSES, ReviewStatus

ReviewSort = Literal["newest", "helpful"]
REVIEW_SORTS: tuple[ReviewSort, ...] = ("newest", "helpful")
MODERATION_FILTERS = ("pending", "approved", "rejected", "all")


async def get_rating_summary(product_id: uuid.UUID) -> RatingSummary:
    """Count, star sum and distribution of the product's approved reviews (one query)."""
    async with read_scope() as session:
        rows = (
            await session.exec(
                select(Review.rating, func.count())
                .where(
                    col(Review.product_id) == product_id,
                    col(Review.status) == ReviewStatus.APPROVED,
                )
                .group_by(col(Review.rating))
            )
        ).all()
    distribution = {stars: 0 for stars in range(5, 0, -1)}
    for stars, count in rows:
        distribution[int(stars)] = count
    return RatingSummary(
        count=sum(distribution.values()),
        total=sum(stars * count for stars, count in distribution.items()),
        distribution=distribution,
    )


async def list_published_reviews(
    product_id: uuid.UUID, *, sort: ReviewSort = "newest", page: int = 1, limit: int = 10
) -> Page[PublishedReview]:
    """Approved reviews of a product, newest first or most helpful first (then newest)."""
    page, limit = clamp_page(page, limit)
    ordering: list[Any]
    if sort == "helpful":
        ordering = [
            col(Review.helpful_count).desc(),
            col(Review.created_at).desc(),
            col(Review.id).desc(),
        ]
    else:
        ordering = [col(Review.created_at).desc(), col(Review.id).desc()]
    published = (
        col(Review.product_id) == product_id,
        col(Review.status) == ReviewStatus.APPROVED,
    )
    async with read_scope() as session:
        rows = (
            await session.exec(
                select(Review)
                .where(*published)
                .order_by(*ordering)
                .offset((page - 1) * limit)
                .limit(limit)
            )
        ).all()
        total = (await session.exec(select(func.count()).where(*published))).one()
    bought = await variants_bought([r.user_id for r in rows if r.user_id], product_id)
    return Page(
        items=[
            PublishedReview(
                id=r.id,
                author_name=r.author_name,
                rating=r.rating,
                title=r.title,
                body=r.body,
                helpful_count=r.helpful_count,
                created_at=r.created_at,
                edited=r.submitted_at > r.created_at,
                variant_bought=bought.get(r.user_id, "") if r.user_id else "",
            )
            for r in rows
        ],
        total=total,
        page=page,
        limit=limit,
    )


async def get_reviewer_standing(
    product_id: uuid.UUID, viewer: Viewer | None, *, shown_review_ids: Sequence[uuid.UUID] = ()
) -> ReviewerStanding:
    """Whether the viewer may write a review, their own review if any (any status, with
    the rejection reason), and which of `shown_review_ids` they voted helpful."""
    if viewer is None:
        return ReviewerStanding(can_write=False, refusal=SIGN_IN_TO_REVIEW, own_review=None)
    async with read_scope() as session:
        own = (
            await session.exec(
                select(Review).where(
                    col(Review.product_id) == product_id, col(Review.user_id) == viewer.user_id
                )
            )
        ).first()
        voted: set[uuid.UUID] = set()
        if shown_review_ids:
            voted = set(
                (
                    await session.exec(
                        select(ReviewVote.review_id).where(
                            col(ReviewVote.user_id) == viewer.user_id,
                            col(ReviewVote.review_id).in_(list(shown_review_ids)),
                        )
                    )
                ).all()
            )
    if own is not None:
        return ReviewerStanding(
            can_write=False,
            refusal="",
            own_review=_own(own),
            voted_review_ids=frozenset(voted),
        )
    bought = await has_bought(viewer.user_id, product_id)
    return ReviewerStanding(
        can_write=bought,
        refusal="" if bought else BUYERS_ONLY,
        own_review=None,
        voted_review_ids=frozenset(voted),
    )


def _own(own: Review) -> OwnReview:
    return OwnReview(
        id=own.id,
        product_id=own.product_id,
        rating=own.rating,
        title=own.title,
        body=own.body,
        status=own.status,
        rejection_reason=own.rejection_reason or "",
        updated_at=own.submitted_at,
    )


async def get_own_review(review_id: uuid.UUID, viewer: Viewer | None) -> OwnReview:
    """The viewer's own review (any status, with the moderator's reason); NotFoundError
    for anyone else's, as for no review at all."""
    async with read_scope() as session:
        own = (await session.exec(select(Review).where(col(Review.id) == review_id))).first()
    if own is None or viewer is None or own.user_id != viewer.user_id:
        raise NotFoundError(REVIEW_NOT_FOUND)
    return _own(own)


async def list_reviews_for_moderation(
    *, actor: Viewer | None, status: str = "pending", page: int = 1, limit: int = 20
) -> Page[ModerationItem]:
    """Moderators' list. "pending" is the queue, longest waiting first; "approved" and
    "rejected" newest decision first; "all" shows the waiting ones first, then the rest."""
    require_moderator(actor)
    page, limit = clamp_page(page, limit)
    conditions = []
    if status in REVIEW_STATUSES:
        conditions.append(col(Review.status) == status)
    waiting = col(Review.status) == ReviewStatus.PENDING
    ordering = [
        case((waiting, 0), else_=1),
        # Waiting: oldest submission first. Decided: newest decision first.
        case((waiting, col(Review.submitted_at)), else_=None).asc(),
        col(Review.moderated_at).desc().nulls_last(),
        col(Review.id),
    ]
    async with read_scope() as session:
        rows = (
            await session.exec(
                select(Review)
                .where(*conditions)
                .order_by(*ordering)
                .offset((page - 1) * limit)
                .limit(limit)
            )
        ).all()
        total = (
            await session.exec(select(func.count()).select_from(Review).where(*conditions))
        ).one()
    return Page(items=await _moderation_items(rows), total=total, page=page, limit=limit)


async def get_review_for_moderation(
    review_id: uuid.UUID, *, actor: Viewer | None
) -> ModerationItem:
    """One review as the moderators' list shows it (any status)."""
    require_moderator(actor)
    async with read_scope() as session:
        review = await session.get(Review, review_id)
    if review is None:
        raise NotFoundError(REVIEW_NOT_FOUND)
    (item,) = await _moderation_items([review])
    return item


async def _moderation_items(rows: Sequence[Review]) -> list[ModerationItem]:
    products = await catalog.get_product_summaries(list({r.product_id for r in rows}))
    items = []
    for r in rows:
        product = products.get(r.product_id)
        items.append(
            ModerationItem(
                id=r.id,
                product_id=r.product_id,
                product_name=product.name if product else "(deleted product)",
                product_slug=product.slug if product else "",
                author_name=r.author_name,
                rating=r.rating,
                title=r.title,
                body=r.body,
                status=r.status,
                rejection_reason=r.rejection_reason or "",
                helpful_count=r.helpful_count,
                created_at=r.submitted_at,
                updated_at=r.updated_at,
            )
        )
    return items


async def count_reviews_by_status(*, actor: Viewer | None) -> ModerationCounts:
    require_moderator(actor)
    async with read_scope() as session:
        rows = dict(
            (
                await session.exec(select(Review.status, func.count()).group_by(col(Review.status)))
            ).all()
        )
    return ModerationCounts(
        pending=rows.get("pending", 0),
        approved=rows.get("approved", 0),
        rejected=rows.get("rejected", 0),
    )
