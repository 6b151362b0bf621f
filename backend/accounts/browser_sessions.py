"""Server-side browser sessions: resolving a session cookie to its viewer, cheap
re-verification through the user's session epoch, sign-out, and ending every sign-in."""

from __future__ import annotations

import time
import uuid
from datetime import datetime

from redis.exceptions import RedisError
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts import session_epochs, staff_groups
from backend.accounts.lookup_keys import hash_token
from backend.accounts.models import RefreshToken, User, UserSession
from backend.accounts.profiles import display_name
from backend.accounts.schemas import VerifiedSession, Viewer
from backend.core.clock import utcnow
from backend.core.db import session_scope

# A verified session is asked of the database again at least this often, even when its
# epoch says nothing changed: the backstop for an invalidation Redis lost.
SESSION_RECHECK_SECONDS = 15.0


async def _live_session(session_token: str) -> tuple[Viewer, datetime] | None:
    """The viewer behind a session token and the session's expiry, if it is live."""
    async with session_scope() as session:
        row = (
            await session.exec(
                select(User, UserSession.expires_at)
                .join(UserSession, col(UserSession.user_id) == col(User.id))
                .where(
                    UserSession.token_hash == hash_token(session_token),
                    col(UserSession.revoked_at).is_(None),
                    col(UserSession.expires_at) > utcnow(),
                    User.status == "active",
                )
            )
        ).first()
        if row is None:
            return None
        user, expires_at = row
        return await viewer_for(session, user), expires_at


async def resolve_session(session_token: str | None) -> Viewer | None:
    """The viewer behind a session cookie, or None if it is unknown, expired or revoked."""
    if not session_token:
        return None
    live = await _live_session(session_token)
    return live[0] if live else None


async def verify_session(
    session_token: str | None, *, user_id: uuid.UUID | None = None
) -> VerifiedSession | None:
    """`resolve_session`, with what `session_unchanged` needs to trust it later cheaply.

    `user_id`: whose session this token was when last verified (a token never changes
    hands), so the user's epoch can be read before the one query. Without it, a first
    query finds the user, then the epoch is read, then the session is queried again.
    """
    if not session_token:
        return None
    if user_id is None:
        first = await _live_session(session_token)
        if first is None:
            return None
        user_id = first[0].user_id
    epoch = await session_epochs.epoch_before_verifying(user_id)
    live = await _live_session(session_token)
    if live is None or live[0].user_id != user_id:
        return None
    viewer, expires_at = live
    return VerifiedSession(viewer, expires_at, epoch, time.time())


async def session_unchanged(verified: VerifiedSession) -> bool:
    """True while nothing can have changed the verified session: not expired, verified
    less than SESSION_RECHECK_SECONDS ago, and its user's epoch is the one read then (one
    Redis GET). False also when Redis cannot say: then ask the database."""
    age = time.time() - verified.verified_at
    if not verified.epoch or not 0 <= age < SESSION_RECHECK_SECONDS:
        return False
    if utcnow() >= verified.expires_at:
        return False
    try:
        return await session_epochs.current_epoch(verified.viewer.user_id) == verified.epoch
    except RedisError:
        return False


async def sign_out(session_token: str | None) -> None:
    if not session_token:
        return
    async with session_scope() as session:
        signed_out = (
            await session.exec(
                update(UserSession)
                .where(
                    col(UserSession.token_hash) == hash_token(session_token),
                    col(UserSession.revoked_at).is_(None),
                )
                .values(revoked_at=utcnow())
                .returning(col(UserSession.user_id))
            )
        ).all()
    await session_epochs.sessions_changed(*{row[0] for row in signed_out})


async def revoke_all_sign_ins(
    session: AsyncSession, user_id: uuid.UUID, *, keep_session_token: str | None = None
) -> None:
    """End every browser session (but the one kept) and every API refresh token. The
    caller calls `session_epochs.sessions_changed(user_id)` after its commit, so open tabs
    notice at their next event."""
    sessions = update(UserSession).where(
        col(UserSession.user_id) == user_id, col(UserSession.revoked_at).is_(None)
    )
    if keep_session_token:
        sessions = sessions.where(col(UserSession.token_hash) != hash_token(keep_session_token))
    await session.exec(sessions.values(revoked_at=utcnow()))
    await session.exec(
        update(RefreshToken)
        .where(col(RefreshToken.user_id) == user_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


async def viewer_for(session: AsyncSession, user: User) -> Viewer:
    return Viewer(
        user_id=user.id,
        username=user.username,
        email=user.email,
        display_name=display_name(user),
        permissions=await staff_groups.permissions_of(session, user.id),
    )
