"""Guessing codes is rate-limited: every lookup of a code that matches no card counts
against the asker (their network address), and after too many in the window every
lookup is refused for a while, found or not. Real holders type a code once or twice."""

from __future__ import annotations

from backend.accounts.errors import TooManyAttemptsError
from backend.core import rate_limits
from backend.core.rate_limits import RateLimit

FAILED_LOOKUPS = RateLimit("gift-card-failed-lookups", "10/15 minutes")


async def refuse_if_guessing(asker: str) -> None:
    """Raises TooManyAttemptsError once `asker` has typed too many unknown codes."""
    if not await rate_limits.allows(FAILED_LOOKUPS, asker):
        retry_after = await rate_limits.seconds_until_allowed(FAILED_LOOKUPS, asker)
        raise TooManyAttemptsError(
            "Too many gift card codes that do not exist were tried. "
            f"Try again in {max(1, retry_after // 60)} minutes.",
            retry_after=retry_after,
        )


async def count_unknown_code(asker: str) -> None:
    await rate_limits.hit(FAILED_LOOKUPS, asker)
