"""API tokens, the address book and account administration."""

import uuid

import pytest
from sqlmodel import col, select

from backend.accounts import (
    addresses,
    authentication,
    browser_sessions,
    password_changes,
    staff,
    tokens,
)
from backend.accounts.errors import AccountSuspendedError, InvalidTokenError
from backend.accounts.models import User
from backend.accounts.permissions import DefaultGroup
from backend.accounts.schemas import Viewer
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from tests.fixtures.accounts import Credentials, MakeUser

ADDRESS = {
    "full_name": "Ann Lee",
    "line1": "1 Main St",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "us",
}


async def _viewer(credentials: Credentials) -> Viewer:
    return (
        await authentication.sign_in(email=credentials.email, password=credentials.password)
    ).viewer


# --- tokens --------------------------------------------------------------------------------


async def test_access_token_carries_the_user(staff_admin: Credentials) -> None:
    user_id = await authentication.authenticate_for_tokens(
        email=staff_admin.email, password=staff_admin.password
    )
    pair = await tokens.issue_tokens(user_id)
    claims = tokens.verify_access_token(pair.access_token)
    assert claims.user_id == user_id


@pytest.mark.parametrize("tamper", ["signature", "garbage", "empty"])
def test_a_forged_or_broken_access_token_is_refused(tamper: str) -> None:
    from joserfc import jwt
    from joserfc.jwk import OctKey

    forged = jwt.encode(
        {"alg": "HS256"},
        {"sub": str(uuid.uuid4()), "typ": "access", "exp": 9999999999},
        OctKey.import_key(b"not the shop's key, 32 bytes long!"),
    )
    token = {"signature": forged, "garbage": "a.b.c", "empty": ""}[tamper]
    with pytest.raises(InvalidTokenError):
        tokens.verify_access_token(token)


async def test_refresh_rotates_and_a_reused_token_revokes_the_family(shopper: Credentials) -> None:
    user_id = (await _viewer(shopper)).user_id
    first = await tokens.issue_tokens(user_id)
    second = await tokens.refresh_tokens(first.refresh_token)
    assert second.refresh_token != first.refresh_token

    with pytest.raises(InvalidTokenError):
        await tokens.refresh_tokens(first.refresh_token)  # stolen and replayed
    with pytest.raises(InvalidTokenError):
        await tokens.refresh_tokens(second.refresh_token)  # the whole family is revoked


async def test_password_change_and_sign_out_revoke_refresh_tokens(shopper: Credentials) -> None:
    user_id = (await _viewer(shopper)).user_id
    pair = await tokens.issue_tokens(user_id)
    await password_changes.change_password(
        user_id,
        current_password=shopper.password,
        new_password="new lantern heron",
        keep_session_token=None,
    )
    with pytest.raises(InvalidTokenError):
        await tokens.refresh_tokens(pair.refresh_token)

    another = await tokens.issue_tokens(user_id)
    await tokens.revoke_refresh_token(another.refresh_token)
    with pytest.raises(InvalidTokenError):
        await tokens.refresh_tokens(another.refresh_token)


# --- address book --------------------------------------------------------------------------


async def test_the_first_address_is_the_default_and_only_one_default_exists(
    shopper: Credentials,
) -> None:
    user_id = (await _viewer(shopper)).user_id
    home = await addresses.add_address(user_id, ADDRESS)
    work = await addresses.add_address(user_id, {**ADDRESS, "line1": "9 Work Rd"})
    assert home.is_default
    assert not work.is_default
    assert home.country == "US"

    await addresses.set_default_address(user_id, work.id)
    saved = await addresses.list_addresses(user_id)
    assert [(a.line1, a.is_default) for a in saved] == [("9 Work Rd", True), ("1 Main St", False)]

    await addresses.delete_address(user_id, work.id)
    assert [(a.line1, a.is_default) for a in await addresses.list_addresses(user_id)] == [
        ("1 Main St", True)
    ]


async def test_someone_elses_address_is_not_found(make_user: MakeUser) -> None:
    owner = (await _viewer(await make_user())).user_id
    intruder = (await _viewer(await make_user())).user_id
    address = await addresses.add_address(owner, ADDRESS)
    for attempt in (
        addresses.delete_address(intruder, address.id),
        addresses.set_default_address(intruder, address.id),
        addresses.update_address(intruder, address.id, ADDRESS),
    ):
        with pytest.raises(NotFoundError):
            await attempt
    assert [a.id for a in await addresses.list_addresses(owner)] == [address.id]


@pytest.mark.parametrize(
    ("field", "value"),
    [("country", "USA"), ("postal_code", "!"), ("phone", "call me"), ("line1", "")],
)
async def test_addresses_are_validated(shopper: Credentials, field: str, value: str) -> None:
    user_id = (await _viewer(shopper)).user_id
    with pytest.raises(InvalidInputError) as refused:
        await addresses.add_address(user_id, {**ADDRESS, field: value})
    assert field in refused.value.field_errors


# --- administration ------------------------------------------------------------------------


async def test_only_staff_who_may_manage_customers_see_or_lock_accounts(
    make_user: MakeUser, shopper: Credentials
) -> None:
    moderator = await _viewer(await make_user(roles=frozenset({DefaultGroup.MODERATORS})))
    shopper_id = (await _viewer(shopper)).user_id
    with pytest.raises(PermissionDeniedError):
        await staff.set_locked(moderator, shopper_id, locked=True)
    with pytest.raises(PermissionDeniedError):
        await staff.list_accounts(moderator)
    async with session_scope() as session:
        assert (await session.get(User, shopper_id)).status == "active"  # type: ignore[union-attr]


async def test_locking_ends_sessions_and_unlocking_restores_sign_in(
    staff_admin: Credentials, shopper: Credentials
) -> None:
    admin = await _viewer(staff_admin)
    browser = await authentication.sign_in(email=shopper.email, password=shopper.password)
    await staff.set_locked(admin, browser.viewer.user_id, locked=True)
    assert await browser_sessions.resolve_session(browser.session_token) is None
    with pytest.raises(AccountSuspendedError):
        await authentication.sign_in(email=shopper.email, password=shopper.password)

    await staff.set_locked(admin, browser.viewer.user_id, locked=False)
    await authentication.sign_in(email=shopper.email, password=shopper.password)


async def test_account_search_finds_by_email_and_shows_roles_and_groups(
    staff_admin: Credentials, shopper: Credentials
) -> None:
    admin = await _viewer(staff_admin)
    found = await staff.list_accounts(admin, search=shopper.email.upper())
    assert [(a.email, a.roles, a.staff_groups) for a in found.items] == [
        (shopper.email, ("user",), ())
    ]
    [me] = (await staff.list_accounts(admin, search=staff_admin.email)).items
    assert me.staff_groups == ("Administrators",)
    async with session_scope() as session:
        total = len(list(await session.exec(select(User.id).where(col(User.id).is_not(None)))))
    assert (await staff.list_accounts(admin, limit=1)).total == total
