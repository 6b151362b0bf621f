"""A product's stored rating: the count and star sum of its approved reviews.

The reviews domain changes these, only inside the transaction of the decision or edit that
changes which reviews are approved: it locks the product row first (so two decisions on
one product take turns and each recount sees the other's commit), then recounts its own
table and stores the totals here. Listings sort and filter on the stored columns instead of
aggregating reviews per request. The database refuses totals that do not add up.
"""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalog.models import Product

# The sort column keeps four decimals; shoppers read one.
_SORT_PLACES = Decimal("0.0001")
_SHOWN_PLACES = Decimal("0.1")


def exact_average(rating_sum: int, rating_count: int) -> Decimal | None:
    """The mean of the stars, None without reviews."""
    if rating_count <= 0:
        return None
    return Decimal(rating_sum) / Decimal(rating_count)


def shown_average(rating_sum: int, rating_count: int) -> str:
    """The average as shoppers read it, rounded once to one decimal ("4.3"); "" if none."""
    average = exact_average(rating_sum, rating_count)
    if average is None:
        return ""
    return str(average.quantize(_SHOWN_PLACES, rounding=ROUND_HALF_UP))


def stars_text(rating: Decimal | int) -> str:
    """Five stars, filled to the nearest whole star, halves down (4.5 shows four, never
    more than earned): "★★★★☆". The number beside them says the rest."""
    filled = int(Decimal(rating).quantize(Decimal(1), rounding=ROUND_HALF_DOWN))
    filled = min(max(filled, 0), 5)
    return "★" * filled + "☆" * (5 - filled)


async def store_product_rating(
    session: AsyncSession, product_id: uuid.UUID, *, rating_count: int, rating_sum: int
) -> None:
    """Store the recounted totals (the caller holds `lock_product_for_update`)."""
    average = exact_average(rating_sum, rating_count)
    await session.exec(
        update(Product)
        .where(col(Product.id) == product_id)
        .values(
            # A rating is not a staff edit: keep the product's updated_at as it was.
            updated_at=col(Product.updated_at),
            rating_count=rating_count,
            rating_sum=rating_sum,
            rating_average=(
                Decimal(0)
                if average is None
                else average.quantize(_SORT_PLACES, rounding=ROUND_HALF_UP)
            ),
        )
    )
