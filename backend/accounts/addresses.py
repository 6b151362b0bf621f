"""The address book: a shopper's saved addresses, one of them the default for shipping.

Every call names the owner; an address of someone else is "not found" (never "forbidden",
which would confirm it exists).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.inputs import AddressInput
from backend.accounts.locks import lock_address_book_for_update, lock_address_for_update
from backend.accounts.models import Address
from backend.accounts.schemas import SavedAddress
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.core.validation import parse_input

MAX_ADDRESSES = 20


def _saved(address: Address) -> SavedAddress:
    return SavedAddress(
        id=address.id,
        full_name=address.full_name,
        line1=address.line1,
        line2=address.line2 or "",
        city=address.city,
        region=address.region or "",
        postal_code=address.postal_code,
        country=address.country,
        phone=address.phone or "",
        is_default=address.is_default,
    )


async def list_addresses(user_id: uuid.UUID) -> list[SavedAddress]:
    async with session_scope() as session:
        rows = await session.exec(
            select(Address)
            .where(Address.user_id == user_id)
            .order_by(col(Address.is_default).desc(), col(Address.created_at), col(Address.id))
        )
        return [_saved(row) for row in rows]


async def _clear_default(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.exec(
        update(Address)
        .where(col(Address.user_id) == user_id, col(Address.is_default))
        .values(is_default=False)
    )


async def add_address(user_id: uuid.UUID, data: dict[str, Any]) -> SavedAddress:
    values = parse_input(AddressInput, data)
    async with session_scope() as session:
        existing = await lock_address_book_for_update(session, user_id)
        if len(existing) >= MAX_ADDRESSES:
            raise InvalidInputError(f"An address book holds at most {MAX_ADDRESSES} addresses.")
        make_default = values.is_default or not existing  # the first address is the default
        if make_default:
            await _clear_default(session, user_id)
        address = Address(
            user_id=user_id, **values.model_dump(exclude={"is_default"}), is_default=make_default
        )
        session.add(address)
        await session.flush()
        return _saved(address)


async def update_address(
    user_id: uuid.UUID, address_id: uuid.UUID, data: dict[str, Any]
) -> SavedAddress:
    values = parse_input(AddressInput, data)
    async with session_scope() as session:
        address = await lock_address_for_update(session, user_id, address_id)
        if values.is_default and not address.is_default:
            await _clear_default(session, user_id)
            address.is_default = True
        for field, value in values.model_dump(exclude={"is_default"}).items():
            setattr(address, field, value)
        await session.flush()
        return _saved(address)


async def set_default_address(user_id: uuid.UUID, address_id: uuid.UUID) -> None:
    async with session_scope() as session:
        address = await lock_address_for_update(session, user_id, address_id)
        await _clear_default(session, user_id)
        await session.flush()
        address.is_default = True


async def delete_address(user_id: uuid.UUID, address_id: uuid.UUID) -> None:
    """Delete; if it was the default, the oldest remaining address becomes the default."""
    async with session_scope() as session:
        address = await lock_address_for_update(session, user_id, address_id)
        was_default = address.is_default
        await session.delete(address)
        await session.flush()
        if was_default:
            successor = (
                await session.exec(
                    select(Address)
                    .where(Address.user_id == user_id)
                    .order_by(col(Address.created_at), col(Address.id))
                    .limit(1)
                )
            ).first()
            if successor is not None:
                successor.is_default = True
