"""Row locks of accounts (`SELECT … FOR UPDATE`), for the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.models import AccountToken, Address, RefreshToken, User
from backend.core.errors import NotFoundError

ACCOUNT_NOT_FOUND = "There is no such account."
ADDRESS_NOT_FOUND = "That address is not in your address book."


async def lock_user_for_update(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotFoundError(ACCOUNT_NOT_FOUND)
    return user


async def lock_user_by_email_for_update(session: AsyncSession, email: str) -> User:
    """The account whose address is `email` (lower case), compared case-insensitively."""
    return (
        await session.exec(
            select(User).where(func.lower(col(User.email)) == email).with_for_update()
        )
    ).one()


async def lock_address_for_update(
    session: AsyncSession, user_id: uuid.UUID, address_id: uuid.UUID
) -> Address:
    """An address of `user_id`'s; someone else's is "not found", like a missing one."""
    address = (
        await session.exec(
            select(Address)
            .where(Address.id == address_id, Address.user_id == user_id)
            .with_for_update()
        )
    ).first()
    if address is None:
        raise NotFoundError(ADDRESS_NOT_FOUND)
    return address


async def lock_address_book_for_update(
    session: AsyncSession, user_id: uuid.UUID
) -> list[uuid.UUID]:
    """The ids of every address `user_id` has, locked, so two additions count in turn."""
    return list(
        await session.exec(select(Address.id).where(Address.user_id == user_id).with_for_update())
    )


async def lock_unused_account_token_for_update(
    session: AsyncSession, *, token_hash: str, purpose: str, now: datetime
) -> AccountToken | None:
    """The unspent, unexpired e-mailed-link token with this hash and purpose, or None."""
    return (
        await session.exec(
            select(AccountToken)
            .where(
                AccountToken.token_hash == token_hash,
                AccountToken.purpose == purpose,
                col(AccountToken.used_at).is_(None),
                col(AccountToken.expires_at) > now,
            )
            .with_for_update()
        )
    ).first()


async def lock_refresh_token_for_update(
    session: AsyncSession, token_hash: str
) -> RefreshToken | None:
    return (
        await session.exec(
            select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
        )
    ).first()
