"""A table row's Edit and Delete buttons, Delete asking first what deleting does."""

from __future__ import annotations

import reflex as rx


def edit_and_delete(
    name: rx.Var[str], *, on_edit: rx.EventSpec, on_delete: rx.EventSpec, consequence: str
) -> rx.Component:
    """Buttons named after the row ("Edit Summer sale"); `consequence` is what the
    confirmation says deleting does."""
    return rx.hstack(
        rx.button("Edit", size="1", variant="soft", on_click=on_edit, aria_label="Edit " + name),
        rx.alert_dialog.root(
            rx.alert_dialog.trigger(
                rx.button(
                    "Delete",
                    size="1",
                    variant="soft",
                    color_scheme="tomato",
                    aria_label="Delete " + name,
                )
            ),
            rx.alert_dialog.content(
                rx.alert_dialog.title("Delete “" + name + "”?"),
                rx.alert_dialog.description(consequence),
                rx.hstack(
                    rx.alert_dialog.cancel(rx.button("Keep it", variant="soft")),
                    rx.alert_dialog.action(
                        rx.button("Delete", color_scheme="tomato", on_click=on_delete)
                    ),
                    spacing="3",
                    justify="end",
                ),
            ),
        ),
        spacing="2",
    )
