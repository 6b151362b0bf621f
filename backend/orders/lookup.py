"""Finding an order by its number and the e-mail address it was placed with: the shop's
"Find your order" page and the REST API's `POST /orders/lookup`, for guests.

The pair is the only credential, so guessing it is what this stops
(`backend.accounts.guessing_limits`): every lookup that finds nothing counts against the
asker (their network address), and after too many in the window every lookup is refused
for a while, found or not. Someone with their order e-mail at hand types the pair once
or twice.
"""

from __future__ import annotations

import uuid

from backend.accounts.guessing_limits import GuessingLimit
from backend.core.errors import NotFoundError
from backend.core.rate_limits import RateLimit
from backend.orders import queries

FAILED_LOOKUPS = RateLimit("order-failed-lookups", "10/15 minutes")
_GUESSES = GuessingLimit(
    FAILED_LOOKUPS,
    "Too many order numbers and e-mail addresses that match no order were tried.",
)
NOT_FOUND = "We found no order with that number and e-mail address."


async def look_up_order(email: str, number: str, *, asker: str) -> uuid.UUID:
    """The order with this number and e-mail address (any case, spaces around ignored).
    Raises NotFoundError (the same whichever of the two is wrong) and
    TooManyAttemptsError once `asker` has had too many lookups find nothing."""
    await _GUESSES.refuse_if_guessing(asker)
    email, number = email.strip(), number.strip()
    found = await queries.find_guest_order(email, number) if email and number else None
    if found is None:
        await _GUESSES.count_miss(asker)
        raise NotFoundError(NOT_FOUND)
    return found
