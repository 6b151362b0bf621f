"""Password hashing with argon2id (argon2-cffi's RFC 9106 low-memory profile).

Test runs may ask for the smallest argon2id cost instead (FAST_PASSWORD_HASHING_IN_TESTS,
honoured with ENVIRONMENT=test only): still argon2id, still salted and verified the same way.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from backend.settings import get_settings


@cache
def _hasher_for(*, fast: bool) -> PasswordHasher:
    if fast:
        # One pass over 1 MiB: about half a millisecond, against a tenth of a second.
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    return PasswordHasher()


@cache
def _dummy_hash_for(*, fast: bool) -> str:
    # Verifying against this keeps sign-in for an unknown e-mail as slow as for a known
    # one, so response times do not reveal which addresses have accounts.
    return _hasher_for(fast=fast).hash("this password is never anyone's")


def _fast() -> bool:
    return get_settings().fast_password_hashing


def hash_password(password: str) -> str:
    return _hasher_for(fast=_fast()).hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    fast = _fast()
    try:
        return (
            _hasher_for(fast=fast).verify(password_hash or _dummy_hash_for(fast=fast), password)
            and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters: rehash after a good sign-in."""
    return _hasher_for(fast=_fast()).check_needs_rehash(password_hash)
