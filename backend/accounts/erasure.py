"""Erasing an account (GDPR/CCPA): the user row goes, and with it (by the database's
foreign keys) roles, sessions, tokens, addresses, wishlists, back-in-stock requests and
review votes; other domains' rows pointing at it keep their figures with no one named."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts import passwords
from backend.accounts.errors import WrongPasswordError
from backend.accounts.locks import lock_user_for_update
from backend.accounts.models import Address, User


@dataclass(frozen=True)
class ErasedAccount:
    """What identified the person, for the other domains to look for."""

    user_id: uuid.UUID
    email: str
    identifying: tuple[str, ...]  # username, names, phones, streets


async def identifying_values(session: AsyncSession, user: User) -> tuple[str, ...]:
    addresses = (await session.exec(select(Address).where(Address.user_id == user.id))).all()
    values = [user.username, user.first_name, user.last_name]
    if user.first_name and user.last_name:
        values.append(f"{user.first_name} {user.last_name}")
    for address in addresses:
        values += [address.full_name, address.line1, address.line2, address.phone]
    return tuple(value for value in values if value)


async def lock_for_erasure(
    session: AsyncSession, user_id: uuid.UUID, *, confirm_password: str | None = None
) -> ErasedAccount:
    """Lock the account in the caller's transaction and say what identifies its owner.
    With `confirm_password` (the customer asking themselves), only if it is theirs.
    Raises NotFoundError, WrongPasswordError."""
    user = await lock_user_for_update(session, user_id)
    if confirm_password is not None and not await asyncio.to_thread(
        passwords.verify_password, user.password_hash, confirm_password
    ):
        raise WrongPasswordError("That is not your password.", field="password")
    return ErasedAccount(user.id, user.email, await identifying_values(session, user))


async def delete_account(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Delete the locked user row: the last step, after the other domains have taken
    their rows of this account out (its foreign keys then cascade or clear)."""
    await session.delete(await lock_user_for_update(session, user_id))
