"""A user's own profile (name, e-mail) and the name the shop calls them by."""

from __future__ import annotations

import uuid
from typing import Any

from backend.accounts import session_epochs
from backend.accounts.inputs import ProfileUpdate
from backend.accounts.locks import lock_user_for_update
from backend.accounts.models import User
from backend.accounts.schemas import Profile
from backend.core.db import session_scope
from backend.core.errors import NotFoundError
from backend.core.validation import parse_input


def display_name(user: User) -> str:
    full_name = " ".join(part for part in (user.first_name, user.last_name) if part)
    return full_name or user.username


async def get_profile(user_id: uuid.UUID) -> Profile:
    async with session_scope() as session:
        user = await session.get(User, user_id)
    if user is None:
        raise NotFoundError("There is no such account.")
    return Profile(
        user_id=user.id,
        username=user.username,
        email=user.email,
        first_name=user.first_name or "",
        last_name=user.last_name or "",
        email_verified=user.email_verified,
    )


async def update_profile(user_id: uuid.UUID, data: dict[str, Any]) -> Profile:
    update_input = parse_input(ProfileUpdate, data)
    async with session_scope() as session:
        user = await lock_user_for_update(session, user_id)
        user.first_name, user.last_name = update_input.first_name, update_input.last_name
    await session_epochs.sessions_changed(user_id)  # open tabs show the new name
    return await get_profile(user_id)
