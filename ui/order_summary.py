"""An order's lines and totals, and its timeline: one look at checkout, on the shopper's
order page and in the admin."""

from __future__ import annotations

from typing import Any

import reflex as rx


def order_summary(
    lines: rx.Var[list[Any]], totals: rx.Var[list[tuple[str, str]]], total: rx.Var[str]
) -> rx.Component:
    """`lines` items have `quantity`, `name`, `line_total` and `promotion` (the automatic
    promotion a line is sold under, or ""); `totals` are (label, amount) rows shown above
    the total."""
    return rx.vstack(
        rx.foreach(
            lines,
            lambda line: rx.hstack(
                rx.vstack(
                    rx.text(line.quantity, " × ", line.name),
                    rx.cond(
                        line.promotion != "",
                        rx.text(line.promotion, size="1", color=rx.color("tomato", 11)),
                    ),
                    spacing="0",
                ),
                rx.spacer(),
                rx.text(line.line_total, white_space="nowrap"),
                width="100%",
            ),
        ),
        rx.separator(),
        rx.foreach(
            totals,
            # An amount never breaks ("−$10.00" whole); a long promotion title wraps.
            lambda row: rx.hstack(
                rx.text(row[0]),
                rx.spacer(),
                rx.text(row[1], white_space="nowrap"),
                width="100%",
            ),
        ),
        rx.hstack(
            rx.text("Total", weight="bold"),
            rx.spacer(),
            rx.text(total, weight="bold", data_testid="order-total"),
            width="100%",
        ),
        width="100%",
        spacing="2",
    )


def order_timeline(entries: rx.Var[list[Any]]) -> rx.Component:
    """`entries` items have `at`, `what` and `note`."""
    return rx.vstack(
        rx.foreach(
            entries,
            lambda entry: rx.hstack(
                rx.text(entry.at, size="2", color_scheme="gray", min_width="170px"),
                rx.text(entry.what, size="2", weight="medium"),
                rx.text(entry.note, size="2", color_scheme="gray"),
                wrap="wrap",
            ),
        ),
        spacing="1",
        aria_label="Order timeline",
    )
