"""Account rules against the real database and Redis: registration, locking, recovery,
passwords, profiles and sessions."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from backend.accounts import (
    authentication,
    browser_sessions,
    email_links,
    password_changes,
    profiles,
    registration,
)
from backend.accounts.errors import (
    AccountBackedOffError,
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


def sign_up_form(unique: str, **overrides: str) -> dict[str, str]:
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


async def _event_types(user_id: object) -> list[str]:
    async with session_scope() as session:
        return sorted(
            await session.exec(
                select(OutboxEvent.event_type).where(OutboxEvent.aggregate_id == str(user_id))
            )
        )


async def test_registration_creates_a_pending_account_and_asks_for_verification(
    unique: str,
) -> None:
    email = await registration.register(sign_up_form(unique))
    assert email == f"Reg-{unique}@example.com"
    user = await _user(f"reg-{unique}@example.com")
    assert (user.status, user.email_verified) == ("pending", False)
    assert user.password_hash.startswith("$argon2id$")
    assert await _event_types(user.id) == ["EmailVerificationRequested", "UserRegistered"]


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
        await registration.register(sign_up_form(unique, **{field: value}))
    assert message in refused.value.field_errors[field]


async def test_a_password_may_not_be_the_username_or_email(unique: str) -> None:
    data = sign_up_form(unique, username=f"longusername{unique}")
    with pytest.raises(InvalidInputError) as refused:
        await registration.register({**data, "password": data["username"]})
    assert "username or e-mail" in refused.value.field_errors["password"]


async def test_a_long_passphrase_of_64_characters_is_accepted(unique: str) -> None:
    await registration.register(
        sign_up_form(unique, password="correct horse " * 4 + "battery staple x" * 1)
    )


async def test_a_taken_email_creates_nothing_and_tells_its_owner_instead(unique: str) -> None:
    await registration.register(sign_up_form(unique))
    owner = await _user(f"reg-{unique}@example.com")

    # The same mailbox in other letters: the same answer as a new address, no new account.
    again = sign_up_form(unique, username=f"other_{unique}", email=f"REG-{unique}@example.COM")
    assert await registration.register(again) == f"REG-{unique}@example.com"
    async with session_scope() as session:
        others = (await session.exec(select(User).where(User.username == f"other_{unique}"))).all()
    assert others == []
    assert await _event_types(owner.id) == [
        "EmailVerificationRequested",
        "SignUpWithExistingEmailAttempted",
        "UserRegistered",
    ]

    # However often someone tries, the owner gets at most three sign-up e-mails a day.
    for n in range(5):
        await registration.register(sign_up_form(unique, username=f"more_{n}_{unique}"))
    notices = [t for t in await _event_types(owner.id) if t == "SignUpWithExistingEmailAttempted"]
    assert len(notices) == 2  # + the confirmation e-mail = 3


async def test_a_taken_username_is_refused_like_a_bad_field(unique: str) -> None:
    await registration.register(sign_up_form(unique))
    with pytest.raises(InvalidInputError) as taken:
        await registration.register(sign_up_form(unique, email=f"other-{unique}@example.com"))
    assert "taken" in taken.value.field_errors["username"]


async def test_seeds_and_tests_still_get_a_clear_duplicate_error(unique: str) -> None:
    await registration.create_user(
        username=f"seed_{unique}", email=f"seed-{unique}@example.com", password=GOOD_PASSWORD
    )
    with pytest.raises(DuplicateAccountError) as duplicate:
        await registration.create_user(
            username=f"seed2_{unique}", email=f"SEED-{unique}@example.com", password=GOOD_PASSWORD
        )
    assert duplicate.value.data["field"] == "email"


async def test_one_visitor_may_sign_up_only_so_often(unique: str) -> None:
    ip = f"192.0.2.{int(unique[:2], 16) % 250 + 1}"
    limit = registration.SIGN_UPS_PER_IP.item.amount
    for n in range(limit):
        await registration.register(
            sign_up_form(unique, username=f"u{n}_{unique}", email=f"u{n}-{unique}@example.com"),
            ip=ip,
        )
    with pytest.raises(TooManyAttemptsError):
        await registration.register(
            sign_up_form(unique, username=f"last_{unique}", email=f"last-{unique}@example.com"),
            ip=ip,
        )


@pytest.fixture
def quick_lock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SIGN_IN_MAX_FAILURES", "3")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("SIGN_IN_MAX_FAILURES")
    get_settings.cache_clear()


HOME = "198.51.100.20"
ELSEWHERE = "203.0.113.40"


async def test_repeated_failures_lock_the_account_for_that_network_even_for_the_right_password(
    shopper: Credentials, quick_lock: None
) -> None:
    attacker = "192.0.2.10"
    for _ in range(2):
        with pytest.raises(InvalidCredentialsError):
            await authentication.sign_in(email=shopper.email, password="wrong", ip=attacker)
    with pytest.raises(AccountLockedError):
        await authentication.sign_in(email=shopper.email, password="wrong", ip=attacker)
    # The whole /24 is locked for this e-mail, the right password too...
    with pytest.raises(AccountLockedError):
        await authentication.sign_in(
            email=shopper.email, password=shopper.password, ip="192.0.2.99"
        )
    # ...but not another network, and the account itself is not locked.
    await authentication.sign_in(email=shopper.email, password=shopper.password, ip=ELSEWHERE)
    assert (await _user(shopper.email)).status == "active"


async def test_an_ipv6_network_is_its_slash_64(shopper: Credentials, quick_lock: None) -> None:
    for host in ("1", "2", "3"):
        address = f"2001:db8:7:7::{host}"
        with pytest.raises((InvalidCredentialsError, AccountLockedError)):
            await authentication.sign_in(email=shopper.email, password="wrong", ip=address)
    with pytest.raises(AccountLockedError):
        await authentication.sign_in(
            email=shopper.email, password=shopper.password, ip="2001:db8:7:7:ffff::1"
        )
    await authentication.sign_in(
        email=shopper.email, password=shopper.password, ip="2001:db8:7:8::1"
    )


async def test_an_unknown_email_locks_the_same_way(quick_lock: None, unique: str) -> None:
    ghost = f"ghost-{unique}@example.com"
    for _ in range(2):
        with pytest.raises(InvalidCredentialsError):
            await authentication.sign_in(email=ghost, password="wrong")
    with pytest.raises(AccountLockedError):
        await authentication.sign_in(email=ghost, password="wrong")


async def test_failures_from_many_networks_back_off_new_networks_but_not_known_ones(
    shopper: Credentials, monkeypatch: pytest.MonkeyPatch, unique: str
) -> None:
    monkeypatch.setenv("SIGN_IN_ACCOUNT_FAILURE_LIMIT", "4/hour")
    get_settings.cache_clear()
    try:
        await authentication.sign_in(email=shopper.email, password=shopper.password, ip=HOME)
        for network in ("10.1.1.1", "10.2.2.2"):
            for _ in range(2):
                with pytest.raises((InvalidCredentialsError, AccountBackedOffError)):
                    await authentication.sign_in(email=shopper.email, password="wrong", ip=network)
        with pytest.raises(AccountBackedOffError) as backed_off:
            await authentication.sign_in(
                email=shopper.email, password=shopper.password, ip=ELSEWHERE
            )
        assert "60 minutes" in backed_off.value.message
        # The same answer for an e-mail without an account, counted the same way.
        ghost = f"ghost-{unique}@example.com"
        for network in ("10.3.3.3", "10.4.4.4"):
            for _ in range(2):
                with pytest.raises((InvalidCredentialsError, AccountBackedOffError)):
                    await authentication.sign_in(email=ghost, password="wrong", ip=network)
        with pytest.raises(AccountBackedOffError) as ghost_answer:
            await authentication.sign_in(email=ghost, password="wrong", ip=ELSEWHERE)
        assert ghost_answer.value.message == backed_off.value.message
        # The owner's own network still works.
        await authentication.sign_in(email=shopper.email, password=shopper.password, ip=HOME)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


async def test_an_account_lock_written_by_earlier_versions_runs_out(shopper: Credentials) -> None:
    async with session_scope() as session:
        await session.exec(
            update(User)
            .where(col(User.email) == shopper.email)
            .values(status="locked", locked_until=utcnow() + timedelta(minutes=5))
        )
    with pytest.raises(AccountLockedError):
        await authentication.sign_in(email=shopper.email, password=shopper.password)
    async with session_scope() as session:
        await session.exec(
            update(User)
            .where(col(User.email) == shopper.email)
            .values(locked_until=utcnow() - timedelta(seconds=1))
        )
    signed_in = await authentication.sign_in(email=shopper.email, password=shopper.password)
    assert signed_in.viewer.email == shopper.email
    assert (await _user(shopper.email)).status == "active"


async def test_forgetting_the_failures_lifts_every_lock_of_the_email(
    shopper: Credentials, quick_lock: None
) -> None:
    for _ in range(3):
        with pytest.raises((InvalidCredentialsError, AccountLockedError)):
            await authentication.sign_in(email=shopper.email, password="wrong", ip=HOME)
    with pytest.raises(AccountLockedError):
        await authentication.sign_in(email=shopper.email, password=shopper.password, ip=HOME)
    await authentication.clear_sign_in_failures(shopper.email.upper())  # an admin's unlock
    await authentication.sign_in(email=shopper.email, password=shopper.password, ip=HOME)


async def test_one_network_is_rate_limited(
    shopper: Credentials, monkeypatch: pytest.MonkeyPatch, unique: str
) -> None:
    monkeypatch.setenv("SIGN_IN_IP_LIMIT", "3/minute")
    get_settings.cache_clear()
    ip = f"198.51.100.{int(unique[:2], 16) % 250}"
    try:
        for _ in range(3):
            await authentication.sign_in(email=shopper.email, password=shopper.password, ip=ip)
        with pytest.raises(TooManyAttemptsError) as limited:
            await authentication.sign_in(email=shopper.email, password=shopper.password, ip=ip)
        assert limited.value.data["retry_after"] > 0
        # Another network is unaffected.
        await authentication.sign_in(
            email=shopper.email, password=shopper.password, ip="203.0.113.9"
        )
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
    await authentication.sign_in(email=shopper.email, password=shopper.password)
    after = await _user(shopper.email)
    assert after.last_login_at is not None
    assert after.password_hash != old_hash
    assert not after.password_hash.startswith(weak)


async def _reset_token(user: User) -> str:
    return await email_links.issue_account_token(
        user.id, purpose="reset_password", ttl=email_links.PASSWORD_RESET_TTL
    )


async def test_password_reset_is_single_use_and_ends_every_sign_in(shopper: Credentials) -> None:
    browser = await authentication.sign_in(email=shopper.email, password=shopper.password)
    token = await _reset_token(await _user(shopper.email))

    await email_links.reset_password(token, GOOD_PASSWORD)

    assert await browser_sessions.resolve_session(browser.session_token) is None
    await authentication.sign_in(email=shopper.email, password=GOOD_PASSWORD)
    with pytest.raises(InvalidTokenError):
        await email_links.reset_password(token, GOOD_PASSWORD + " again")


async def test_password_reset_checks_the_policy_and_keeps_the_link_usable(
    shopper: Credentials,
) -> None:
    token = await _reset_token(await _user(shopper.email))
    with pytest.raises(InvalidInputError) as refused:
        await email_links.reset_password(token, "short")
    assert "at least 10" in refused.value.field_errors["password"]
    await email_links.reset_password(token, GOOD_PASSWORD)


async def test_an_expired_reset_link_does_not_work(shopper: Credentials) -> None:
    user = await _user(shopper.email)
    token = await email_links.issue_account_token(
        user.id, purpose="reset_password", ttl=timedelta(seconds=-1)
    )
    with pytest.raises(InvalidTokenError):
        await email_links.reset_password(token, GOOD_PASSWORD)


async def test_reset_unlocks_a_failure_locked_account(
    shopper: Credentials, quick_lock: None
) -> None:
    for _ in range(3):
        with pytest.raises((InvalidCredentialsError, AccountLockedError)):
            await authentication.sign_in(email=shopper.email, password="wrong", ip=HOME)
    await email_links.reset_password(await _reset_token(await _user(shopper.email)), GOOD_PASSWORD)
    await authentication.sign_in(email=shopper.email, password=GOOD_PASSWORD, ip=HOME)


async def test_reset_requests_are_recorded_only_for_real_accounts(
    shopper: Credentials, unique: str
) -> None:
    await email_links.request_password_reset(shopper.email)
    await email_links.request_password_reset(f"nobody-{unique}@example.com")
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
    this_browser = await authentication.sign_in(email=shopper.email, password=shopper.password)
    other_browser = await authentication.sign_in(email=shopper.email, password=shopper.password)
    user_id = this_browser.viewer.user_id

    with pytest.raises(WrongPasswordError):
        await password_changes.change_password(
            user_id,
            current_password="wrong",
            new_password=GOOD_PASSWORD,
            keep_session_token=this_browser.session_token,
        )
    await password_changes.change_password(
        user_id,
        current_password=shopper.password,
        new_password=GOOD_PASSWORD,
        keep_session_token=this_browser.session_token,
    )
    assert await browser_sessions.resolve_session(this_browser.session_token) is not None
    assert await browser_sessions.resolve_session(other_browser.session_token) is None


async def test_profile_edit_is_validated(shopper: Credentials) -> None:
    user = await _user(shopper.email)
    profile = await profiles.update_profile(user.id, {"first_name": " Ada ", "last_name": ""})
    assert (profile.first_name, profile.last_name) == ("Ada", "")
    with pytest.raises(InvalidInputError):
        await profiles.update_profile(user.id, {"first_name": "x" * 101})


async def test_verification_makes_a_pending_account_active(make_user: MakeUser) -> None:
    pending = await make_user(status="pending")
    user = await _user(pending.email)
    token = await email_links.issue_account_token(
        user.id, purpose="verify_email", ttl=email_links.EMAIL_VERIFICATION_TTL
    )
    assert await email_links.verify_email(token) is True
    verified = await _user(pending.email)
    assert (verified.status, verified.email_verified) == ("active", True)
    assert await email_links.verify_email(token) is False
