"""A person's cart reminders and opt-out, for their erasure: reminders stay counted
(recovery figures) with no address; the opt-out goes with the address it named."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.cart_recovery.models import CartReminder, CartReminderOptOut
from backend.core.redaction import ERASED_EMAIL


async def forget_contact(session: AsyncSession, user_id: uuid.UUID, email: str) -> None:
    reminders = (
        await session.exec(
            select(CartReminder)
            .where(
                or_(
                    col(CartReminder.user_id) == user_id,
                    func.lower(CartReminder.email) == email.lower(),
                )
            )
            .with_for_update()
        )
    ).all()
    for reminder in reminders:
        reminder.email, reminder.user_id = ERASED_EMAIL, None
        session.add(reminder)
    await session.exec(
        delete(CartReminderOptOut).where(col(CartReminderOptOut.email) == email.lower())
    )


async def opted_out(session: AsyncSession, email: str) -> bool:
    return await session.get(CartReminderOptOut, email.lower()) is not None
