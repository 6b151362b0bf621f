"""Reading carts: the header's item count, and the cart priced from the catalog now (under
the live automatic promotions, as checkout charges it)."""

from __future__ import annotations

import uuid

from backend.cart.gift_cards import read_gift_cards
from backend.cart.schemas import Cart, CartLine, CartOwner
from backend.cart.store import count_items, read_quantities, remove_line
from backend.catalog.schemas import VariantSummary
from backend.catalog.variant_queries import get_variant_summaries
from backend.merchandising.promotions import PricedItem, priced_items
from backend.settings import get_settings


async def item_count(owner: CartOwner | None) -> int:
    """The number of items for the header badge (Redis only, no SQL)."""
    return 0 if owner is None else await count_items(owner)


async def held_quantities(owner: CartOwner) -> dict[uuid.UUID, int]:
    """{variant id: quantity} as stored, without reading the catalog."""
    return await read_quantities(owner)


async def get_cart(owner: CartOwner | None) -> Cart:
    """The cart priced from the catalog now; lines that cannot be bought as they are say
    why (no longer sold, sold out, fewer left than wanted)."""
    currency = get_settings().shop_currency
    if owner is None:
        return Cart(lines=(), currency=currency)
    quantities = await read_quantities(owner)
    variants = await get_variant_summaries(list(quantities))
    found = []
    for variant_id, quantity in quantities.items():
        product = variants.get(variant_id)
        if product is None:
            await remove_line(owner, variant_id)  # deleted from the catalog: forget it
            continue
        found.append((product, quantity))
    # Priced as checkout will charge them: under the promotions live now.
    priced = await priced_items(
        [
            (str(product.id), product.product_id, product.price, quantity)
            for product, quantity in found
        ]
    )
    lines = [
        _line(product, quantity, item)
        for (product, quantity), item in zip(found, priced, strict=True)
    ]
    lines.sort(key=lambda line: (line.name.lower(), line.title))
    return Cart(
        lines=tuple(lines), currency=currency, gift_cards=await read_gift_cards(owner, currency)
    )


def _line(product: VariantSummary, quantity: int, item: PricedItem) -> CartLine:
    sale = item.sale
    problem = None
    if not product.is_active:
        problem = "No longer available"
    elif product.stock_quantity <= 0:
        problem = "Sold out"
    elif quantity > product.stock_quantity:
        problem = f"Only {product.stock_quantity} left"
    return CartLine(
        variant_id=product.id,
        product_id=product.product_id,
        options=product.options,
        slug=product.slug,
        name=product.name,
        sku=product.sku,
        image_url=product.image_url,
        unit_price=sale.price if sale else product.price,
        list_price=sale.list_price if sale else None,
        promotion_title=sale.title if sale else None,
        multibuy_title=item.multibuy.offer.title if item.multibuy else None,
        multibuy_off=item.multibuy_off,
        currency=product.currency,
        quantity=quantity,
        stock_quantity=product.stock_quantity,
        problem=problem,
    )
