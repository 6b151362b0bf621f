"""What each promotion took off an order, in all: the `order_promotions` rows written with
it (sales summed over their lines, per promotion when several add up; multi-buys over the
lines they grouped; the order and shipping offers)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal

from backend.inventory.services import ReservedLine
from backend.merchandising.promotions import PricedItem
from backend.orders.charges import Charges
from backend.orders.models import OrderPromotion

ZERO = Decimal("0.00")


def promotions_applied(
    order_id: uuid.UUID,
    reserved: Sequence[ReservedLine],
    priced: Sequence[PricedItem],
    charges: Charges,
) -> list[OrderPromotion]:
    found: dict[uuid.UUID, OrderPromotion] = {}

    def add(promotion_id: uuid.UUID, title: str, applies_to: str, amount: Decimal) -> None:
        row = found.setdefault(
            promotion_id,
            OrderPromotion(
                order_id=order_id,
                promotion_id=promotion_id,
                title=title,
                applies_to=applies_to,
                amount=ZERO,
            ),
        )
        row.amount += amount

    for line, item in zip(reserved, priced, strict=True):
        if item.sale is not None:
            for offer, saving in item.sale.savings():
                add(offer.id, offer.title, "items", saving * line.quantity)
        if item.multibuy is not None:
            add(item.multibuy.offer.id, item.multibuy.offer.title, "multibuy", item.multibuy.amount)
    if charges.order_offer is not None:
        add(
            charges.order_offer.id,
            charges.order_offer.title,
            "order",
            charges.totals.promotion_discount,
        )
    if charges.shipping_offer is not None:
        add(
            charges.shipping_offer.id,
            charges.shipping_offer.title,
            "shipping",
            charges.shipping_saved,
        )
    return list(found.values())
