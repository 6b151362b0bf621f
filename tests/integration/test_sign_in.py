"""Sign-in, sessions and sign-out against the real database."""

import pytest

from backend.accounts import authentication, browser_sessions
from backend.accounts.errors import (
    AccountNotActiveError,
    AccountSuspendedError,
    InvalidCredentialsError,
)
from backend.accounts.permissions import DEFAULT_GROUPS, DefaultGroup
from tests.fixtures.accounts import Credentials, MakeUser


async def test_a_session_resolves_to_its_viewer_until_signed_out(shopper: Credentials) -> None:
    signed_in = await authentication.sign_in(email=shopper.email.upper(), password=shopper.password)
    viewer = await browser_sessions.resolve_session(signed_in.session_token)
    assert viewer is not None
    assert viewer.email == shopper.email
    assert viewer.permissions == frozenset()
    assert not viewer.is_staff

    await browser_sessions.sign_out(signed_in.session_token)
    assert await browser_sessions.resolve_session(signed_in.session_token) is None


async def test_staff_permissions_come_from_their_groups_in_the_database(
    staff_admin: Credentials,
) -> None:
    signed_in = await authentication.sign_in(email=staff_admin.email, password=staff_admin.password)
    assert signed_in.viewer.is_staff
    assert signed_in.viewer.permissions == DEFAULT_GROUPS[DefaultGroup.ADMINISTRATORS].permissions


async def test_wrong_password_and_unknown_email_get_the_same_answer(shopper: Credentials) -> None:
    with pytest.raises(InvalidCredentialsError) as wrong_password:
        await authentication.sign_in(email=shopper.email, password="not the password")
    with pytest.raises(InvalidCredentialsError) as unknown_email:
        await authentication.sign_in(email="nobody-" + shopper.email, password="not the password")
    assert wrong_password.value.message == unknown_email.value.message


async def test_a_closed_or_unconfirmed_account_cannot_sign_in(make_user: MakeUser) -> None:
    for status in ("inactive", "pending"):
        account = await make_user(status=status)
        with pytest.raises(AccountNotActiveError):
            await authentication.sign_in(email=account.email, password=account.password)


async def test_an_account_locked_by_staff_cannot_sign_in(make_user: MakeUser) -> None:
    locked = await make_user(status="locked")
    with pytest.raises(AccountSuspendedError):
        await authentication.sign_in(email=locked.email, password=locked.password)


@pytest.mark.parametrize("token", [None, "", "made-up-token"])
async def test_unknown_session_tokens_resolve_to_nobody(token: str | None) -> None:
    assert await browser_sessions.resolve_session(token) is None
