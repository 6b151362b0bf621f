"""Rows the mouse can drag into a new order (HTML drag and drop). The page says what a
drag starts and where it lands; the rows keep their buttons for the keyboard and for
screen readers, which drag and drop leaves out."""

from __future__ import annotations

from typing import Any

import reflex as rx


class DraggableRow(rx.el.Div):
    """A `div` with the drag events Reflex's elements do not declare."""

    on_drag_start: rx.EventHandler[rx.event.no_args_event_spec]
    on_drag_over: rx.EventHandler[rx.event.no_args_event_spec]
    on_drag_end: rx.EventHandler[rx.event.no_args_event_spec]
    on_drop: rx.EventHandler[rx.event.no_args_event_spec]


def draggable_row(
    *children: rx.Component, on_pick_up: Any, on_put_down: Any, **props: Any
) -> rx.Component:
    """`on_pick_up` runs as a drag of this row starts, `on_put_down` as a row is dropped
    on it. Dragging over a row allows the drop (the browser refuses it otherwise)."""
    return DraggableRow.create(
        *children,
        draggable=True,
        on_drag_start=on_pick_up,
        on_drag_over=rx.prevent_default,
        on_drop=[rx.prevent_default, on_put_down],
        cursor="grab",
        **props,
    )
