"""Reviews for shoppers: read a product's published reviews with its rating, write one
(buyers only, once per product), edit your own, and vote reviews helpful.

The same services as the product page (`storefront/pages/product_reviews.py`): a review
waits for a moderator before anyone else sees it, and an edit sends it back to
moderation. Somebody else's review is a 404 to its would-be editor, never a 403.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.v1.auth import CurrentViewer, OptionalViewer
from api.v1.edge import EdgeRoute
from api.v1.pagination import Paged, PageMeta
from api.v1.problems import problem_responses
from backend.accounts.schemas import Viewer
from backend.catalog import queries as catalog
from backend.core.errors import NotFoundError
from backend.reviews import queries as reviews
from backend.reviews import services as review_services
from backend.reviews.inputs import BODY_MAX, BODY_MIN, TITLE_MAX
from backend.reviews.schemas import OwnReview, PublishedReview, RatingSummary, ReviewerStanding

router = APIRouter(tags=["reviews"], route_class=EdgeRoute)

ProductId = Annotated[uuid.UUID, Path(description="The product (its id).")]
ReviewId = Annotated[uuid.UUID, Path(description="The review (its id).")]

ReviewStatusName = Literal["pending", "approved", "rejected"]
Stars = Annotated[int, Field(ge=1, le=5, examples=[4], description="1 to 5 stars")]


class ReviewOut(BaseModel):
    """A published review, as every visitor reads it."""

    id: uuid.UUID = Field(description="Vote on it at PUT /reviews/{review_id}/helpful-vote.")
    author_name: str = Field(
        examples=["Ada L."], description="First name and the last name's initial."
    )
    rating: Stars
    title: str = Field(examples=["Keeps tea hot"])
    body: str = Field(examples=["Sturdy, pours well, keeps tea hot for an hour."])
    helpful_count: int = Field(ge=0, description="How many people found it helpful.")
    created_at: datetime = Field(description="When it was first written.")
    edited: bool = Field(description="Changed by its author since it was first written.")
    variant_bought: str = Field(
        examples=["M / Navy"], description='What the author bought; "" without options.'
    )
    voted_helpful: bool | None = Field(
        default=None,
        description="Whether you voted it helpful (signed in); null for anonymous callers.",
    )

    @classmethod
    def of(cls, review: PublishedReview, voted: frozenset[uuid.UUID] | None) -> ReviewOut:
        return cls(
            id=review.id,
            author_name=review.author_name,
            rating=review.rating,
            title=review.title,
            body=review.body,
            helpful_count=review.helpful_count,
            created_at=review.created_at,
            edited=review.edited,
            variant_bought=review.variant_bought,
            voted_helpful=None if voted is None else review.id in voted,
        )


class RatingSummaryOut(BaseModel):
    count: int = Field(ge=0, description="How many published reviews.")
    average: str | None = Field(
        examples=["4.3"], description="The average rating, one decimal; null without reviews."
    )
    distribution: dict[str, int] = Field(
        examples=[{"5": 8, "4": 3, "3": 1, "2": 0, "1": 0}],
        description="Stars (5 to 1) → how many published reviews gave them.",
    )

    @classmethod
    def of(cls, summary: RatingSummary) -> RatingSummaryOut:
        return cls(
            count=summary.count,
            average=summary.average_display or None,
            distribution={str(stars): count for stars, count in summary.distribution.items()},
        )


class OwnReviewOut(BaseModel):
    """Your review, whatever its status, with the moderator's reason when it was rejected."""

    id: uuid.UUID = Field(description="Edit it at PUT /me/reviews/{review_id}.")
    product_id: uuid.UUID = Field(description="The product reviewed.")
    rating: Stars
    title: str = Field(examples=["Keeps tea hot"], description='"" without a title.')
    body: str = Field(examples=["Sturdy, pours well, keeps tea hot for an hour."])
    status: ReviewStatusName = Field(
        description="pending (waiting for a moderator), approved (published) or rejected"
    )
    rejection_reason: str = Field(description='Why it was not published; "" otherwise.')
    updated_at: datetime = Field(description="When it was last written or edited.")

    @classmethod
    def of(cls, own: OwnReview) -> OwnReviewOut:
        return cls(
            id=own.id,
            product_id=own.product_id,
            rating=own.rating,
            title=own.title,
            body=own.body,
            status=own.status,
            rejection_reason=own.rejection_reason,
            updated_at=own.updated_at,
        )


class StandingOut(BaseModel):
    """What you may do about reviewing the product."""

    can_write: bool = Field(description="You may write a first review of it now.")
    refusal: str = Field(
        examples=["Only customers who bought this product can review it."],
        description='Why you may not write one ("" when you may, or have one to edit).',
    )
    own_review: OwnReviewOut | None = Field(
        description="Your review of it (edit it with PUT /me/reviews/{review_id})."
    )

    @classmethod
    def of(cls, standing: ReviewerStanding) -> StandingOut:
        own = standing.own_review
        return cls(
            can_write=standing.can_write,
            refusal=standing.refusal,
            own_review=OwnReviewOut.of(own) if own else None,
        )


class ProductReviewsOut(Paged[ReviewOut]):
    """One page of the published reviews, with the rating of all of them."""

    summary: RatingSummaryOut = Field(description="The rating from every published review.")
    standing: StandingOut | None = Field(
        description="Signed in: whether you may review the product, and your review; "
        "null for anonymous callers."
    )


class ReviewListParams(BaseModel):
    """Order and page of the published reviews."""

    sort: Literal["newest", "helpful"] = Field(
        default="newest", description="newest first, or most helpful first (then newest)"
    )
    page: int = Field(default=1, ge=1, le=10_000, description="The page, from 1.")
    limit: int = Field(default=10, ge=1, le=100, description="Reviews per page.")


class ReviewIn(BaseModel):
    """Stars, an optional title and the review. Control characters are removed and
    extra blank lines dropped before the lengths are checked."""

    rating: Stars
    title: str = Field(default="", max_length=TITLE_MAX, examples=["Keeps tea hot"])
    body: str = Field(
        min_length=BODY_MIN,
        max_length=BODY_MAX,
        examples=["Sturdy, pours well, keeps tea hot for an hour."],
    )


class HelpfulVoteIn(BaseModel):
    helpful: bool = Field(
        description="true: you found it helpful; false: withdraw your vote. Sending the "
        "same again changes nothing."
    )


class HelpfulVoteOut(BaseModel):
    review_id: uuid.UUID = Field(description="The review voted on.")
    helpful: bool = Field(description="Your vote as it stands now.")
    helpful_count: int = Field(ge=0, description="How many people found it helpful.")


async def _listed_product(product_id: uuid.UUID, viewer: Viewer | None) -> None:
    """404 for a product that is not sold (hidden products exist only for staff), as
    GET /products/{product_id} answers."""
    product = (await catalog.get_product_summaries([product_id])).get(product_id)
    if product is None or not (product.is_active or (viewer and viewer.is_staff)):
        raise NotFoundError("There is no such product.")


@router.get(
    "/products/{product_id}/reviews",
    response_model=ProductReviewsOut,
    summary="A product's published reviews and rating (signed in: what you may do)",
    responses=problem_responses(400, 401, 404),
)
async def list_product_reviews(
    product_id: ProductId,
    viewer: OptionalViewer,
    query: Annotated[ReviewListParams, Query()],
) -> ProductReviewsOut:
    """Public. With a token, `standing` says whether you may write a review (buyers of
    the product, once) and shows your own review in any status, and each review says
    whether you voted it helpful."""
    await _listed_product(product_id, viewer)
    summary = await reviews.get_rating_summary(product_id)
    listed = await reviews.list_published_reviews(
        product_id, sort=query.sort, page=query.page, limit=query.limit
    )
    standing = None
    if viewer is not None:
        standing = await reviews.get_reviewer_standing(
            product_id, viewer, shown_review_ids=[review.id for review in listed.items]
        )
    voted = standing.voted_review_ids if standing else None
    return ProductReviewsOut(
        items=[ReviewOut.of(review, voted) for review in listed.items],
        pagination=PageMeta.of(page=listed.page, limit=listed.limit, total=listed.total),
        summary=RatingSummaryOut.of(summary),
        standing=StandingOut.of(standing) if standing else None,
    )


@router.get(
    "/me/reviews/standing",
    response_model=StandingOut,
    summary="Whether you may review a product, and your review of it",
    responses=problem_responses(400, 401),
)
async def review_standing(
    viewer: CurrentViewer,
    product_id: Annotated[uuid.UUID, Query(description="The product (its id).")],
) -> StandingOut:
    """What the product page shows you about reviewing it: whether you may write a review
    (buyers, once), why not, and your own review in any status."""
    return StandingOut.of(await reviews.get_reviewer_standing(product_id, viewer))


@router.post(
    "/products/{product_id}/reviews",
    status_code=status.HTTP_201_CREATED,
    response_model=OwnReviewOut,
    summary="Review a product you bought (it waits for a moderator)",
    responses={
        201: {"headers": {"Location": {"schema": {"type": "string"}}}},
        **problem_responses(400, 401, 403, 409),
    },
)
async def write_review(
    product_id: ProductId, body: ReviewIn, viewer: CurrentViewer
) -> JSONResponse:
    """403: you have not bought the product (an order placed signed in, paid or later).
    409: you have reviewed it already; edit that review (PUT /me/reviews/{review_id})."""
    review_id = await review_services.write_review(product_id, body.model_dump(), author=viewer)
    own = OwnReviewOut.of(await reviews.get_own_review(review_id, viewer))
    return JSONResponse(
        own.model_dump(mode="json"),
        status_code=status.HTTP_201_CREATED,
        headers={"Location": f"/api/v1/me/reviews/{review_id}"},
    )


@router.get(
    "/me/reviews/{review_id}",
    response_model=OwnReviewOut,
    summary="One of your reviews, whatever its status",
    responses=problem_responses(400, 401, 404),
)
async def get_own_review(review_id: ReviewId, viewer: CurrentViewer) -> OwnReviewOut:
    """With the moderator's reason when it was not published. 404: not your review."""
    return OwnReviewOut.of(await reviews.get_own_review(review_id, viewer))


@router.put(
    "/me/reviews/{review_id}",
    response_model=OwnReviewOut,
    summary="Change your review (a changed review waits for a moderator again)",
    responses=problem_responses(400, 401, 404),
)
async def edit_review(review_id: ReviewId, body: ReviewIn, viewer: CurrentViewer) -> OwnReviewOut:
    """A published review that changes leaves the product's rating until it is approved
    again; sending it unchanged changes nothing. 404: not your review."""
    await review_services.edit_review(review_id, body.model_dump(), author=viewer)
    return OwnReviewOut.of(await reviews.get_own_review(review_id, viewer))


@router.put(
    "/reviews/{review_id}/helpful-vote",
    response_model=HelpfulVoteOut,
    summary="Vote a published review helpful, or withdraw your vote",
    responses=problem_responses(400, 401, 404, 409),
)
async def set_helpful_vote(
    review_id: ReviewId, body: HelpfulVoteIn, viewer: CurrentViewer
) -> HelpfulVoteOut:
    """One vote per person per review. 409: the review is not published, or it is yours."""
    count = await review_services.set_helpful_vote(review_id, voter=viewer, helpful=body.helpful)
    return HelpfulVoteOut(review_id=review_id, helpful=body.helpful, helpful_count=count)
