"""The product page's reviews section: rating summary and distribution, the shopper's own
review and its form, the review list with helpful votes (state: product_reviews.py)."""

from __future__ import annotations

import reflex as rx

from storefront.pages.product_reviews import (
    DistributionRow,
    MyReviewState,
    ProductReviewsState,
    ReviewRow,
)
from storefront.pages.review_form_view import write_or_why_not
from ui.access import SessionState
from ui.forms import success_note


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
                rx.cond(row.bought != "", " · " + row.bought, ""),
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
                    write_or_why_not(),
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
