"""The demo accounts whose passwords anyone can read (README, settings defaults), and the
production start-up check that refuses to serve while they can still sign in.

`./shop run` seeds admin@example.com and shopper@example.com with published passwords. A
database that began in development and went live, or a seed run against production by
mistake, would hand the admin dashboard to anyone: so every web process and worker checks
at start, in production, that neither account exists with a published password, and exits
with a message saying how to retire them (`python -m jobs.cli retire-demo-accounts`).
"""

from __future__ import annotations

import asyncio
import secrets

from sqlalchemy import func
from sqlmodel import col, select

from backend.accounts import passwords
from backend.accounts.browser_sessions import revoke_all_sign_ins
from backend.accounts.locks import lock_user_by_email_for_update
from backend.accounts.models import User
from backend.core.db import session_scope
from backend.demo.errors import PublishedDemoAccountsError
from backend.demo.seed import DEMO_ADMIN, DEMO_SHOPPER
from backend.settings import (
    PUBLISHED_DEMO_ADMIN_PASSWORD,
    PUBLISHED_DEMO_SHOPPER_PASSWORD,
    get_settings,
)

DEMO_EMAILS = (DEMO_ADMIN.email, DEMO_SHOPPER.email)
RETIRE_COMMAND = "python -m jobs.cli retire-demo-accounts"


def published_demo_passwords() -> frozenset[str]:
    """The README's passwords and whatever DEMO_*_PASSWORD says (seeded with those)."""
    settings = get_settings()
    return frozenset(
        {
            PUBLISHED_DEMO_ADMIN_PASSWORD,
            PUBLISHED_DEMO_SHOPPER_PASSWORD,
            settings.demo_admin_password.get_secret_value(),
            settings.demo_shopper_password.get_secret_value(),
        }
    )


def _has_published_password(password_hash: str) -> bool:
    return any(
        passwords.verify_password(password_hash, password)
        for password in published_demo_passwords()
    )


async def demo_accounts_with_published_passwords() -> list[str]:
    """The demo e-mail addresses whose account signs in with a published password."""
    async with session_scope() as session:
        accounts = (
            await session.exec(
                select(User.email, User.password_hash).where(
                    func.lower(col(User.email)).in_(DEMO_EMAILS)
                )
            )
        ).all()
    found = []
    for email, password_hash in sorted(accounts):
        if await asyncio.to_thread(_has_published_password, password_hash):
            found.append(email)
    return found


async def refuse_published_demo_accounts_in_production() -> None:
    """Run by every web process and worker before it serves. Raises
    PublishedDemoAccountsError (with the remedy) in production; nothing elsewhere."""
    if not get_settings().is_production:
        return
    published = await demo_accounts_with_published_passwords()
    if published:
        msg = (
            "Refusing to start in production: the demo account(s) "
            f"{', '.join(published)} still sign in with the password(s) published in the "
            "README, so anyone could use them. Retire them with "
            f"`{RETIRE_COMMAND}` (new random passwords, locked, signed out), or delete them."
        )
        raise PublishedDemoAccountsError(msg)


async def retire_published_demo_accounts() -> list[str]:
    """Give each demo account that still has a published password a random one nobody
    knows, lock it and end its sign-ins. Returns the addresses retired."""
    retired = []
    for email in await demo_accounts_with_published_passwords():
        unknowable = await asyncio.to_thread(passwords.hash_password, secrets.token_urlsafe(32))
        async with session_scope() as session:
            user = await lock_user_by_email_for_update(session, email)
            user.password_hash = unknowable
            user.status, user.locked_until = "locked", None  # locked until staff say otherwise
            await revoke_all_sign_ins(session, user.id)
        retired.append(email)
    return retired
