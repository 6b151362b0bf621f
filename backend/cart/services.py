"""Cart use cases that change lines: add, set a quantity, remove, clear, forget bought ones.

A line is one variant (a product without options has one, under the product's own id).
Adding reads the variant once (one SQL statement by primary key), so the quantity is
capped at the stock and the per-line limit right away; the write itself is one Lua script
(`store.change_line`), so concurrent changes of one cart never lose an increment.
"""

from __future__ import annotations

import uuid

from backend.cart import gift_cards
from backend.cart.errors import SoldOutError
from backend.cart.limits import (
    NOT_SOLD,
    capped_error,
    cart_full_error,
    check_quantity,
    line_cap,
    sellable_variant,
    shortfall_message,
)
from backend.cart.queries import get_cart
from backend.cart.schemas import CartChange, CartOwner
from backend.cart.store import (
    ACTIVITY_KEY,
    cart_key,
    change_line,
    contact_key,
    forget_lines_once,
    gift_cards_key,
    remove_line,
)
from backend.catalog.variant_queries import get_variant_summaries, variant_for_product
from backend.core.errors import InvalidInputError, NotFoundError
from backend.core.redis import get_redis
from backend.funnel import counts as funnel
from backend.funnel.counts import FunnelStep
from backend.giftcards.inputs import PurchaseInput


async def add_item(
    owner: CartOwner, variant_id: uuid.UUID, quantity: int = 1, *, all_or_nothing: bool = False
) -> CartChange:
    """Put `quantity` more of a variant in the cart, capped at what can be bought, and
    count the shopper in the funnel's add-to-cart step. The one add-to-cart use case:
    the shop's pages, the API, wishlists, "buy again" and restored carts all add here.

    `all_or_nothing` (the API): a change that would be capped raises instead
    (InvalidInputError over the per-line limit, SoldOutError over the stock) and
    changes nothing."""
    check_quantity(quantity)
    if quantity == 0:
        raise InvalidInputError("Choose a quantity of 1 or more.", {"quantity": "At least 1."})
    product = await sellable_variant(variant_id)
    change = await change_line(
        owner,
        variant_id,
        mode="add",
        quantity=quantity,
        cap=line_cap(product),
        all_or_nothing=all_or_nothing,
    )
    wanted = change.held + quantity
    if change.outcome == "full":
        raise cart_full_error()
    if change.outcome == "capped":
        raise capped_error(product, wanted)
    await funnel.record(FunnelStep.ADD_TO_CART, owner.key, product.product_id)
    message = shortfall_message(
        product, change.stored, wanted, done=f"Added {product.display_name} to your cart."
    )
    return CartChange(cart=await get_cart(owner), message=message)


async def add_product(
    owner: CartOwner, product_id: uuid.UUID, quantity: int = 1, *, all_or_nothing: bool = False
) -> CartChange:
    """`add_item` for a caller that names a product, not a variant (old clients, links):
    its only variant; InvalidInputError asks to choose when it has several."""
    return await add_item(
        owner, await variant_for_product(product_id), quantity, all_or_nothing=all_or_nothing
    )


async def set_quantity(
    owner: CartOwner, variant_id: uuid.UUID, quantity: int, *, all_or_nothing: bool = False
) -> CartChange:
    """Change a line's quantity (0 removes it), capped at what can be bought.

    `all_or_nothing` (the API): a variant not sold raises NotFoundError, one that cannot
    be had in this quantity raises (as for `add_item`), and the line stays as it was."""
    check_quantity(quantity)
    if quantity == 0:
        return await remove_item(owner, variant_id)
    product = (await get_variant_summaries([variant_id])).get(variant_id)
    if product is None or not product.is_active:
        if all_or_nothing:
            raise NotFoundError(NOT_SOLD)
        await remove_line(owner, variant_id)
        return CartChange(cart=await get_cart(owner), message=NOT_SOLD)
    if all_or_nothing and product.stock_quantity <= 0:
        raise SoldOutError(f"{product.display_name} is sold out.")
    change = await change_line(
        owner,
        variant_id,
        mode="set",
        quantity=quantity,
        cap=line_cap(product),
        all_or_nothing=all_or_nothing,
    )
    if change.outcome == "full":
        raise cart_full_error()
    if change.outcome == "capped":
        raise capped_error(product, quantity)
    message = shortfall_message(
        product, change.stored, quantity, done=f"Updated {product.display_name}."
    )
    return CartChange(cart=await get_cart(owner), message=message)


async def remove_item(owner: CartOwner, variant_id: uuid.UUID) -> CartChange:
    await remove_line(owner, variant_id)
    return CartChange(cart=await get_cart(owner), message="Removed from your cart.")


async def add_gift_card(owner: CartOwner, card: PurchaseInput) -> CartChange:
    """Put a gift card (its amount and recipient) in the cart; raises InvalidInputError
    for a delivery date in the past or over a year ahead, or a cart full of cards."""
    await gift_cards.store_gift_card(owner, card)
    await funnel.record(FunnelStep.ADD_TO_CART, owner.key)
    return CartChange(cart=await get_cart(owner), message="Added a gift card to your cart.")


async def remove_gift_card(owner: CartOwner, line_id: str) -> CartChange:
    await gift_cards.drop_gift_card(owner, line_id)
    return CartChange(cart=await get_cart(owner), message="Removed the gift card.")


async def clear_cart(owner: CartOwner) -> None:
    redis = get_redis()
    async with redis.pipeline(transaction=True) as pipe:
        pipe.delete(cart_key(owner), contact_key(owner), gift_cards_key(owner))
        pipe.zrem(ACTIVITY_KEY, owner.key)
        await pipe.execute()


async def forget_bought_lines(
    owner: CartOwner,
    variant_ids: list[uuid.UUID],
    *,
    order_id: uuid.UUID,
    gift_card_lines: list[str] | None = None,
) -> None:
    """Take a paid order's variants and gift cards out of its cart, once per order
    (`store.py`)."""
    if variant_ids or gift_card_lines:
        await forget_lines_once(
            owner, variant_ids, order_id=order_id, gift_card_lines=gift_card_lines
        )
