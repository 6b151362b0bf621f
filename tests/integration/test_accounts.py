"""Account rules against the real database and Redis: registration, locking, recovery,
passwords, profiles and sessions."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from backend.accounts import services as accounts
from backend.accounts.errors import (
    AccountLockedError,
    DuplicateAccountError,
    InvalidCredentialsError,
    InvalidTokenError,
    TooManyAttemptsError,
    WrongPasswordError,
)
from backend.accounts.models import User
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.events.models import OutboxEvent
from backend.settings import get_settings
from tests.fixtures.accounts import Credentials, MakeUser

GOOD_PASSWORD = "heron lantern cobalt"


def registration(unique: str, **overrides: str) -> dict[str, str]:
    return {
        "username": f"reg_{unique}",
        "email": f"Reg-{unique}@Example.com",
        "password": GOOD_PASSWORD,
        "first_name": "Rhea",
        "last_name": "Gister",
        **overrides,
    }


async def _user(email: str) -> User:
    async with session_scope() as session:
        return (await session.exec(select(User).where(col(User.email).ilike(email)))).one()


async def test_registration_creates_a_pending_account_and_asks_for_verification(
    unique: str,
) -> None:
    user_id = await accounts.register(registration(unique))
    user = await _user(f"reg-{unique}@example.com")
    assert (user.id, user.status, user.email_verified) == (user_id, "pending", False)
    assert user.password_hash.startswith("$argon2id$")
    async with session_scope() as session:
        types = set(
            await session.exec(
                select(OutboxEvent.event_type).where(OutboxEvent.aggregate_id == str(user_id))
            )
        )
    assert types == {"UserRegistered", "EmailVerificationRequested"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-address", "valid e-mail"),
        ("username", "ab", "3 to 50"),
        ("username", "bad name!", "letters, digits"),
        ("password", "short", "at least 10"),
        ("password", "x" * 129, "at most 128"),
        ("password", "password123", "most common"),
        ("password", "1qaz2wsx3edc", "most common"),
    ],
)
async def test_registration_refuses_bad_input_field_by_field(
    unique: str, field: str, value: str, message: str
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await accounts.register(registration(unique, **{field: value}))
    assert message in refused.value.field_errors[field]


async def test_a_password_may_not_be_the_username_or_email(unique: str) -> None:
    data = registration(unique, username=f"longusername{unique}")
    with pytest.raises(InvalidInputError) as refused:
        await accounts.register({**data, "password": data["username"]})
    assert "username or e-mail" in refused.value.field_errors["password"]


async def test_a_long_passphrase_of_64_characters_is_accepted(unique: str) -> None:
    await accounts.register(
        registration(unique, password="correct horse " * 4 + "battery staple x" * 1)
    )


async def test_email_is_unique_regardless_of_case(unique: str) -> None:
    await accounts.register(registration(unique))
    with pytest.raises(DuplicateAccountError) as duplicate:
        await accounts.register(
            registration(unique, username=f"other_{unique}", email=f"REG-{unique}@example.COM")
        )
    assert duplicate.value.data["field"] == "email"


@pytest.fixture
def quick_lock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SIGN_IN_MAX_FAILURES", "3")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("SIGN_IN_MAX_FAILURES")
    get_settings.cache_clear()


async def test_repeated_failures_lock_the_account_even_for_the_right_password(
    shopper: Credentials, quick_lock: None
) -> None:
    for _ in range(2):
        with pytest.raises(InvalidCredentialsError):
            await accounts.sign_in(email=shopper.email, password="wrong")
    with pytest.raises(AccountLockedError):
        await accounts.sign_in(email=shopper.email, password="wrong")
    assert (await _user(shopper.email)).status == "locked"
    with pytest.raises(AccountLockedError):
        await accounts.sign_in(email=shopper.email, password=shopper.password)


async def test_an_unknown_email_locks_the_same_way(quick_lock: None, unique: str) -> None:
    ghost = f"ghost-{unique}@example.com"
    for _ in range(2):
        with pytest.raises(InvalidCredentialsError):
            await accounts.sign_in(email=ghost, password="wrong")
    with pytest.raises(AccountLockedError):
        await accounts.sign_in(email=ghost, password="wrong")


async def test_the_lock_expires_after_its_period(shopper: Credentials, quick_lock: None) -> None:
    for _ in range(2):
        with pytest.raises(InvalidCredentialsError):
            await accounts.sign_in(email=shopper.email, password="wrong")
    with pytest.raises(AccountLockedError):
        await accounts.sign_in(email=shopper.email, password="wrong")
    # The period passes: the database lock runs out and Redis forgets the failures.
    async with session_scope() as session:
        await session.exec(
            update(User)
            .where(col(User.email) == shopper.email)
            .values(locked_until=utcnow() - timedelta(seconds=1))
        )
    await accounts.clear_sign_in_failures(shopper.email)
    signed_in = await accounts.sign_in(email=shopper.email, password=shopper.password)
    assert signed_in.viewer.email == shopper.email
    assert (await _user(shopper.email)).status == "active"


async def test_one_network_is_rate_limited(
    shopper: Credentials, monkeypatch: pytest.MonkeyPatch, unique: str
) -> None:
    monkeypatch.setenv("SIGN_IN_IP_LIMIT", "3/minute")
    get_settings.cache_clear()
    ip = f"198.51.100.{int(unique[:2], 16) % 250}"
    try:
        for _ in range(3):
            await accounts.sign_in(email=shopper.email, password=shopper.password, ip=ip)
        with pytest.raises(TooManyAttemptsError) as limited:
            await accounts.sign_in(email=shopper.email, password=shopper.password, ip=ip)
        assert limited.value.data["retry_after"] > 0
        # Another network is unaffected.
        await accounts.sign_in(email=shopper.email, password=shopper.password, ip="203.0.113.9")
    finally:
        get_settings.cache_clear()


async def test_sign_in_records_the_time_and_rehashes_old_hashes(shopper: Credentials) -> None:
    weak = "$argon2id$v=19$m=8,t=1,p=1$"
    before = await _user(shopper.email)
    assert before.last_login_at is None
    from argon2 import PasswordHasher

    old_hash = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(shopper.password)
    assert old_hash.startswith(weak)
    async with session_scope() as session:
        await session.exec(
            update(User).where(col(User.email) == shopper.email).values(password_hash=old_hash)
        )
    await accounts.sign_in(email=shopper.email, password=shopper.password)
    after = await _user(shopper.email)
    assert after.last_login_at is not None
    assert after.password_hash != old_hash
    assert not after.password_hash.startswith(weak)


async def _reset_token(user: User) -> str:
    return await accounts.issue_account_token(
        user.id, purpose="reset_password", ttl=accounts.PASSWORD_RESET_TTL
    )


async def test_password_reset_is_single_use_and_ends_every_sign_in(shopper: Credentials) -> None:
    browser = await accounts.sign_in(email=shopper.email, password=shopper.password)
    token = await _reset_token(await _user(shopper.email))

    await accounts.reset_password(token, GOOD_PASSWORD)

    assert await accounts.resolve_session(browser.session_token) is None
    await accounts.sign_in(email=shopper.email, password=GOOD_PASSWORD)
    with pytest.raises(InvalidTokenError):
        await accounts.reset_password(token, GOOD_PASSWORD + " again")


async def test_password_reset_checks_the_policy_and_keeps_the_link_usable(
    shopper: Credentials,
) -> None:
    token = await _reset_token(await _user(shopper.email))
    with pytest.raises(InvalidInputError) as refused:
        await accounts.reset_password(token, "short")
    assert "at least 10" in refused.value.field_errors["password"]
    await accounts.reset_password(token, GOOD_PASSWORD)


async def test_an_expired_reset_link_does_not_work(shopper: Credentials) -> None:
    user = await _user(shopper.email)
    token = await accounts.issue_account_token(
        user.id, purpose="reset_password", ttl=timedelta(seconds=-1)
    )
    with pytest.raises(InvalidTokenError):
        await accounts.reset_password(token, GOOD_PASSWORD)


async def test_reset_unlocks_a_failure_locked_account(
    shopper: Credentials, quick_lock: None
) -> None:
    for _ in range(3):
        with pytest.raises((InvalidCredentialsError, AccountLockedError)):
            await accounts.sign_in(email=shopper.email, password="wrong")
    await accounts.reset_password(await _reset_token(await _user(shopper.email)), GOOD_PASSWORD)
    await accounts.sign_in(email=shopper.email, password=GOOD_PASSWORD)


async def test_reset_requests_are_recorded_only_for_real_accounts(
    shopper: Credentials, unique: str
) -> None:
    await accounts.request_password_reset(shopper.email)
    await accounts.request_password_reset(f"nobody-{unique}@example.com")
    async with session_scope() as session:
        emails = list(
            await session.exec(
                select(OutboxEvent.payload["email"].astext).where(
                    OutboxEvent.event_type == "PasswordResetRequested"
                )
            )
        )
    assert shopper.email in emails
    assert f"nobody-{unique}@example.com" not in emails


async def test_change_password_needs_the_current_one_and_ends_other_sign_ins(
    shopper: Credentials,
) -> None:
    this_browser = await accounts.sign_in(email=shopper.email, password=shopper.password)
    other_browser = await accounts.sign_in(email=shopper.email, password=shopper.password)
    user_id = this_browser.viewer.user_id

    with pytest.raises(WrongPasswordError):
        await accounts.change_password(
            user_id,
            current_password="wrong",
            new_password=GOOD_PASSWORD,
            keep_session_token=this_browser.session_token,
        )
    await accounts.change_password(
        user_id,
        current_password=shopper.password,
        new_password=GOOD_PASSWORD,
        keep_session_token=this_browser.session_token,
    )
    assert await accounts.resolve_session(this_browser.session_token) is not None
    assert await accounts.resolve_session(other_browser.session_token) is None


async def test_profile_edit_is_validated(shopper: Credentials) -> None:
    user = await _user(shopper.email)
    profile = await accounts.update_profile(user.id, {"first_name": " Ada ", "last_name": ""})
    assert (profile.first_name, profile.last_name) == ("Ada", "")
    with pytest.raises(InvalidInputError):
        await accounts.update_profile(user.id, {"first_name": "x" * 101})


async def test_verification_makes_a_pending_account_active(make_user: MakeUser) -> None:
    pending = await make_user(status="pending")
    user = await _user(pending.email)
    token = await accounts.issue_account_token(
        user.id, purpose="verify_email", ttl=accounts.EMAIL_VERIFICATION_TTL
    )
    assert await accounts.verify_email(token) is True
    verified = await _user(pending.email)
    assert (verified.status, verified.email_verified) == ("active", True)
    assert await accounts.verify_email(token) is False
