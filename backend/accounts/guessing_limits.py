"""Guessing a secret that stands alone (a gift card code, an order's number with its
e-mail address) is rate-limited by its misses: every lookup that finds nothing counts
against the asker (their network address), and once too many fall in the window every
lookup is refused for a while, found or not. Someone holding the real thing types it
once or twice."""

from __future__ import annotations

from dataclasses import dataclass

from backend.accounts.errors import TooManyAttemptsError
from backend.core import rate_limits
from backend.core.rate_limits import RateLimit


@dataclass(frozen=True)
class GuessingLimit:
    misses: RateLimit
    refusal: str  # what was tried too often, a sentence; the wait is added to it

    async def refuse_if_guessing(self, asker: str) -> None:
        """Raises TooManyAttemptsError once `asker` has had too many misses."""
        if not await rate_limits.allows(self.misses, asker):
            retry_after = await rate_limits.seconds_until_allowed(self.misses, asker)
            raise TooManyAttemptsError(
                f"{self.refusal} Try again in {max(1, retry_after // 60)} minutes.",
                retry_after=retry_after,
            )

    async def count_miss(self, asker: str) -> None:
        await rate_limits.hit(self.misses, asker)
