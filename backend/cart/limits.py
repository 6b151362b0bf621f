"""How much of a variant a cart may hold: the stock and the per-line and per-cart limits,
and what the shopper is told when a change is capped or refused."""

from __future__ import annotations

import uuid

from backend.cart.errors import SoldOutError
from backend.catalog.schemas import VariantSummary
from backend.catalog.variant_queries import get_variant_summaries
from backend.core.errors import DomainError, InvalidInputError, NotFoundError
from backend.settings import get_settings

NOT_SOLD = "This product is no longer sold."


def line_cap(product: VariantSummary) -> int:
    """The most of a variant one line may hold now."""
    return min(product.stock_quantity, get_settings().cart_max_line_quantity)


def check_quantity(quantity: int) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
        raise InvalidInputError("Choose a quantity of 0 or more.", {"quantity": "Not a quantity."})


async def sellable_variant(variant_id: uuid.UUID) -> VariantSummary:
    """The variant, if it is sold and in stock; NotFoundError or SoldOutError if not."""
    variant = (await get_variant_summaries([variant_id])).get(variant_id)
    if variant is None or not variant.is_active:
        raise NotFoundError(NOT_SOLD)
    if variant.stock_quantity <= 0:
        raise SoldOutError(f"{variant.display_name} is sold out.")
    return variant


def cart_full_error() -> InvalidInputError:
    lines = get_settings().cart_max_lines
    return InvalidInputError(
        f"Your cart is full ({lines} different products). Check out or remove some."
    )


def capped_error(product: VariantSummary, wanted: int) -> DomainError:
    """Why a change asked in full (`all_or_nothing`) cannot be made."""
    most = get_settings().cart_max_line_quantity
    if product.stock_quantity >= most:
        return InvalidInputError(
            f"You can buy at most {most} of {product.display_name} per order.",
            {"quantity": f"At most {most} per order."},
        )
    return SoldOutError(
        f"Only {product.stock_quantity} of {product.display_name} left (you asked for {wanted}).",
        variant_id=product.id,
        left=product.stock_quantity,
    )


def shortfall_message(product: VariantSummary, stored: int, wanted: int, *, done: str) -> str:
    """What to tell the shopper: `done`, or why the cart holds fewer than wanted."""
    if stored >= wanted:
        return done
    if stored == 0:
        return f"{product.display_name} is sold out."
    if stored >= get_settings().cart_max_line_quantity:
        return f"You can buy at most {stored} of {product.display_name} per order."
    return f"Only {stored} of {product.display_name} left: your cart has {stored}."
