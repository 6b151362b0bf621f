"""The admin's data tables and pager: one look for every list in the dashboard."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

# A column heading, optionally right-aligned (numbers and money).
Column = str | tuple[str, str]

# Long unbroken values (ids, e-mail addresses, a change's before and after) may break
# anywhere: the table fits its column instead of scrolling sideways (a scrolling region
# would need a keyboard stop of its own, WCAG 2.1.1).
WRAP_LONG_VALUES = {"& td, & th": {"overflow_wrap": "anywhere"}}

# On a phone a table's rows are stacked: each row a block, each cell a line headed by its
# column's name (its data-label), so nothing scrolls sideways and no column is cut off.
STACKED_BELOW_TABLET = {
    "@media (max-width: 767px)": {
        "& thead": {"display": "none"},
        # Radix's table is `height: 0` inside a scroll area of its own: let it grow.
        "& table, & tbody, & tr": {"display": "block", "width": "100%", "height": "auto"},
        "& .rt-ScrollAreaViewport > div": {"display": "block !important"},
        "& tr": {"padding": "6px 0", "border_bottom": "1px solid var(--gray-5)"},
        "& tr:last-child": {"border_bottom": "none"},
        "& td, & th": {
            "display": "grid",
            "grid_template_columns": "minmax(7em, 38%) 1fr",
            "gap": "12px",
            "align_items": "center",
            "justify_items": "start",
            "height": "auto",
            "text_align": "left !important",
            "box_shadow": "none !important",
            "padding": "4px 12px",
            "white_space": "normal !important",
            "overflow_wrap": "anywhere",
        },
        "& td:not([data-label]), & th:not([data-label])": {"grid_template_columns": "1fr"},
        "& [data-label]::before": {
            "content": "attr(data-label)",
            "color": "var(--gray-11)",
            "font_weight": "500",
        },
    }
}


def _label(column: Column) -> str:
    return column[0] if isinstance(column, tuple) else column


def _heading(column: Column) -> rx.Component:
    if isinstance(column, tuple):
        label, align = column
        return rx.table.column_header_cell(label, text_align=align)
    return rx.table.column_header_cell(column)


def _with_column_names(row: rx.Component, columns: tuple[Column, ...]) -> rx.Component:
    """Each cell of `row` names its column (data-label), which a stacked row shows."""
    if len(row.children) != len(columns):
        raise ValueError(f"a row of {len(row.children)} cells under {len(columns)} columns")
    for cell, column in zip(row.children, columns, strict=True):
        if _label(column):
            cell.custom_attrs["data-label"] = _label(column)
    return row


def data_table(
    columns: tuple[Column, ...], rows: rx.Var[list[Any]], render_row: Callable[[Any], rx.Component]
) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*(_heading(column) for column in columns))),
            rx.table.body(
                rx.foreach(rows, lambda row: _with_column_names(render_row(row), columns))
            ),
            variant="surface",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
        style={**WRAP_LONG_VALUES, **STACKED_BELOW_TABLET},
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
