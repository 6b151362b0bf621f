"""Every domain's events, imported in one place (above the domains, like `backend.models` for
tables) so stored rows of any type can be turned back into events. Whoever deserialises
stored events (the worker's delivery jobs) imports this module first."""

from backend.accounts import events as accounts_events
from backend.catalog import events as catalog_events
from backend.giftcards import events as giftcards_events
from backend.inventory import events as inventory_events
from backend.orders import events as orders_events
from backend.payments import events as payments_events
from backend.returns import events as returns_events
from backend.stock_notices import events as stock_notices_events

__all__ = [
    "accounts_events",
    "catalog_events",
    "giftcards_events",
    "inventory_events",
    "orders_events",
    "payments_events",
    "returns_events",
    "stock_notices_events",
]
