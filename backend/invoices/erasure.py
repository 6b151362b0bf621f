"""An erased customer's invoices and credit notes stay (numbered, with what was sold and
its tax) without who bought, as the orders they belong to."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.redaction import ERASED, ERASED_EMAIL
from backend.invoices.models import Document


async def forget_buyers(session: AsyncSession, order_ids: Sequence[uuid.UUID]) -> None:
    """These orders' documents name an erased buyer; the country stays (tax depends on it)."""
    if not order_ids:
        return
    documents = (
        await session.exec(
            select(Document).where(col(Document.order_id).in_(list(order_ids))).with_for_update()
        )
    ).all()
    for document in documents:
        country = document.buyer.get("country")
        document.buyer = {"name": ERASED, "email": ERASED_EMAIL, "country": country}
        session.add(document)
