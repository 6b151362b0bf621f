"""Choosing a variant on a product page: which values each option offers given the other
choices, and which variant a choice lands on (pure functions, unit-tested).

A value whose combination with the other choices exists is offered as it is, or "sold
out"; one whose combination does not exist is still offered ("not in M"): choosing it
moves the other options to the closest variant that has it, as shoppers expect.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from backend.catalog.schemas import MAX_QUANTITY_CHOICE, OptionView, VariantView
from backend.media.thumbnails import thumbnail_url


@dataclasses.dataclass(frozen=True)
class ValueChoice:
    value: str
    label: str  # what the shopper reads and hears: "M", "M, sold out", "Red, not in M"
    swatch: str  # a thumbnail of the colour's picture; "" for none
    sold_out: bool
    unavailable: bool  # no variant has this value with the other current choices
    dimmed: bool  # shown struck through: sold out or unavailable, and not the chosen one


@dataclasses.dataclass(frozen=True)
class OptionChoice:
    name: str
    selected: str
    has_swatches: bool
    choices: list[ValueChoice]  # ("values" is a method of Reflex's object vars)


@dataclasses.dataclass(frozen=True)
class ChosenVariant:
    """The variant the page shows, preformatted."""

    id: str
    title: str  # "M / Navy"
    sku: str
    price: str
    compare_at_price: str  # "" without one
    stock: str  # "In stock", "Only 2 left", "Out of stock"
    in_stock: bool
    quantity_choices: list[str]
    images: list[str]  # its own pictures first, then the product's
    sale_title: str = ""  # the automatic promotion it is sold under, "" without one


def _matches(variant: VariantView, wanted: Sequence[str]) -> int:
    return sum(1 for have, want in zip(variant.option_values, wanted, strict=False) if have == want)


def variant_by_id(variants: Sequence[VariantView], variant_id: str) -> VariantView | None:
    return next((variant for variant in variants if str(variant.id) == variant_id), None)


def first_choice(variants: Sequence[VariantView]) -> VariantView | None:
    """What a page opens on without `?variant=`: the default variant if it is in stock,
    else the first one in stock, else the default."""
    default = next((v for v in variants if v.is_default), variants[0] if variants else None)
    if default is None or default.stock_quantity > 0:
        return default
    return next((v for v in variants if v.stock_quantity > 0), default)


def choose(
    variants: Sequence[VariantView], current: VariantView, option_index: int, value: str
) -> VariantView:
    """The variant after the shopper picks `value` for one option: the exact combination
    if it exists, else the variant with that value closest to the other choices (in
    stock first). The current one when no variant has the value."""
    wanted = list(current.option_values)
    if not 0 <= option_index < len(wanted):
        return current
    wanted[option_index] = value
    having = [v for v in variants if v.option_values[option_index] == value]
    if not having:
        return current
    return max(
        having,
        key=lambda v: (_matches(v, wanted), v.stock_quantity > 0, -v.position),
    )


def option_choices(
    options: Sequence[OptionView], variants: Sequence[VariantView], current: VariantView
) -> list[OptionChoice]:
    by_values = {variant.option_values: variant for variant in variants}
    choices = []
    for index, option in enumerate(options):
        values = []
        for value in option.values:
            combination = list(current.option_values)
            combination[index] = value.value
            found = by_values.get(tuple(combination))
            others = " / ".join(v for i, v in enumerate(current.option_values) if i != index)
            if found is None:
                label = f"{value.value}, not in {others}" if others else value.value
            elif found.stock_quantity <= 0:
                label = f"{value.value}, sold out"
            else:
                label = value.value
            values.append(
                ValueChoice(
                    value=value.value,
                    label=label,
                    swatch=thumbnail_url(value.swatch_image_url, 96)
                    if value.swatch_image_url
                    else "",
                    sold_out=found is not None and found.stock_quantity <= 0,
                    unavailable=found is None,
                    dimmed=value.value != current.option_values[index]
                    and (found is None or found.stock_quantity <= 0),
                )
            )
        choices.append(
            OptionChoice(
                name=option.name,
                selected=current.option_values[index],
                has_swatches=any(v.swatch for v in values),
                choices=values,
            )
        )
    return choices


def chosen_variant(variant: VariantView, product_images: Sequence[str]) -> ChosenVariant:
    own = list(variant.image_urls)
    images = own + [url for url in product_images if url not in own]
    return ChosenVariant(
        id=str(variant.id),
        title=variant.title,
        sku=variant.sku,
        price=variant.price_display,
        compare_at_price=variant.compare_at_price_display,
        sale_title=variant.sale_title,
        stock=variant.stock_display,
        in_stock=variant.stock_quantity > 0,
        quantity_choices=[
            str(n) for n in range(1, min(variant.stock_quantity, MAX_QUANTITY_CHOICE) + 1)
        ],
        images=[thumbnail_url(url, 960) for url in images],
    )
