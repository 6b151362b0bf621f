"""The store settings in force: read from PostgreSQL at most once a second per process,
so a merchant's change applies within a second on every web process and worker."""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.utils import parseaddr

from backend.core.db import session_scope
from backend.shop_settings.models import ShopSettings

FRESH_FOR_SECONDS = 1.0


@dataclass(frozen=True)
class StoreSettings:
    legal_name: str
    legal_address: str
    vat_number: str
    sender: str
    support_email: str
    order_number_prefix: str
    order_payment_timeout_minutes: int
    return_window_days: int
    cart_reminder_after_minutes: int

    @property
    def sender_address(self) -> str:
        return parseaddr(self.sender)[1]


DEFAULTS = StoreSettings(
    legal_name="",
    legal_address="",
    vat_number="",
    sender="Kestrel Goods <shop@localhost>",
    support_email="",
    order_number_prefix="KG",
    order_payment_timeout_minutes=30,
    return_window_days=30,
    cart_reminder_after_minutes=240,
)

_cached: dict[str, tuple[float, StoreSettings]] = {}


def _view(row: ShopSettings) -> StoreSettings:
    return StoreSettings(
        legal_name=row.legal_name,
        legal_address=row.legal_address,
        vat_number=row.vat_number,
        sender=row.sender,
        support_email=row.support_email,
        order_number_prefix=row.order_number_prefix,
        order_payment_timeout_minutes=row.order_payment_timeout_minutes,
        return_window_days=row.return_window_days,
        cart_reminder_after_minutes=row.cart_reminder_after_minutes,
    )


async def store_settings() -> StoreSettings:
    """The settings now (the migration writes the row; DEFAULTS only if it is missing)."""
    now = time.monotonic()
    if (found := _cached.get("settings")) is not None and now - found[0] < FRESH_FOR_SECONDS:
        return found[1]
    async with session_scope() as session:
        row = await session.get(ShopSettings, 1)
    current = _view(row) if row is not None else DEFAULTS
    _cached["settings"] = (now, current)
    return current


def forget_cached() -> None:
    """This process reads them afresh next time (after its own change, at once)."""
    _cached.clear()
