"""How failed sign-ins are limited without letting a stranger lock the owner out.

Counters in Redis (moving windows, `backend.core.rate_limits`), keyed by the visitor's
address as `backend.core.client_address` finds it (behind a trusted proxy, the visitor's,
not the proxy's):

- **Per address**: `SIGN_IN_IP_LIMIT` attempts, right or wrong, from one address (one
  visitor trying many accounts).
- **Per e-mail and network**: `SIGN_IN_MAX_FAILURES` failures within
  `ACCOUNT_LOCK_MINUTES` lock the e-mail for the network they came from (the /24 of an
  IPv4 address, the /64 of an IPv6 one), even for the right password: a lock that a right
  guess lifted would confirm the guess. Other networks are not affected, so five wrong
  passwords typed for admin@example.com somewhere no longer keep its owner out everywhere.
- **Per e-mail, all networks together** (the slower, account-wide back-off): more than
  `SIGN_IN_ACCOUNT_FAILURE_LIMIT` failures lock the e-mail for every network it has not
  signed in from within `KNOWN_NETWORK_DAYS` (guessing spread over many networks); the
  owner at home or at work still gets in, and anyone can reset the password.

Everything is counted per e-mail whether or not it has an account, so the answers say
nothing about which accounts exist. A password reset or an admin's unlock forgets every
counter of the e-mail at once: the keys carry a generation number, which they bump.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from backend.accounts.errors import AccountBackedOffError, AccountLockedError, TooManyAttemptsError
from backend.core import rate_limits
from backend.core.client_address import UNKNOWN, network_of
from backend.core.rate_limits import RateLimit
from backend.core.redis import get_redis
from backend.settings import get_settings

KNOWN_NETWORK_DAYS = 90

LOCKED_MESSAGE = (
    "Too many failed sign-ins: this account is locked for {minutes} minutes on your "
    "network. Reset your password to unlock it now."
)
BACKED_OFF_MESSAGE = (
    "Too many failed sign-ins for this account from many networks: for up to {minutes} "
    "minutes it can only be signed in to from a network it was used on before. Reset "
    "your password to unlock it now."
)


def _address_limit() -> RateLimit:
    return RateLimit("sign-in-ip", get_settings().sign_in_ip_limit)


def _network_limit() -> RateLimit:
    settings = get_settings()
    return RateLimit(
        "sign-in-network-failures",
        f"{settings.sign_in_max_failures}/{settings.account_lock_minutes} minutes",
    )


def _account_limit() -> RateLimit:
    return RateLimit("sign-in-account-failures", get_settings().sign_in_account_failure_limit)


def locked_message() -> str:
    return LOCKED_MESSAGE.format(minutes=get_settings().account_lock_minutes)


def backed_off_message() -> str:
    minutes = math.ceil(_account_limit().item.get_expiry() / 60)
    return BACKED_OFF_MESSAGE.format(minutes=minutes)


def _generation_key(email_key: str) -> str:
    return f"sign-in-generation:{email_key}"


def _known_network_key(email_key: str, network: str) -> str:
    return f"sign-in-known:{email_key}:{network}"


@dataclass(frozen=True)
class SignInAttempt:
    """One sign-in attempt's counters: the e-mail, and the network it came from."""

    email_key: str
    network: str
    generation: str

    @property
    def network_key(self) -> str:
        # The network comes last and has no "|", so no e-mail can make another's key.
        return f"{self.email_key}|{self.generation}|{self.network}"

    @property
    def account_key(self) -> str:
        return f"{self.email_key}|{self.generation}"


async def _refuse_if_locked(attempt: SignInAttempt) -> None:
    if not await rate_limits.allows(_network_limit(), attempt.network_key):
        raise AccountLockedError(locked_message())
    if not await rate_limits.allows(_account_limit(), attempt.account_key):
        known = await get_redis().exists(_known_network_key(attempt.email_key, attempt.network))
        if not known:
            raise AccountBackedOffError(backed_off_message())


async def begin_attempt(email_key: str, address: str | None) -> SignInAttempt:
    """Count an attempt from `address` (None: a call from inside the shop, not a
    visitor) and refuse it before any password is checked if a limit is reached."""
    if address:
        limit = _address_limit()
        if not await rate_limits.hit(limit, address):
            retry_after = await rate_limits.seconds_until_allowed(limit, address)
            raise TooManyAttemptsError(
                "Too many sign-in attempts from your network. "
                f"Try again in {retry_after // 60 + 1} minutes.",
                retry_after=retry_after,
            )
    generation = await get_redis().get(_generation_key(email_key))
    attempt = SignInAttempt(
        email_key=email_key,
        network=network_of(address) if address else UNKNOWN,
        generation=str(generation or 0),
    )
    await _refuse_if_locked(attempt)
    return attempt


async def record_failure(attempt: SignInAttempt) -> None:
    """A wrong password (or an unknown e-mail). Raises the lock this failure completed."""
    await rate_limits.hit(_network_limit(), attempt.network_key)
    await rate_limits.hit(_account_limit(), attempt.account_key)
    await _refuse_if_locked(attempt)


async def record_success(attempt: SignInAttempt) -> None:
    """The owner signed in: their network's failures are forgotten and the network is
    one the account is used on. (The account-wide count stays: it measures guessing,
    which a success does not undo.)"""
    await rate_limits.reset(_network_limit(), attempt.network_key)
    await get_redis().set(
        _known_network_key(attempt.email_key, attempt.network),
        "1",
        ex=timedelta(days=KNOWN_NETWORK_DAYS),
    )


async def forget_failures(email_key: str) -> None:
    """Lift every lock of this e-mail (a password reset proved the owner, or an admin
    unlocked it): a new generation starts every counter afresh."""
    await get_redis().incr(_generation_key(email_key))
