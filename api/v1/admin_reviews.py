"""Review moderation (admins with reviews: moderate): the queue and the decided reviews
with the count per status, and publishing or refusing a review (with a reason its author
reads). The same services as the admin's reviews page (`backend/reviews`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal, get_args

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.v1.auth import ReviewsStaff
from api.v1.edge import EdgeRoute
from api.v1.pagination import Paged, PageMeta
from api.v1.problems import problem_responses
from backend.reviews import queries, services
from backend.reviews.inputs import REASON_MAX, REASON_MIN
from backend.reviews.schemas import ModerationItem
from backend.reviews.status import REVIEW_STATUSES

router = APIRouter(prefix="/admin/reviews", tags=["reviews"], route_class=EdgeRoute)

ReviewStatusName = Literal["pending", "approved", "rejected"]
# The literals are the domain's own lists (checked when the API loads).
assert set(get_args(ReviewStatusName)) == set(REVIEW_STATUSES)
assert {*get_args(ReviewStatusName), "all"} == set(queries.MODERATION_FILTERS)


class ModerationParams(BaseModel):
    status: Literal["pending", "approved", "rejected", "all"] = Field(
        default="pending",
        description="pending: the queue, longest waiting first; approved and rejected: the "
        "newest decision first; all: the waiting ones first, then the rest.",
    )
    page: int = Field(default=1, ge=1, le=10_000)
    limit: int = Field(default=20, ge=1, le=100)


class ReviewForModeration(BaseModel):
    id: uuid.UUID
    product_id: uuid.UUID
    product_name: str = Field(description='"(deleted product)" once the product is gone.')
    product_slug: str = Field(description="Empty once the product is gone.")
    author_name: str = Field(examples=["Ada L."], description="As the review is signed.")
    rating: int = Field(ge=1, le=5)
    title: str
    body: str
    status: ReviewStatusName = Field(description="approved: published on the product page.")
    rejection_reason: str = Field(description="What the author reads; empty unless rejected.")
    helpful_count: int = Field(ge=0)
    submitted_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, item: ModerationItem) -> ReviewForModeration:
        return cls(
            id=item.id,
            product_id=item.product_id,
            product_name=item.product_name,
            product_slug=item.product_slug,
            author_name=item.author_name,
            rating=item.rating,
            title=item.title,
            body=item.body,
            status=item.status,
            rejection_reason=item.rejection_reason,
            helpful_count=item.helpful_count,
            submitted_at=item.created_at,
            updated_at=item.updated_at,
        )


class ModerationCountsOut(BaseModel):
    pending: int = Field(ge=0, description="Waiting for a decision.")
    approved: int = Field(ge=0)
    rejected: int = Field(ge=0)


class ModerationPage(Paged[ReviewForModeration]):
    counts: ModerationCountsOut = Field(description="Every review by status (not just this page).")


class RejectReviewIn(BaseModel):
    reason: str = Field(
        min_length=REASON_MIN,
        max_length=REASON_MAX,
        description="Why it is not published: its author reads it.",
        examples=["Please keep reviews about the product itself."],
    )


@router.get(
    "",
    response_model=ModerationPage,
    summary="Reviews to moderate, by status, with the count per status (admins)",
    responses=problem_responses(400, 401, 403),
)
async def list_reviews(
    viewer: ReviewsStaff, query: Annotated[ModerationParams, Query()]
) -> ModerationPage:
    found = await queries.list_reviews_for_moderation(
        actor=viewer, status=query.status, page=query.page, limit=query.limit
    )
    counts = await queries.count_reviews_by_status(actor=viewer)
    return ModerationPage(
        items=[ReviewForModeration.of(item) for item in found.items],
        pagination=PageMeta.of(page=found.page, limit=found.limit, total=found.total),
        counts=ModerationCountsOut(
            pending=counts.pending, approved=counts.approved, rejected=counts.rejected
        ),
    )


@router.post(
    "/{review_id}/approve",
    response_model=ReviewForModeration,
    summary="Publish a review (pending, or rejected before) (admins)",
    responses=problem_responses(401, 403, 404, 409),
)
async def approve_review(review_id: uuid.UUID, viewer: ReviewsStaff) -> ReviewForModeration:
    """It counts in the product's rating from now. 409: it is published already."""
    await services.approve_review(review_id, actor=viewer)
    return ReviewForModeration.of(await queries.get_review_for_moderation(review_id, actor=viewer))


@router.post(
    "/{review_id}/reject",
    response_model=ReviewForModeration,
    summary="Refuse a review, or take a published one down, with a reason (admins)",
    responses=problem_responses(400, 401, 403, 404, 409),
)
async def reject_review(
    review_id: uuid.UUID, body: RejectReviewIn, viewer: ReviewsStaff
) -> ReviewForModeration:
    """Its author reads the reason. 409: it is rejected already."""
    await services.reject_review(review_id, body.reason, actor=viewer)
    return ReviewForModeration.of(await queries.get_review_for_moderation(review_id, actor=viewer))
