"""A person's back-in-stock requests made as a guest (their account's go with it)."""

from __future__ import annotations

from sqlalchemy import delete, func
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.stock_notices.models import StockNoticeSubscription


async def forget_email(session: AsyncSession, email: str) -> None:
    await session.exec(
        delete(StockNoticeSubscription).where(
            func.lower(StockNoticeSubscription.email) == email.lower()
        )
    )
