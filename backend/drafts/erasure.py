"""Erasing a customer from draft orders: open or expired drafts for them are deleted (they
were never orders); a completed draft keeps only its link to the order, which the
orders domain anonymises."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, or_, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.drafts.models import DraftOrder


async def forget_customer(session: AsyncSession, user_id: uuid.UUID, email: str) -> None:
    whose = or_(col(DraftOrder.user_id) == user_id, func.lower(DraftOrder.email) == email.lower())
    await session.exec(delete(DraftOrder).where(whose, col(DraftOrder.status) != "completed"))
    await session.exec(
        update(DraftOrder)
        .where(whose, col(DraftOrder.status) == "completed")
        .values(user_id=None, email="", details=None, note="")
    )
