"""Guessing codes is rate-limited (`backend.accounts.guessing_limits`): every lookup of a
code that matches no card counts against the asker (their network address), and after
too many in the window every lookup is refused for a while, found or not. Real holders
type a code once or twice."""

from __future__ import annotations

from backend.accounts.guessing_limits import GuessingLimit
from backend.core.rate_limits import RateLimit

FAILED_LOOKUPS = RateLimit("gift-card-failed-lookups", "10/15 minutes")
_GUESSES = GuessingLimit(FAILED_LOOKUPS, "Too many gift card codes that do not exist were tried.")


async def refuse_if_guessing(asker: str) -> None:
    """Raises TooManyAttemptsError once `asker` has typed too many unknown codes."""
    await _GUESSES.refuse_if_guessing(asker)


async def count_unknown_code(asker: str) -> None:
    await _GUESSES.count_miss(asker)
