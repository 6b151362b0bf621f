"""Administrators change the store settings: validated field by field, audited, in
force within a second everywhere (`values.py`)."""

from __future__ import annotations

import re
from email.utils import parseaddr
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from backend.accounts.inputs import EMAIL_MAX_LENGTH, normalize_email
from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.core.clock import zone_named
from backend.core.db import session_scope
from backend.core.money import DEFAULT_DISPLAY_LOCALE, DISPLAY_LOCALES
from backend.core.validation import text_input_schema
from backend.shop_settings.models import ShopSettings
from backend.shop_settings.values import StoreSettings, forget_cached, store_settings

_PREFIX = re.compile(r"[A-Z0-9]{1,6}")
_ADDRESS = re.compile(r"[^@\s<>]+@[^@\s<>]+")
TIME_ZONE_MAX_LENGTH = 60  # shop_settings.time_zone
SENDER_MAX_LENGTH = 320


class StoreSettingsInput(BaseModel):
    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    shop_name: Annotated[str, StringConstraints(max_length=60)] = Field(
        default="Kestrel Goods", description="In the header, page titles and e-mails."
    )
    money_locale: str = Field(
        default=DEFAULT_DISPLAY_LOCALE,
        description='How amounts are written: "en_US" ($1,234.50), "de_DE" (1.234,50 €), …',
        json_schema_extra={"enum": list(DISPLAY_LOCALES)},
    )
    time_zone: Annotated[str, text_input_schema(TIME_ZONE_MAX_LENGTH)] = Field(
        default="UTC",
        description='The zone merchants type and read times in: "Europe/Berlin", "UTC", …',
    )
    legal_name: Annotated[str, StringConstraints(max_length=200)] = ""
    legal_address: Annotated[str, StringConstraints(max_length=1000)] = ""
    vat_number: Annotated[str, StringConstraints(max_length=40)] = ""
    sender: Annotated[str, text_input_schema(SENDER_MAX_LENGTH)] = Field(
        description='E-mails\' From: "Kestrel Goods <shop@example.com>".'
    )
    support_email: Annotated[str, text_input_schema(EMAIL_MAX_LENGTH)] = Field(
        default="", description="Shown to customers for help; empty: none."
    )
    order_number_prefix: Annotated[str, text_input_schema(6, pattern=f"^{_PREFIX.pattern}$")] = "KG"
    order_payment_timeout_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)
    return_window_days: int = Field(default=30, ge=0, le=365)
    cart_reminder_after_minutes: int = Field(default=240, ge=1, le=30 * 24 * 60)

    @field_validator("shop_name")
    @classmethod
    def _shop_name(cls, value: str) -> str:
        name = " ".join(value.split())
        if not name:
            msg = "Give the shop a name."
            raise ValueError(msg)
        return name

    @field_validator("money_locale")
    @classmethod
    def _money_locale(cls, value: str) -> str:
        if value not in DISPLAY_LOCALES:
            msg = "Choose one of the number formats offered."
            raise ValueError(msg)
        return value

    @field_validator("time_zone")
    @classmethod
    def _time_zone(cls, value: str) -> str:
        zone_named(value)  # ValueError names it
        return value

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        _name, address = parseaddr(value)
        # Looser than customers' addresses: a test shop sends from shop@localhost.
        if not _ADDRESS.fullmatch(address) or len(value) > SENDER_MAX_LENGTH:
            msg = 'Write a name and an address, e.g. "Kestrel Goods <shop@example.com>".'
            raise ValueError(msg)
        return value

    @field_validator("support_email")
    @classmethod
    def _support(cls, value: str) -> str:
        return normalize_email(value) if value else ""

    @field_validator("order_number_prefix", mode="before")
    @classmethod
    def _prefix(cls, value: object) -> object:
        prefix = str(value or "").strip().upper()
        if not _PREFIX.fullmatch(prefix):
            msg = "Use 1 to 6 letters or digits, e.g. KG."
            raise ValueError(msg)
        return prefix


async def update_store_settings(data: StoreSettingsInput, *, actor: Viewer) -> StoreSettings:
    require_permission(actor, Permission.SETTINGS, "change the store settings")
    async with session_scope() as session:
        row = await session.get(ShopSettings, 1, with_for_update=True)
        if row is None:
            row = ShopSettings(id=1, sender=data.sender)
        before = {field: getattr(row, field, None) for field in StoreSettingsInput.model_fields}
        for field, value in data.model_dump().items():
            setattr(row, field, value)
        session.add(row)
        changed = {k: v for k, v in data.model_dump().items() if before.get(k) != v}
        if changed:
            audit.record(
                session,
                actor=actor,
                action="store_settings.updated",
                entity_type="store_settings",
                entity_id=1,
                before={k: before.get(k) for k in changed},
                after=changed,
            )
    forget_cached()  # this process at once; the others within a second
    return await store_settings()
