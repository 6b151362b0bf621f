"""Buy again: a past order's lines put back in a cart, at today's prices.

The cart holds only product ids and quantities and is priced from the catalog whenever it
is shown, so "today's prices" needs nothing more; products no longer sold are named.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.cart import services as carts
from backend.cart.schemas import CartOwner
from backend.core.errors import DomainError
from backend.orders.queries import OrderDetail


@dataclass(frozen=True)
class BuyAgainResult:
    added: tuple[str, ...]  # product names now in the cart
    unavailable: tuple[str, ...]  # no longer sold, sold out, or the cart is full


async def buy_again(order: OrderDetail, owner: CartOwner) -> BuyAgainResult:
    """Each line whose product is still sold goes into `owner`'s cart with the order's
    quantity (capped at stock and the per-line limit, like any addition). The caller has
    checked that the viewer may see this order."""
    added: list[str] = []
    unavailable: list[str] = []
    for line in order.lines:
        if line.variant_id is None:  # the product or its variant was deleted since
            unavailable.append(line.name)
            continue
        try:
            await carts.add_item(owner, line.variant_id, line.quantity)
        except DomainError:
            unavailable.append(line.name)
            continue
        added.append(line.name)
    return BuyAgainResult(added=tuple(added), unavailable=tuple(unavailable))
