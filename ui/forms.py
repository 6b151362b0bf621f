"""Form fields with their label and their own error message, for every form of the shop."""

from __future__ import annotations

import reflex as rx


def labelled_input(
    label: str,
    name: str,
    error: rx.Var[str] | str = "",
    *,
    hint: str = "",
    id_prefix: rx.Var[str] | str = "",
    **input_props: object,
) -> rx.Component:
    """A labelled input whose error (or hint) is its accessible description, so screen
    readers announce it and tests can read it with the field. Its id is `name`, after
    `id_prefix` where one page shows the same field more than once (ids are unique)."""
    error_var = rx.Var.create(error) if isinstance(error, str) else error
    field_id = id_prefix + name
    message_id = field_id + "-message"
    return rx.box(
        rx.el.label(
            rx.text(label, size="2", weight="medium"),
            rx.input(
                name=name,
                id=field_id,
                size="3",
                width="100%",
                color_scheme=rx.cond(error_var != "", "tomato", "gray"),  # type: ignore[arg-type]
                aria_invalid=rx.cond(error_var != "", "true", "false"),
                aria_describedby=message_id,
                **input_props,
            ),
            display="flex",
            flex_direction="column",
            gap="4px",
        ),
        rx.cond(
            error_var != "",
            rx.text(error_var, id=message_id, size="2", color_scheme="tomato", role="alert"),
            rx.text(hint, id=message_id, size="1", color_scheme="gray"),
        ),
        width="100%",
    )


def bound_input(
    label: str,
    name: str,
    *,
    errors: rx.Var[dict[str, str]],
    values: rx.Var[dict[str, str]],
    id_prefix: str,
    hint: str = "",
    **input_props: object,
) -> rx.Component:
    """A labelled input filled from the state's `values` (an edit form's current values)
    showing its message from `errors`, both keyed by the field's name."""
    return labelled_input(
        label,
        name,
        errors.get(name, ""),
        hint=hint,
        id_prefix=id_prefix,
        default_value=values[name],
        **input_props,
    )


def labelled_select(
    label: str,
    name: str,
    choices: rx.Var[list[tuple[str, str]]],
    *,
    value: rx.Var[str] | str,
    error: rx.Var[str] | str = "",
    hint: rx.Var[str] | str = "",
    **select_props: object,
) -> rx.Component:
    """A labelled select of `choices`, (value, what the option shows) pairs, submitted as
    `name`, with its error (or hint) below."""
    error_var = rx.Var.create(error) if isinstance(error, str) else error
    return rx.box(
        rx.text(label, size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(aria_label=label, width="100%"),
            rx.select.content(
                rx.foreach(choices, lambda choice: rx.select.item(choice[1], value=choice[0]))
            ),
            name=name,
            default_value=value,
            size="3",
            **select_props,
        ),
        rx.cond(
            error_var != "",
            rx.text(error_var, size="2", color_scheme="tomato", role="alert"),
            rx.text(hint, size="1", color_scheme="gray"),
        ),
        width="100%",
    )


def form_alert(message: rx.Var[str]) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(
            message, icon="triangle-alert", color_scheme="tomato", role="alert", width="100%"
        ),
    )


def success_note(message: rx.Var[str]) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="circle-check", color_scheme="grass", role="status", width="100%"),
    )


def form_card(title: str, *children: rx.Component, max_width: str = "440px") -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(rx.heading(title, size="6", as_="h1"), *children, spacing="4", width="100%"),
            width="100%",
            max_width=max_width,
            padding="24px",
        ),
        width="100%",
        padding_y="32px",
    )


def quantity_select(
    choices: rx.Var[list[str]],
    value: rx.Var[str],
    on_change: object,
    *,
    label: rx.Var[str] | str,
    size: str = "2",
) -> rx.Component:
    """A quantity picker whose trigger carries the accessible name."""
    return rx.select.root(
        rx.select.trigger(aria_label=label),
        rx.select.content(rx.foreach(choices, lambda n: rx.select.item(n, value=n))),
        value=value,
        on_change=on_change,
        size=size,
    )


def save_or_cancel(label: str, *, editing: rx.Var[bool], on_cancel: object) -> rx.Component:
    """An edit form's buttons: save (submits), and cancel while an existing item is edited."""
    return rx.hstack(
        rx.button(label, type="submit"),
        rx.cond(
            editing,
            rx.button(
                "Cancel",
                type="button",
                variant="soft",
                color_scheme="gray",
                on_click=on_cancel,
            ),
        ),
        spacing="2",
    )
