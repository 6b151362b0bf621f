"""The product page's reviews: the rating at a glance, the distribution, the approved
reviews (newest or most helpful first, with helpful votes), and the viewer's own review.

Two states: what every visitor reads (public) and what only the signed-in viewer has (their
review, its moderation status, their votes), which is wiped when they sign out. Review text
is untrusted: it is shown with `rx.text` (escaped), never as HTML.
"""

from __future__ import annotations

import dataclasses
import uuid
from decimal import Decimal

import reflex as rx

from backend.catalog import queries as catalog
from backend.catalog.ratings import stars_text
from backend.core.errors import DomainError, NotFoundError
from backend.reviews import queries as reviews
from backend.reviews import services as review_services
from backend.reviews.queries import REVIEW_SORTS
from backend.reviews.status import LABELS, ReviewStatus
from ui.access import PublicState, SignedInState
from ui.errors import form_feedback

PAGE_SIZE = 5
MAX_SLUG_LENGTH = 160
DATE_FORMAT = "%d %b %Y"
STAR_CHOICES = ("5", "4", "3", "2", "1")


@dataclasses.dataclass(frozen=True)
class ReviewRow:
    id: str
    author: str
    stars: str  # "★★★★☆"
    stars_label: str  # "4 out of 5 stars"
    title: str
    body: str
    date: str
    edited: bool
    helpful_label: str  # "3 people found this helpful", "" for none
    bought: str  # "Bought: M / Navy"; "" for products without options


@dataclasses.dataclass(frozen=True)
class DistributionRow:
    label: str  # "5 stars"
    count: int
    percent: int


def _stars_label(rating: int) -> str:
    return f"{rating} out of 5 stars"


def _helpful_label(count: int) -> str:
    if count == 0:
        return ""
    return "1 person found this helpful" if count == 1 else f"{count} people found this helpful"


def _review_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(text))
    except ValueError:
        raise NotFoundError("There is no such review.") from None


def _slug_of_page(path: str) -> str:
    return path.rstrip("/").rpartition("/")[2][:MAX_SLUG_LENGTH]


class ProductReviewsState(PublicState):
    """What every visitor reads about a product's reviews."""

    product_id: str = ""
    slug: str = ""
    review_count: int = 0
    count_label: str = ""  # "12 reviews"
    average: str = ""  # "4.3"
    average_stars: str = ""
    average_label: str = ""  # "4.3 out of 5"
    distribution: list[DistributionRow] = []
    rows: list[ReviewRow] = []
    sort: str = "newest"
    page: int = 1
    page_count: int = 1

    async def _reload(self) -> None:
        product_id = uuid.UUID(self.product_id)
        summary = await reviews.get_rating_summary(product_id)
        listed = await reviews.list_published_reviews(
            product_id,
            sort=self.sort,  # type: ignore[arg-type]
            page=self.page,
            limit=PAGE_SIZE,
        )
        if not listed.items and listed.page > listed.page_count:
            self.page = listed.page_count
            listed = await reviews.list_published_reviews(
                product_id,
                sort=self.sort,  # type: ignore[arg-type]
                page=self.page,
                limit=PAGE_SIZE,
            )
        self.review_count = summary.count
        self.count_label = f"{summary.count} review" + ("" if summary.count == 1 else "s")
        self.average = summary.average_display
        self.average_stars = (
            stars_text(Decimal(summary.total) / summary.count) if summary.count else ""
        )
        self.average_label = f"{self.average} out of 5" if self.average else ""
        self.distribution = [
            DistributionRow(
                label=f"{stars} star" + ("" if stars == 1 else "s"),
                count=count,
                percent=round(100 * count / summary.count) if summary.count else 0,
            )
            for stars, count in summary.distribution.items()
        ]
        self.rows = [
            ReviewRow(
                id=str(r.id),
                author=r.author_name,
                stars=stars_text(r.rating),
                stars_label=_stars_label(r.rating),
                title=r.title,
                body=r.body,
                date=r.created_at.strftime(DATE_FORMAT),
                edited=r.edited,
                helpful_label=_helpful_label(r.helpful_count),
                bought=f"Bought: {r.variant_bought}" if r.variant_bought else "",
            )
            for r in listed.items
        ]
        self.page, self.page_count = listed.page, listed.page_count

    def _show_product(self, slug: str, product_id: uuid.UUID) -> None:
        """Called by the product page's load with the product it just read, so this load,
        chained after it, does not read the product again."""
        self.slug, self.product_id = slug, str(product_id)

    @rx.event
    async def load(self) -> rx.event.EventSpec | None:
        slug = _slug_of_page(self.router.url.path)
        self.sort, self.page = "newest", 1
        if slug != self.slug or not self.product_id:  # not the product the page just read
            self.slug = slug
            try:
                product = await catalog.get_product_page(slug)
            except NotFoundError:
                self.product_id, self.rows, self.review_count = "", [], 0
                return None
            self.product_id = str(product.summary.id)
        await self._reload()
        # The viewer's own part only for a signed-in viewer (the guard would refuse it).
        return MyReviewState.load if self.signed_in else None

    @rx.event
    async def set_sort(self, value: str) -> None:
        if value in REVIEW_SORTS and self.product_id:
            self.sort, self.page = value, 1
            await self._reload()

    @rx.event
    async def next_page(self) -> None:
        if self.product_id and self.page < self.page_count:
            self.page += 1
            await self._reload()

    @rx.event
    async def previous_page(self) -> None:
        if self.product_id and self.page > 1:
            self.page -= 1
            await self._reload()


class MyReviewState(SignedInState):
    """The signed-in viewer's standing: may they review, their review and its status,
    which reviews they found helpful."""

    can_write: bool = False
    refusal: str = ""
    own_id: str = ""
    own_rating: str = ""
    own_stars: str = ""
    own_title: str = ""
    own_body: str = ""
    own_status: str = ""
    own_status_label: str = ""
    own_rejection_reason: str = ""
    editing: bool = False
    voted: list[str] = []
    errors: dict[str, str] = {}
    message: str = ""
    done: str = ""
    form_version: int = 0
    _product_id: uuid.UUID | None = None

    async def _reload(self) -> None:
        if self._product_id is None:
            return
        shown = await self.get_state(ProductReviewsState)
        standing = await reviews.get_reviewer_standing(
            self._product_id,
            self.viewer,
            shown_review_ids=[uuid.UUID(row.id) for row in shown.rows],
        )
        self.can_write, self.refusal = standing.can_write, standing.refusal
        own = standing.own_review
        self.own_id = str(own.id) if own else ""
        self.own_rating = str(own.rating) if own else ""
        self.own_stars = stars_text(own.rating) if own else ""
        self.own_title = own.title if own else ""
        self.own_body = own.body if own else ""
        self.own_status = own.status if own else ""
        self.own_status_label = LABELS[ReviewStatus(own.status)] if own else ""
        self.own_rejection_reason = own.rejection_reason if own else ""
        self.voted = [str(review_id) for review_id in standing.voted_review_ids]

    @rx.event
    async def load(self) -> None:
        self.errors, self.message, self.done, self.editing = {}, "", "", False
        try:
            product = await catalog.get_product_page(_slug_of_page(self.router.url.path))
        except NotFoundError:
            self._product_id = None
            return
        self._product_id = product.summary.id
        await self._reload()

    @rx.event
    def start_editing(self) -> None:
        if self.own_id:
            self.editing, self.errors, self.message, self.done = True, {}, "", ""
            self.form_version += 1

    @rx.event
    def stop_editing(self) -> None:
        self.editing, self.errors, self.message = False, {}, ""

    @rx.event
    async def submit(self, form_data: dict[str, object]) -> None:
        self.errors, self.message, self.done = {}, "", ""
        if self._product_id is None:
            return
        form = {name: form_data.get(name) for name in ("rating", "title", "body")}
        try:
            if self.own_id:
                # own_id came from the server, but a browser can set plain vars: the
                # service refuses any review that is not the viewer's own.
                await review_services.edit_review(_review_id(self.own_id), form, author=self.viewer)
            else:
                await review_services.write_review(self._product_id, form, author=self.viewer)
        except DomainError as error:
            self.message, self.errors = form_feedback(error)
            return
        self.editing = False
        self.done = "Thank you! Your review will appear once a moderator has approved it."
        await self._reload()
        await (await self.get_state(ProductReviewsState))._reload()

    @rx.event
    async def toggle_helpful(self, review_id: str) -> rx.event.EventSpec | None:
        try:
            target = _review_id(review_id)
            helpful = str(target) not in self.voted
            await review_services.set_helpful_vote(target, voter=self.viewer, helpful=helpful)
        except DomainError as error:
            return rx.toast.error(error.message)
        await (await self.get_state(ProductReviewsState))._reload()
        await self._reload()
        return None
