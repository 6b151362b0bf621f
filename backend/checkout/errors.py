"""What the checkout refuses on its own account (the domains' refusals pass through)."""

from __future__ import annotations

from backend.core.errors import DomainError


class TooManyUnpaidOrdersError(DomainError):
    """One more unpaid order is refused for now (`limits.py`). `retry_after` (seconds,
    when it is known) is in `data`."""

    code = "too_many_unpaid_orders"
