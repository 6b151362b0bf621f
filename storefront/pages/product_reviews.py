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
from backend.reviews.inputs import BODY_MAX, BODY_MIN, TITLE_MAX
from backend.reviews.queries import REVIEW_SORTS
from backend.reviews.status import LABELS, ReviewStatus
from ui.access import PublicState, SessionState, SignedInState
from ui.errors import form_feedback
from ui.forms import form_alert, labelled_input, success_note

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
            )
            for r in listed.items
        ]
        self.page, self.page_count = listed.page, listed.page_count

    @rx.event
    async def load(self) -> rx.event.EventSpec | None:
        self.slug = _slug_of_page(self.router.url.path)
        self.sort, self.page = "newest", 1
        try:
            product = await catalog.get_product_page(self.slug)
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


# --- components -------------------------------------------------------------------------------


def rating_link() -> rx.Component:
    """Stars, average and count beside the price, linking down to the reviews."""
    return rx.cond(
        ProductReviewsState.review_count > 0,
        rx.link(
            rx.hstack(
                rx.text(ProductReviewsState.average_stars, color=rx.color("amber", 9)),
                rx.text(ProductReviewsState.average, weight="bold"),
                rx.text("(", ProductReviewsState.count_label, ")", color_scheme="gray"),
                spacing="2",
                align="center",
            ),
            href="#reviews",
            underline="none",
            color=rx.color("gray", 12),
            aria_label=ProductReviewsState.average_label
            + " stars, "
            + ProductReviewsState.count_label,
        ),
    )


def _distribution_row(row: rx.Var[DistributionRow]) -> rx.Component:
    return rx.hstack(
        rx.text(row.label, size="2", width="56px", white_space="nowrap"),
        rx.box(
            rx.box(
                height="100%",
                width=row.percent.to_string() + "%",
                background=rx.color("amber", 9),
                border_radius="var(--radius-2)",
            ),
            height="10px",
            flex="1",
            background=rx.color("gray", 4),
            border_radius="var(--radius-2)",
            overflow="hidden",
        ),
        rx.text(row.count, size="2", width="32px", text_align="right", color_scheme="gray"),
        spacing="3",
        align="center",
        width="100%",
        aria_label=row.label + ": " + row.count.to_string(),
    )


def _summary() -> rx.Component:
    return rx.vstack(
        rx.cond(
            ProductReviewsState.review_count > 0,
            rx.vstack(
                rx.hstack(
                    rx.text(ProductReviewsState.average, size="8", weight="bold"),
                    rx.vstack(
                        rx.text(
                            ProductReviewsState.average_stars,
                            size="5",
                            color=rx.color("amber", 9),
                            aria_hidden="true",
                        ),
                        rx.text(
                            ProductReviewsState.average_label,
                            " · ",
                            ProductReviewsState.count_label,
                            size="2",
                            color_scheme="gray",
                        ),
                        spacing="0",
                    ),
                    spacing="3",
                    align="center",
                ),
                rx.vstack(
                    rx.foreach(ProductReviewsState.distribution, _distribution_row),
                    spacing="1",
                    width="100%",
                    role="list",
                    aria_label="Rating distribution",
                ),
                spacing="3",
                width="100%",
            ),
            rx.text("No reviews yet.", color_scheme="gray"),
        ),
        width="100%",
        max_width=["100%", "100%", "320px"],
        spacing="3",
    )


def _star_picker() -> rx.Component:
    error = MyReviewState.errors.get("rating", "")
    return rx.box(
        rx.text("Your rating", size="2", weight="medium"),
        rx.radio_group.root(
            rx.hstack(
                *(
                    rx.el.label(
                        rx.hstack(
                            rx.radio_group.item(value=stars),
                            rx.text(stars, " ★", size="2"),
                            spacing="1",
                            align="center",
                        )
                    )
                    for stars in STAR_CHOICES
                ),
                spacing="4",
                wrap="wrap",
            ),
            name="rating",
            default_value=MyReviewState.own_rating,
            aria_label="Your rating",
        ),
        rx.cond(
            error != "",
            rx.text(error, size="2", color_scheme="tomato", role="alert"),
        ),
        width="100%",
    )


def _review_form() -> rx.Component:
    body_error = MyReviewState.errors.get("body", "")
    return rx.form(
        rx.vstack(
            _star_picker(),
            labelled_input(
                "Title (optional)",
                "title",
                MyReviewState.errors.get("title", ""),
                hint=f"Up to {TITLE_MAX} characters",
                default_value=MyReviewState.own_title,
            ),
            rx.el.label(
                rx.text("Your review", size="2", weight="medium"),
                rx.text_area(
                    name="body",
                    id="review-body",
                    default_value=MyReviewState.own_body,
                    rows="5",
                    width="100%",
                    aria_invalid=rx.cond(body_error != "", "true", "false"),
                    aria_describedby="review-body-message",
                ),
                display="flex",
                flex_direction="column",
                gap="4px",
                width="100%",
            ),
            rx.cond(
                body_error != "",
                rx.text(
                    body_error,
                    id="review-body-message",
                    size="2",
                    color_scheme="tomato",
                    role="alert",
                ),
                rx.text(
                    f"{BODY_MIN} to {BODY_MAX:,} characters. Reviews are published after a "
                    "moderator has read them.",
                    id="review-body-message",
                    size="1",
                    color_scheme="gray",
                ),
            ),
            form_alert(MyReviewState.message),
            rx.hstack(
                rx.button(
                    rx.cond(MyReviewState.own_id != "", "Save changes", "Submit review"),
                    type="submit",
                ),
                rx.cond(
                    MyReviewState.editing,
                    rx.button(
                        "Cancel",
                        type="button",
                        variant="soft",
                        color_scheme="gray",
                        on_click=MyReviewState.stop_editing,
                    ),
                ),
                spacing="3",
            ),
            spacing="3",
            width="100%",
        ),
        key=MyReviewState.form_version.to_string(),
        on_submit=MyReviewState.submit,
        reset_on_submit=False,
        width="100%",
        aria_label="Write a review",
    )


_STATUS_COLOURS = {"pending": "amber", "approved": "grass", "rejected": "tomato"}


def _own_review() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Your review", size="3", as_="h3"),
                rx.badge(
                    MyReviewState.own_status_label,
                    color_scheme=rx.match(
                        MyReviewState.own_status, *_STATUS_COLOURS.items(), "gray"
                    ),
                ),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            rx.cond(
                MyReviewState.own_status == "rejected",
                rx.callout(
                    rx.text("A moderator did not publish it: ", MyReviewState.own_rejection_reason),
                    icon="message-square-warning",
                    color_scheme="tomato",
                    width="100%",
                ),
            ),
            rx.cond(
                MyReviewState.own_status == "pending",
                rx.text(
                    "Only you can see it until a moderator has approved it.",
                    size="2",
                    color_scheme="gray",
                ),
            ),
            rx.cond(
                MyReviewState.editing,
                _review_form(),
                rx.vstack(
                    rx.text(MyReviewState.own_stars, color=rx.color("amber", 9)),
                    rx.cond(
                        MyReviewState.own_title != "",
                        rx.text(MyReviewState.own_title, weight="bold"),
                    ),
                    rx.text(MyReviewState.own_body, white_space="pre-wrap"),
                    rx.button(
                        rx.icon("pencil", size=16),
                        "Edit your review",
                        variant="soft",
                        on_click=MyReviewState.start_editing,
                    ),
                    spacing="2",
                    align="start",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _write_or_why_not() -> rx.Component:
    return rx.cond(
        SessionState.signed_in,
        rx.cond(
            MyReviewState.own_id != "",
            _own_review(),
            rx.cond(
                MyReviewState.can_write,
                rx.card(
                    rx.vstack(
                        rx.heading("Write a review", size="3", as_="h3"),
                        _review_form(),
                        spacing="3",
                        width="100%",
                    ),
                    width="100%",
                ),
                rx.cond(
                    MyReviewState.refusal != "",
                    rx.callout(MyReviewState.refusal, icon="info", width="100%"),
                ),
            ),
        ),
        rx.callout(
            rx.text(
                rx.link(
                    "Sign in",
                    href="/sign-in?next=/products/" + ProductReviewsState.slug,
                ),
                " to review this product. Customers who bought it can rate and review it.",
            ),
            icon="info",
            width="100%",
        ),
    )


def _helpful_button(row: rx.Var[ReviewRow]) -> rx.Component:
    voted = MyReviewState.voted.contains(row.id)
    return rx.cond(
        SessionState.signed_in & (MyReviewState.own_id != row.id),
        rx.button(
            rx.icon("thumbs-up", size=14),
            rx.cond(voted, "Helpful ✓", "Helpful"),
            size="1",
            variant=rx.cond(voted, "solid", "outline"),
            on_click=MyReviewState.toggle_helpful(row.id),
            aria_pressed=rx.cond(voted, "true", "false"),
            aria_label="Helpful: " + row.title + " by " + row.author,
        ),
        rx.cond(
            MyReviewState.own_id == row.id,
            rx.badge("Your review", variant="soft"),
        ),
    )


def _review(row: rx.Var[ReviewRow]) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.text(
                    row.stars,
                    color=rx.color("amber", 9),
                    aria_label=row.stars_label,
                    role="img",
                ),
                rx.cond(row.title != "", rx.text(row.title, weight="bold")),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            rx.text(
                row.author,
                " · ",
                row.date,
                rx.cond(row.edited, " · edited", ""),
                size="1",
                color_scheme="gray",
            ),
            rx.text(row.body, white_space="pre-wrap", overflow_wrap="anywhere"),
            rx.hstack(
                _helpful_button(row),
                rx.text(row.helpful_label, size="1", color_scheme="gray"),
                spacing="3",
                align="center",
            ),
            spacing="2",
            align="start",
            width="100%",
        ),
        padding_y="12px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        width="100%",
        role="article",
        aria_label="Review by " + row.author,
    )


def _review_list() -> rx.Component:
    return rx.vstack(
        rx.cond(
            ProductReviewsState.review_count > 0,
            rx.hstack(
                rx.text(ProductReviewsState.count_label, size="2", color_scheme="gray"),
                rx.select.root(
                    rx.select.trigger(aria_label="Sort reviews"),
                    rx.select.content(
                        rx.select.item("Newest first", value="newest"),
                        rx.select.item("Most helpful first", value="helpful"),
                    ),
                    value=ProductReviewsState.sort,
                    on_change=ProductReviewsState.set_sort,
                    size="2",
                ),
                justify="between",
                align="center",
                width="100%",
            ),
        ),
        rx.foreach(ProductReviewsState.rows, _review),
        rx.cond(
            ProductReviewsState.page_count > 1,
            rx.hstack(
                rx.button(
                    "Previous",
                    variant="soft",
                    disabled=ProductReviewsState.page <= 1,
                    on_click=ProductReviewsState.previous_page,
                ),
                rx.text(
                    "Page ",
                    ProductReviewsState.page,
                    " of ",
                    ProductReviewsState.page_count,
                    size="2",
                ),
                rx.button(
                    "Next",
                    variant="soft",
                    disabled=ProductReviewsState.page >= ProductReviewsState.page_count,
                    on_click=ProductReviewsState.next_page,
                ),
                spacing="3",
                align="center",
            ),
        ),
        spacing="2",
        width="100%",
    )


def reviews_section() -> rx.Component:
    return rx.el.section(
        rx.vstack(
            rx.heading("Customer reviews", size="5", as_="h2"),
            rx.flex(
                _summary(),
                rx.vstack(
                    success_note(MyReviewState.done),
                    _write_or_why_not(),
                    _review_list(),
                    spacing="4",
                    width="100%",
                ),
                direction=rx.breakpoints(initial="column", md="row"),
                gap="32px",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        id="reviews",
        aria_label="Customer reviews",
        width="100%",
        padding_top="24px",
    )
