"""The admin's data tables and pager: one look for every list in the dashboard."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

# A column heading, optionally right-aligned (numbers and money).
Column = str | tuple[str, str]


def _heading(column: Column) -> rx.Component:
    if isinstance(column, tuple):
        label, align = column
        return rx.table.column_header_cell(label, text_align=align)
    return rx.table.column_header_cell(column)


def data_table(
    columns: tuple[Column, ...], rows: rx.Var[list[Any]], render_row: Callable[[Any], rx.Component]
) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*(_heading(column) for column in columns))),
            rx.table.body(rx.foreach(rows, render_row)),
            variant="surface",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
    )


def pager(
    *,
    page: rx.Var[int],
    page_count: rx.Var[int],
    on_previous: rx.EventHandler,
    on_next: rx.EventHandler,
) -> rx.Component:
    return rx.hstack(
        rx.button("Previous", on_click=on_previous, disabled=page <= 1, variant="soft"),
        rx.text("Page ", page, " of ", page_count, size="2"),
        rx.button("Next", on_click=on_next, disabled=page >= page_count, variant="soft"),
        align="center",
        spacing="3",
    )
