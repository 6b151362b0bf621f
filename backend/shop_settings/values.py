"""The store settings in force: read from PostgreSQL at most once a second per process,
so a merchant's change applies within a second on every web process and worker.

Each door (the access guard before every Reflex event, the HTTP app before every request,
the worker before every job) asks for them first, so the number format of amounts
(`backend/core/money.py`), which synchronous code uses, is the one in force too."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from cachetools import TTLCache
from sqlalchemy.exc import SQLAlchemyError

from backend.core.clock import zone_named
from backend.core.db import read_scope
from backend.core.money import DEFAULT_DISPLAY_LOCALE, use_display_locale
from backend.core.single_flight import RefreshLock
from backend.shop_settings.models import ShopSettings

logger = logging.getLogger(__name__)

FRESH_FOR_SECONDS = 1.0
# The line under the shop's name on its home page (the page and its server-rendered first
# paint say the same).
HOME_TAGLINE = "Everyday goods, chosen with care. Browse by category or search above."


@dataclass(frozen=True)
class StoreSettings:
    shop_name: str
    money_locale: str
    time_zone: str
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

    @property
    def zone(self) -> ZoneInfo:
        """The shop's time zone (UTC should a stored name no longer be known)."""
        try:
            return zone_named(self.time_zone)
        except ValueError:
            return ZoneInfo("UTC")


DEFAULTS = StoreSettings(
    shop_name="Kestrel Goods",
    money_locale=DEFAULT_DISPLAY_LOCALE,
    time_zone="UTC",
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

_KEY = "settings"
_fresh: TTLCache[str, StoreSettings] = TTLCache(
    maxsize=1, ttl=FRESH_FOR_SECONDS, timer=time.monotonic
)
_last_read: dict[str, StoreSettings] = {}  # for a database outage: see store_settings
# A read that failed, for the requests that waited for it (without settings read before).
_failed_read: TTLCache[str, Exception] = TTLCache(
    maxsize=1, ttl=FRESH_FOR_SECONDS, timer=time.monotonic
)
# One read at a time when the second runs out (every request in flight would read).
_refresh_lock = RefreshLock()


def _view(row: ShopSettings) -> StoreSettings:
    return StoreSettings(
        shop_name=row.shop_name,
        money_locale=row.money_locale,
        time_zone=row.time_zone,
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
    """The settings now (the migration writes the row; DEFAULTS only if it is missing).

    While PostgreSQL is unreachable, the read that fails raises, and the last settings
    read stay in force for another second (or, before any, that failure is everyone's
    for a second): an outage costs one failed read a second, not one per request."""
    if (cached := _fresh.get(_KEY)) is not None:
        return cached
    async with _refresh_lock():
        if (cached := _fresh.get(_KEY)) is not None:
            return cached  # read by the request this one waited for
        if (failure := _failed_read.get(_KEY)) is not None:
            raise failure
        try:
            async with read_scope() as session:
                row = await session.get(ShopSettings, 1)
        except (SQLAlchemyError, OSError) as error:
            if (last := _last_read.get(_KEY)) is not None:
                _fresh[_KEY] = last
            else:
                _failed_read[_KEY] = error
            raise
        current = _view(row) if row is not None else DEFAULTS
        _fresh[_KEY] = _last_read[_KEY] = current
        use_display_locale(current.money_locale)
        return current


async def keep_settings_fresh() -> None:
    """For the doors, before each event, request or job: the settings in force, read
    afresh when a second old (the event itself fails or not on its own while the
    database is unreachable)."""
    try:
        await store_settings()
    except (SQLAlchemyError, OSError):
        logger.warning("store settings not refreshed: the database is unreachable")


def forget_cached() -> None:
    """This process reads them afresh next time (after its own change, at once)."""
    _fresh.clear()
    _failed_read.clear()
