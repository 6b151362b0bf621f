"""Row locks of the drafts domain."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.errors import NotFoundError
from backend.drafts.models import DraftOrder

DRAFT_NOT_FOUND = "There is no such draft order."


async def lock_draft_for_update(session: AsyncSession, draft_id: uuid.UUID) -> DraftOrder:
    draft = (
        await session.exec(select(DraftOrder).where(DraftOrder.id == draft_id).with_for_update())
    ).first()
    if draft is None:
        raise NotFoundError(DRAFT_NOT_FOUND)
    return draft


async def lock_stale_drafts_for_update(
    session: AsyncSession, *, now: datetime, limit: int
) -> list[DraftOrder]:
    """Open drafts past their expiry that no other run holds."""
    return list(
        (
            await session.exec(
                select(DraftOrder)
                .where(DraftOrder.status == "open", col(DraftOrder.expires_at) < now)
                .order_by(col(DraftOrder.expires_at))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
    )
