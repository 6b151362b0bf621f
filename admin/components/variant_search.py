"""Finding a product by name or SKU to add to an order staff build or change (draft
orders, order editing): the search form, what it found, and an "Add" button for each."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import reflex as rx

from backend.catalog.schemas import VariantSummary
from backend.core.money import format_money
from ui.forms import labelled_input


@dataclasses.dataclass(frozen=True)
class VariantHit:
    id: str
    title: str
    sku: str
    price: str
    stock: str


def variant_hits(found: Sequence[VariantSummary]) -> list[VariantHit]:
    return [
        VariantHit(
            id=str(variant.id),
            title=variant.display_name,
            sku=variant.sku,
            price=format_money(variant.price, variant.currency),
            stock=f"{variant.stock_quantity} in stock",
        )
        for variant in found
    ]


def variant_search(
    *,
    on_search: Any,
    hits: rx.Var[list[VariantHit]],
    searched: rx.Var[bool],
    on_add: Callable[[rx.Var[str]], Any],
) -> rx.Component:
    """The form (submits `term`) and the hits, each with "Add <title>"."""
    return rx.vstack(
        rx.form(
            rx.hstack(
                rx.box(labelled_input("Find a product", "term", hint="By name or SKU"), flex="1"),
                rx.button("Search", type="submit", variant="soft"),
                align="end",
                width="100%",
            ),
            on_submit=on_search,
            reset_on_submit=False,
            width="100%",
        ),
        rx.cond(searched & (hits.length() == 0), rx.text("Nothing found.", color_scheme="gray")),
        rx.foreach(
            hits,
            lambda hit: rx.hstack(
                rx.vstack(
                    rx.text(hit.title),
                    rx.text(
                        hit.sku, " · ", hit.price, " · ", hit.stock, size="1", color_scheme="gray"
                    ),
                    spacing="0",
                ),
                rx.spacer(),
                rx.button("Add", size="1", aria_label="Add " + hit.title, on_click=on_add(hit.id)),
                width="100%",
                align="center",
            ),
        ),
        spacing="3",
        width="100%",
    )
