"""What makes a password acceptable (NIST SP 800-63B style): long enough, not absurdly long,
not the user's own name or address, not one of the most common passwords. No composition
rules: they make passwords harder to remember, not harder to guess."""

from __future__ import annotations

from functools import lru_cache

from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    # zxcvbn's list: the 30,000 most frequent passwords from public breach corpora.
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, username: str = "", email: str = "") -> str | None:
    """Why this password is refused, or None if it is fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    lowered = password.lower()
    own = {value.lower() for value in (username, email, email.partition("@")[0]) if value}
    if lowered in own:
        return "Your password cannot be your username or e-mail address."
    if lowered in _common_passwords() or lowered.strip() in _common_passwords():
        return "This password is one of the most common ones; choose another."
    if len(set(password)) == 1:
        return "Use more than one repeated character."
    return None
