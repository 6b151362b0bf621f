"""Re-checking a browser session on every event: a verified session holds until something
changes it, and every change (revocation, lock, roles, name) is noticed at once."""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from backend.accounts import (
    authentication,
    browser_sessions,
    email_links,
    password_changes,
    profiles,
    session_epochs,
    staff,
    staff_groups,
)
from backend.accounts.errors import AccountLockedError, InvalidCredentialsError
from backend.accounts.permissions import DefaultGroup, Permission
from backend.accounts.schemas import SignedIn, VerifiedSession
from backend.core.clock import utcnow
from backend.settings import get_settings
from tests.fixtures.accounts import Credentials, MakeUser

NEW_PASSWORD = "a completely different passphrase"


async def verified(browser: SignedIn) -> VerifiedSession:
    session = await browser_sessions.verify_session(browser.session_token)
    assert session is not None
    assert session.viewer.user_id == browser.viewer.user_id
    assert session.epoch, "Redis is up: an epoch was read"
    return session


async def test_a_verified_session_holds_while_nothing_changes(shopper: Credentials) -> None:
    browser = await authentication.sign_in(email=shopper.email, password=shopper.password)
    session = await verified(browser)

    assert await browser_sessions.session_unchanged(session)
    assert await browser_sessions.session_unchanged(session)  # reading changes nothing
    # Verifying again (another tab, or the same one later) keeps the same epoch.
    again = await browser_sessions.verify_session(
        browser.session_token, user_id=browser.viewer.user_id
    )
    assert again is not None
    assert again.epoch == session.epoch


@dataclasses.dataclass(frozen=True)
class Setting:
    shopper: Credentials
    browser: SignedIn
    admin: Credentials


Change = Callable[[Setting], Awaitable[None]]


async def _sign_out(s: Setting) -> None:
    await browser_sessions.sign_out(s.browser.session_token)


async def _password_change_elsewhere(s: Setting) -> None:
    other = await authentication.sign_in(email=s.shopper.email, password=s.shopper.password)
    await password_changes.change_password(
        s.browser.viewer.user_id,
        current_password=s.shopper.password,
        new_password=NEW_PASSWORD,
        keep_session_token=other.session_token,
    )


async def _password_reset(s: Setting) -> None:
    token = await email_links.issue_account_token(
        s.browser.viewer.user_id, purpose="reset_password", ttl=email_links.PASSWORD_RESET_TTL
    )
    await email_links.reset_password(token, NEW_PASSWORD)


async def _admin_lock(s: Setting) -> None:
    admin = await authentication.sign_in(email=s.admin.email, password=s.admin.password)
    await staff.set_locked(admin.viewer, s.browser.viewer.user_id, locked=True)


async def _failed_sign_ins_lock(s: Setting) -> None:
    for _ in range(get_settings().sign_in_max_failures):
        with pytest.raises((InvalidCredentialsError, AccountLockedError)):
            await authentication.sign_in(email=s.shopper.email, password="not the password at all")


async def _group_joined(s: Setting) -> None:
    admin = await authentication.sign_in(email=s.admin.email, password=s.admin.password)
    fulfilment = next(
        group
        for group in await staff_groups.list_groups(admin.viewer)
        if group.key == DefaultGroup.FULFILMENT
    )
    await staff_groups.set_membership(
        admin.viewer, s.browser.viewer.user_id, fulfilment.id, member=True
    )


async def _name_changed(s: Setting) -> None:
    await profiles.update_profile(
        s.browser.viewer.user_id, {"first_name": "Renamed", "last_name": "Person"}
    )


# Each change, and what the session is after it: ended, or alive with new permissions or name.
CHANGES: dict[str, tuple[Change, str]] = {
    "sign-out": (_sign_out, "ended"),
    "password change elsewhere": (_password_change_elsewhere, "ended"),
    "password reset": (_password_reset, "ended"),
    "admin lock": (_admin_lock, "ended"),
    "staff group joined": (_group_joined, "packer"),
    "name changed": (_name_changed, "renamed"),
}


async def test_failed_sign_ins_by_a_stranger_leave_the_owners_session_alone(
    make_user: MakeUser, staff_admin: Credentials
) -> None:
    # Failed sign-ins lock the e-mail for the network they came from, not the account
    # (backend/accounts/sign_in_limits.py): the owner's open sessions go on.
    shopper = await make_user()
    browser = await authentication.sign_in(email=shopper.email, password=shopper.password)
    session = await verified(browser)

    await _failed_sign_ins_lock(Setting(shopper, browser, staff_admin))

    assert await browser_sessions.session_unchanged(session)
    assert await browser_sessions.verify_session(
        browser.session_token, user_id=browser.viewer.user_id
    )


@pytest.mark.parametrize("change", sorted(CHANGES))
async def test_every_change_to_a_session_is_noticed_at_the_next_check(
    make_user: MakeUser, staff_admin: Credentials, change: str
) -> None:
    shopper = await make_user()
    browser = await authentication.sign_in(email=shopper.email, password=shopper.password)
    session = await verified(browser)
    do_change, after = CHANGES[change]

    await do_change(Setting(shopper, browser, staff_admin))

    assert not await browser_sessions.session_unchanged(session)
    again = await browser_sessions.verify_session(
        browser.session_token, user_id=browser.viewer.user_id
    )
    if after == "ended":
        assert again is None
        return
    assert again is not None
    if after == "packer":
        assert again.viewer.may(Permission.ORDERS_FULFIL)
        assert not again.viewer.may(Permission.ORDERS_REFUND)
    else:
        assert again.viewer.display_name == "Renamed Person"
    assert await browser_sessions.session_unchanged(again)  # verified anew: trusted again


async def test_the_session_kept_by_a_password_change_holds_after_one_database_check(
    shopper: Credentials,
) -> None:
    this_tab = await authentication.sign_in(email=shopper.email, password=shopper.password)
    session = await verified(this_tab)
    await password_changes.change_password(
        this_tab.viewer.user_id,
        current_password=shopper.password,
        new_password=NEW_PASSWORD,
        keep_session_token=this_tab.session_token,
    )
    assert not await browser_sessions.session_unchanged(session)
    again = await verified(this_tab)
    assert await browser_sessions.session_unchanged(again)


async def test_a_session_other_users_change_is_not_disturbed(
    make_user: MakeUser,
) -> None:
    mine = await make_user()
    theirs = await make_user()
    browser = await authentication.sign_in(email=mine.email, password=mine.password)
    session = await verified(browser)
    other = await authentication.sign_in(email=theirs.email, password=theirs.password)

    await browser_sessions.sign_out(other.session_token)

    assert await browser_sessions.session_unchanged(session)


async def test_the_check_fails_closed(shopper: Credentials) -> None:
    """Without an epoch (Redis was away), once old, or past its expiry: ask the database."""
    browser = await authentication.sign_in(email=shopper.email, password=shopper.password)
    session = await verified(browser)

    assert not await browser_sessions.session_unchanged(dataclasses.replace(session, epoch=""))
    old = time.time() - browser_sessions.SESSION_RECHECK_SECONDS - 1
    assert not await browser_sessions.session_unchanged(
        dataclasses.replace(session, verified_at=old)
    )
    expired = utcnow() - timedelta(seconds=1)
    assert not await browser_sessions.session_unchanged(
        dataclasses.replace(session, expires_at=expired)
    )
    # The epoch gone from Redis (evicted, flushed, expired): changed, as far as anyone knows.
    await session_epochs.sessions_changed(browser.viewer.user_id)
    assert not await browser_sessions.session_unchanged(session)


async def test_a_token_is_only_ever_its_own_users(make_user: MakeUser) -> None:
    mine, theirs = await make_user(), await make_user()
    browser = await authentication.sign_in(email=mine.email, password=mine.password)
    other = await authentication.sign_in(email=theirs.email, password=theirs.password)

    assert (
        await browser_sessions.verify_session(browser.session_token, user_id=other.viewer.user_id)
        is None
    )
    assert await browser_sessions.verify_session(None) is None
    assert await browser_sessions.verify_session("made-up-" + uuid.uuid4().hex) is None
