"""The admin's webhooks page: endpoints with their last delivery, the form to add one, the
signing secret shown once, and the open endpoint's recent deliveries (state: webhooks.py)."""

from __future__ import annotations

import reflex as rx

from admin.components.layout import admin_page
from admin.pages.webhooks import (
    EVENT_CHOICES,
    DeliveryRow,
    EndpointRow,
    EventChoice,
    WebhooksState,
)
from backend.accounts.permissions import Permission
from backend.webhooks import services as webhooks
from ui.forms import form_alert, labelled_input, success_note
from ui.tables import data_table

_STATUS_COLOURS = {"succeeded": "grass", "pending": "gray", "failed": "tomato"}


def _status_badge(status: rx.Var[str]) -> rx.Component:
    return rx.badge(status, color_scheme=rx.match(status, *_STATUS_COLOURS.items(), "gray"))


def _delete_button(row: rx.Var[EndpointRow]) -> rx.Component:
    waiting = WebhooksState.confirm_delete == row.id
    return rx.button(
        rx.cond(waiting, "Confirm delete", "Delete"),
        size="1",
        variant=rx.cond(waiting, "solid", "soft"),
        color_scheme="tomato",
        on_click=WebhooksState.delete(row.id),
        aria_label=rx.cond(waiting, "Confirm delete ", "Delete ") + row.url,
    )


def _rotate_button(row: rx.Var[EndpointRow]) -> rx.Component:
    waiting = WebhooksState.confirm_rotate == row.id
    return rx.button(
        rx.cond(waiting, "Confirm new secret", "New secret"),
        size="1",
        variant=rx.cond(waiting, "solid", "soft"),
        color_scheme="amber",
        on_click=WebhooksState.rotate_secret(row.id),
        aria_label=rx.cond(waiting, "Confirm new secret for ", "New secret for ") + row.url,
    )


def _endpoint_table_row(row: rx.Var[EndpointRow]) -> rx.Component:
    is_open = WebhooksState.open_endpoint == row.id
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.code(row.url, variant="ghost", word_break="break-all"),
                rx.cond(
                    row.description != "",
                    rx.text(row.description, size="1", color_scheme="gray"),
                ),
                spacing="1",
            ),
            max_width="360px",
        ),
        rx.table.cell(rx.text(row.event_types, size="2"), max_width="280px"),
        rx.table.cell(
            rx.switch(
                checked=row.active,
                on_change=lambda checked: WebhooksState.set_active(row.id, checked),
                aria_label="Active: " + row.url,
            )
        ),
        rx.table.cell(rx.cond(row.last_status != "", _status_badge(row.last_status), "—")),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    "Deliveries",
                    size="1",
                    variant=rx.cond(is_open, "solid", "soft"),
                    on_click=WebhooksState.show_deliveries(row.id),
                    aria_label="Deliveries to " + row.url,
                    aria_pressed=rx.cond(is_open, "true", "false"),
                ),
                _rotate_button(row),
                _delete_button(row),
                spacing="2",
            )
        ),
    )


def _delivery_table_row(row: rx.Var[DeliveryRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.created, white_space="nowrap"),
        rx.table.row_header_cell(row.event_type),
        rx.table.cell(rx.code(row.event_id, variant="ghost", size="1")),
        rx.table.cell(_status_badge(row.status)),
        rx.table.cell(row.attempts, text_align="right"),
        rx.table.cell(row.response_status, text_align="right"),
        rx.table.cell(row.next_attempt, white_space="nowrap"),
        rx.table.cell(rx.text(row.error, size="1", color_scheme="tomato"), max_width="280px"),
        rx.table.cell(
            rx.cond(
                row.status == "failed",
                rx.button(
                    "Retry",
                    size="1",
                    variant="soft",
                    on_click=WebhooksState.retry(row.id),
                ),
            )
        ),
    )


def _event_checkbox(choice: EventChoice) -> rx.Component:
    return rx.vstack(
        rx.checkbox(choice.label, name=choice.field, aria_label=choice.label),
        rx.text(
            rx.code(choice.name, size="1", variant="ghost"),
            " ",
            choice.description,
            size="1",
            color_scheme="gray",
            padding_left="24px",
        ),
        spacing="1",
    )


def _form() -> rx.Component:
    errors = WebhooksState.errors
    event_error = errors.get("event_types", "")
    return rx.form(
        rx.vstack(
            rx.heading("New endpoint", size="3", as_="h2"),
            rx.grid(
                labelled_input(
                    "URL",
                    "url",
                    errors.get("url", ""),
                    placeholder="https://example.com/webhooks/kestrel",
                    hint="https:// (plain http:// only to localhost, outside production)",
                ),
                labelled_input(
                    "Description (optional)",
                    "description",
                    errors.get("description", ""),
                    max_length=webhooks.MAX_DESCRIPTION_LENGTH,
                ),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="3",
                width="100%",
            ),
            rx.el.fieldset(
                rx.el.legend(rx.text("Events", size="2", weight="medium")),
                rx.grid(
                    *(_event_checkbox(choice) for choice in EVENT_CHOICES),
                    columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                    spacing="3",
                    width="100%",
                    padding_top="4px",
                ),
                rx.cond(
                    event_error != "",
                    rx.text(event_error, size="2", color_scheme="tomato", role="alert"),
                ),
                aria_invalid=rx.cond(event_error != "", "true", "false"),
                border="none",
                padding="0",
                margin="0",
                width="100%",
            ),
            rx.button("Create endpoint", type="submit"),
            spacing="3",
            width="100%",
        ),
        key=WebhooksState.form_version.to_string(),
        on_submit=WebhooksState.create,
        reset_on_submit=False,
        width="100%",
    )


def _secret_callout() -> rx.Component:
    return rx.cond(
        WebhooksState.new_secret != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("key-round")),
            rx.vstack(
                rx.text(
                    rx.cond(
                        WebhooksState.new_secret_rotated,
                        "New signing secret for ",
                        "Endpoint created for ",
                    ),
                    rx.code(WebhooksState.new_secret_url, variant="ghost"),
                    rx.cond(WebhooksState.new_secret_rotated, ":", ". Its signing secret:"),
                    size="2",
                ),
                rx.box(
                    rx.code(
                        WebhooksState.new_secret,
                        size="3",
                        variant="outline",
                        user_select="all",
                        word_break="break-all",
                        data_testid="webhook-secret",
                    ),
                    padding_y="4px",
                ),
                rx.text(
                    "Store it now: it will not be shown again. Receivers use it to check "
                    "the signature of every delivery.",
                    size="2",
                    weight="medium",
                ),
                rx.cond(
                    WebhooksState.previous_secret_until != "",
                    rx.text(
                        "Until ",
                        WebhooksState.previous_secret_until,
                        " deliveries are signed with the previous secret too, so the "
                        "receiver keeps accepting them while it switches over.",
                        size="2",
                    ),
                ),
                rx.hstack(
                    rx.button(
                        rx.icon("copy", size=14),
                        "Copy secret",
                        size="1",
                        variant="soft",
                        type="button",
                        on_click=[
                            rx.set_clipboard(WebhooksState.new_secret),
                            rx.toast.success("Secret copied."),
                        ],
                    ),
                    rx.button(
                        "I have stored it",
                        size="1",
                        variant="outline",
                        type="button",
                        on_click=WebhooksState.dismiss_secret,
                    ),
                    spacing="2",
                ),
                spacing="2",
                width="100%",
            ),
            color_scheme="amber",
            role="status",
            width="100%",
        ),
    )


def _deliveries_section() -> rx.Component:
    return rx.cond(
        WebhooksState.open_endpoint != "",
        rx.vstack(
            rx.hstack(
                rx.heading("Deliveries", size="4", as_="h2"),
                rx.button(
                    "Close", size="1", variant="soft", on_click=WebhooksState.hide_deliveries
                ),
                justify="between",
                align="center",
                width="100%",
            ),
            rx.text(
                "To ",
                rx.code(WebhooksState.open_endpoint_url, variant="ghost"),
                ": the ",
                WebhooksState.deliveries.length(),
                " most recent of ",
                WebhooksState.deliveries_total,
                ", newest first.",
                size="2",
                color_scheme="gray",
            ),
            rx.cond(
                WebhooksState.deliveries.length() > 0,
                data_table(DELIVERY_COLUMNS, WebhooksState.deliveries, _delivery_table_row),
                rx.text("No deliveries yet.", size="2"),
            ),
            spacing="2",
            width="100%",
            padding_top="8px",
        ),
    )


ENDPOINT_COLUMNS = ("URL", "Events", "Active", "Last delivery", "")
DELIVERY_COLUMNS = (
    "Created",
    "Event",
    "Event id",
    "Status",
    ("Attempts", "right"),
    ("Response", "right"),
    "Next attempt",
    "Last error",
    "",
)


def webhooks_page() -> rx.Component:
    return admin_page(
        "Webhooks",
        rx.vstack(
            form_alert(WebhooksState.message),
            success_note(WebhooksState.done),
            _secret_callout(),
            _form(),
            rx.heading("Endpoints", size="4", as_="h2", padding_top="8px"),
            rx.cond(
                WebhooksState.endpoints.length() > 0,
                data_table(ENDPOINT_COLUMNS, WebhooksState.endpoints, _endpoint_table_row),
                rx.text("No endpoints yet.", size="2", color_scheme="gray"),
            ),
            _deliveries_section(),
            spacing="4",
            width="100%",
        ),
        permission=Permission.WEBHOOKS,
    )
