"""Addresses that want no cart reminders: set by the unsubscribe link in every reminder,
or by the signed-in shopper's own setting on the account page. Checked at send time."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts import queries as accounts
from backend.cart_recovery.models import CartReminderOptOut
from backend.cart_recovery.tokens import read_unsubscribe_token
from backend.core.db import session_scope


async def is_opted_out(session: AsyncSession, email: str) -> bool:
    found = await session.exec(
        select(CartReminderOptOut.email).where(col(CartReminderOptOut.email) == email.lower())
    )
    return found.first() is not None


async def _opt_out(session: AsyncSession, email: str) -> None:
    await session.exec(
        insert(CartReminderOptOut)
        .values(email=email.lower())
        .on_conflict_do_nothing(index_elements=["email"])
    )


async def unsubscribe(token: str, *, now: datetime | None = None) -> str | None:
    """The address of a valid unsubscribe link, now opted out (again is fine); None for
    a link that is tampered with or expired."""
    email = read_unsubscribe_token(token, now=now)
    if email is None:
        return None
    async with session_scope() as session:
        await _opt_out(session, email)
    return email


async def reminders_wanted(user_id: uuid.UUID) -> bool:
    """The account page's setting: does this shopper's address get cart reminders?"""
    email = (await accounts.get_user(user_id)).email
    async with session_scope() as session:
        return not await is_opted_out(session, email)


async def set_reminders_wanted(user_id: uuid.UUID, *, wanted: bool) -> None:
    """The shopper's own choice, for their current address (the caller passes the signed-in
    viewer's own id)."""
    email = (await accounts.get_user(user_id)).email
    async with session_scope() as session:
        if wanted:
            await session.exec(
                delete(CartReminderOptOut).where(col(CartReminderOptOut.email) == email.lower())
            )
        else:
            await _opt_out(session, email)
