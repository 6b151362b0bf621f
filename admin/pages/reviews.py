"""Admin reviews: the moderation queue (waiting reviews first), a status filter, approve,
or reject with a reason the author reads. Moderators and admins; the reviews service
checks the role again and writes the audit log. Review text is shown as text only."""

from __future__ import annotations

import dataclasses
import uuid
from typing import ClassVar

import reflex as rx

from admin.components.layout import admin_page
from admin.state import AdminState
from backend.accounts.permissions import Permission
from backend.catalog.ratings import stars_text
from backend.core.errors import DomainError
from backend.reviews import queries as reviews
from backend.reviews import services as review_services
from backend.reviews.inputs import REASON_MAX
from backend.reviews.queries import MODERATION_FILTERS
from backend.reviews.status import LABELS, ReviewStatus
from ui.errors import form_feedback
from ui.tables import pager
from ui.viewmodels import product_url

PAGE_SIZE = 20
TIME_FORMAT = "%Y-%m-%d %H:%M UTC"


@dataclasses.dataclass(frozen=True)
class ModerationRow:
    id: str
    product: str
    product_url: str
    author: str
    stars: str
    stars_label: str
    title: str
    body: str
    status: str
    status_label: str
    rejection_reason: str
    submitted: str
    can_approve: bool
    can_reject: bool


class ReviewsModerationState(AdminState):
    permission: ClassVar[Permission] = Permission.REVIEWS

    rows: list[ModerationRow] = []
    status_filter: str = "pending"
    page: int = 1
    page_count: int = 1
    total_label: str = ""
    pending_count: int = 0
    # The reject dialog: which review, and what went wrong with the reason.
    rejecting_id: str = ""
    rejecting_title: str = ""
    reason_error: str = ""
    dialog_open: bool = False

    async def _load(self, page: int) -> None:
        result = await reviews.list_reviews_for_moderation(
            actor=self.viewer, status=self.status_filter, page=page, limit=PAGE_SIZE
        )
        counts = await reviews.count_reviews_by_status(actor=self.viewer)
        self.rows = [
            ModerationRow(
                id=str(item.id),
                product=item.product_name,
                product_url=product_url(item.product_slug) if item.product_slug else "",
                author=item.author_name,
                stars=stars_text(item.rating),
                stars_label=f"{item.rating} out of 5 stars",
                title=item.title,
                body=item.body,
                status=item.status,
                status_label=LABELS[ReviewStatus(item.status)],
                rejection_reason=item.rejection_reason,
                submitted=item.created_at.strftime(TIME_FORMAT),
                can_approve=item.status != ReviewStatus.APPROVED,
                can_reject=item.status != ReviewStatus.REJECTED,
            )
            for item in result.items
        ]
        self.page, self.page_count = result.page, result.page_count
        self.total_label = f"{result.total} review" + ("" if result.total == 1 else "s")
        self.pending_count = counts.pending

    @rx.event
    async def load(self) -> None:
        self.dialog_open = False
        await self._load(1)

    @rx.event
    async def filter_status(self, value: str) -> None:
        if value in MODERATION_FILTERS:
            self.status_filter = value
            await self._load(1)

    @rx.event
    async def next_page(self) -> None:
        await self._load(min(self.page + 1, self.page_count))

    @rx.event
    async def previous_page(self) -> None:
        await self._load(max(self.page - 1, 1))

    @rx.event
    async def approve(self, review_id: str) -> rx.event.EventSpec | None:
        try:
            await review_services.approve_review(uuid.UUID(str(review_id)), actor=self.viewer)
        except ValueError:
            return None
        except DomainError as error:
            await self._load(self.page)
            return rx.toast.error(error.message)
        await self._load(self.page)
        return rx.toast.success("Review published.")

    @rx.event
    def open_reject(self, review_id: str, title: str) -> None:
        self.rejecting_id = str(review_id)[:36]
        self.rejecting_title = str(title)[:120]
        self.reason_error = ""
        self.dialog_open = True

    @rx.event
    def close_reject(self) -> None:
        self.dialog_open = False
        self.reason_error = ""

    @rx.event
    async def reject(self, form_data: dict[str, object]) -> rx.event.EventSpec | None:
        self.reason_error = ""
        try:
            review_id = uuid.UUID(self.rejecting_id)
        except ValueError:
            self.dialog_open = False
            return None
        reason = str(form_data.get("reason") or "")[: REASON_MAX * 2]
        try:
            await review_services.reject_review(review_id, reason, actor=self.viewer)
        except DomainError as error:
            message, fields = form_feedback(error)
            if "reason" in fields:
                self.reason_error = fields["reason"]
                return None
            self.dialog_open = False
            await self._load(self.page)
            return rx.toast.error(message or error.message)
        self.dialog_open = False
        await self._load(self.page)
        return rx.toast.success("Review rejected; its author can read your reason.")


_STATUS_COLOURS = {"pending": "amber", "approved": "grass", "rejected": "tomato"}
_FILTER_LABELS = {
    "pending": "Waiting",
    "approved": "Published",
    "rejected": "Rejected",
    "all": "All",
}


def _review_card(row: rx.Var[ModerationRow]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(
                    row.status_label,
                    color_scheme=rx.match(row.status, *_STATUS_COLOURS.items(), "gray"),
                ),
                rx.cond(
                    row.product_url != "",
                    rx.link(row.product, href=row.product_url, weight="medium"),
                    rx.text(row.product, weight="medium"),
                ),
                rx.text(row.submitted, size="1", color_scheme="gray"),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            rx.hstack(
                rx.text(row.stars, color=rx.color("amber", 9), aria_label=row.stars_label),
                rx.cond(row.title != "", rx.text(row.title, weight="bold")),
                rx.text("by ", row.author, size="2", color_scheme="gray"),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            rx.text(row.body, white_space="pre-wrap", overflow_wrap="anywhere", size="2"),
            rx.cond(
                row.rejection_reason != "",
                rx.text(
                    "Reason given: ",
                    row.rejection_reason,
                    size="2",
                    color_scheme="tomato",
                ),
            ),
            rx.hstack(
                rx.cond(
                    row.can_approve,
                    rx.button(
                        rx.icon("check", size=16),
                        "Approve",
                        size="2",
                        color_scheme="grass",
                        on_click=ReviewsModerationState.approve(row.id),
                    ),
                ),
                rx.cond(
                    row.can_reject,
                    rx.button(
                        rx.icon("x", size=16),
                        "Reject…",
                        size="2",
                        variant="soft",
                        color_scheme="tomato",
                        on_click=ReviewsModerationState.open_reject(row.id, row.title),
                    ),
                ),
                spacing="3",
            ),
            spacing="2",
            align="start",
            width="100%",
        ),
        width="100%",
        role="article",
        aria_label="Review by " + row.author + " of " + row.product,
    )


def _reject_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Reject this review"),
            rx.dialog.description(
                "The author sees your reason on the product page. Be specific and kind.",
                size="2",
            ),
            rx.form(
                rx.vstack(
                    rx.el.label(
                        rx.text("Reason", size="2", weight="medium"),
                        rx.text_area(
                            name="reason",
                            rows="4",
                            width="100%",
                            aria_invalid=rx.cond(
                                ReviewsModerationState.reason_error != "", "true", "false"
                            ),
                        ),
                        display="flex",
                        flex_direction="column",
                        gap="4px",
                        width="100%",
                    ),
                    rx.cond(
                        ReviewsModerationState.reason_error != "",
                        rx.text(
                            ReviewsModerationState.reason_error,
                            size="2",
                            color_scheme="tomato",
                            role="alert",
                        ),
                        rx.text(f"Up to {REASON_MAX} characters.", size="1", color_scheme="gray"),
                    ),
                    rx.hstack(
                        rx.button(
                            "Cancel",
                            type="button",
                            variant="soft",
                            color_scheme="gray",
                            on_click=ReviewsModerationState.close_reject,
                        ),
                        rx.button("Reject review", type="submit", color_scheme="tomato"),
                        spacing="3",
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                key=ReviewsModerationState.rejecting_id,
                on_submit=ReviewsModerationState.reject,
                reset_on_submit=False,
                width="100%",
            ),
            max_width="520px",
        ),
        open=ReviewsModerationState.dialog_open,
        on_open_change=lambda _open: ReviewsModerationState.close_reject(),
    )


def reviews_page() -> rx.Component:
    return admin_page(
        "Reviews",
        rx.vstack(
            rx.hstack(
                rx.select.root(
                    rx.select.trigger(aria_label="Show reviews"),
                    rx.select.content(
                        *(
                            rx.select.item(label, value=value)
                            for value, label in _FILTER_LABELS.items()
                        )
                    ),
                    value=ReviewsModerationState.status_filter,
                    on_change=ReviewsModerationState.filter_status,
                ),
                rx.text(
                    ReviewsModerationState.total_label,
                    " · ",
                    ReviewsModerationState.pending_count,
                    " waiting for moderation",
                    size="2",
                    color_scheme="gray",
                ),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            rx.cond(
                ReviewsModerationState.rows.length() == 0,
                rx.text("No reviews here.", color_scheme="gray"),
                rx.vstack(
                    rx.foreach(ReviewsModerationState.rows, _review_card),
                    spacing="3",
                    width="100%",
                ),
            ),
            pager(
                page=ReviewsModerationState.page,
                page_count=ReviewsModerationState.page_count,
                on_previous=ReviewsModerationState.previous_page,
                on_next=ReviewsModerationState.next_page,
            ),
            _reject_dialog(),
            spacing="4",
            width="100%",
            max_width="900px",
        ),
        permission=Permission.REVIEWS,
    )
