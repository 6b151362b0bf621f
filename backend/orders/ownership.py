"""Who may act on an order as its customer: one rule for seeing, paying and cancelling it.

A signed-in shopper owns the orders placed with their account. Without an account, a
shopper may open only the orders they proved they may: placed in their browser tab, or
looked up there with the order's e-mail address and number. Those proofs live with the
tab (server-side UI state) and are forgotten when the tab's viewer changes; the UI hands
them to the services, which check them under the order's row lock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from backend.core.errors import NotFoundError

ORDER_NOT_FOUND = "There is no such order."


@dataclass(frozen=True)
class Shopper:
    """Who asks, as the customer: the signed-in user, and the orders opened without one."""

    user_id: uuid.UUID | None = None
    opened_orders: frozenset[uuid.UUID] = frozenset()

    def owns(self, order_id: uuid.UUID, order_user_id: uuid.UUID | None) -> bool:
        if self.user_id is not None and order_user_id == self.user_id:
            return True
        return order_id in self.opened_orders

    def with_opened(self, order_id: uuid.UUID) -> Shopper:
        """This shopper, who has also just placed (or looked up) `order_id`."""
        return Shopper(self.user_id, self.opened_orders | {order_id})


def require_owner(shopper: Shopper, order_id: uuid.UUID, order_user_id: uuid.UUID | None) -> None:
    """Refuse someone else's order with the answer for an order that does not exist."""
    if not shopper.owns(order_id, order_user_id):
        raise NotFoundError(ORDER_NOT_FOUND)
