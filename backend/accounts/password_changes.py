"""A signed-in user changing their own password (forgotten passwords go through
`email_links.reset_password`)."""

from __future__ import annotations

import asyncio
import uuid

from backend.accounts import passwords, session_epochs
from backend.accounts.browser_sessions import revoke_all_sign_ins
from backend.accounts.errors import (
    WrongPasswordError,
)
from backend.accounts.locks import lock_user_for_update
from backend.accounts.password_policy import password_problem
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError


async def change_password(
    user_id: uuid.UUID, *, current_password: str, new_password: str, keep_session_token: str | None
) -> None:
    """Change a signed-in user's password; every other sign-in of theirs ends."""
    async with session_scope() as session:
        user = await lock_user_for_update(session, user_id)
        if not await asyncio.to_thread(
            passwords.verify_password, user.password_hash, current_password
        ):
            raise WrongPasswordError(
                "Your current password is not right.",
                field="current_password",
            )
        problem = password_problem(new_password, username=user.username, email=user.email)
        if problem:
            raise InvalidInputError(problem, {"new_password": problem})
        user.password_hash = await asyncio.to_thread(passwords.hash_password, new_password)
        await revoke_all_sign_ins(session, user.id, keep_session_token=keep_session_token)
    await session_epochs.sessions_changed(user_id)
