"""The shopper's side of reviews on the product page: their own review with its status,
the form to write or edit one, or why they cannot review yet (state: product_reviews.py)."""

from __future__ import annotations

import reflex as rx

from backend.reviews.inputs import BODY_MAX, BODY_MIN, TITLE_MAX
from storefront.pages.product_reviews import (
    STAR_CHOICES,
    MyReviewState,
    ProductReviewsState,
)
from ui.access import SessionState
from ui.forms import form_alert, labelled_input


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


def write_or_why_not() -> rx.Component:
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
