"""What a shopper submits at checkout, validated with messages per field."""

from __future__ import annotations

import re

from pydantic import field_validator

from backend.accounts.inputs import AddressInput, normalize_email

_METHOD_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


class CheckoutDetails(AddressInput):
    """Contact, shipping address (the address book's rules), method and discount code."""

    email: str
    # A method code of the address's shipping zone ("standard", "express").
    shipping_method: str = "standard"
    discount_code: str | None = None
    # A gift card's code, paying what it holds towards the total (the card pays the rest).
    gift_card_code: str | None = None

    @field_validator("email")
    @classmethod
    def _email_form(cls, value: str) -> str:
        return normalize_email(value)

    @field_validator("shipping_method")
    @classmethod
    def _method_code(cls, value: str) -> str:
        value = value.strip().lower()
        if not _METHOD_CODE.fullmatch(value):
            msg = "Choose a shipping method."
            raise ValueError(msg)
        return value

    @field_validator("discount_code", "gift_card_code", mode="before")
    @classmethod
    def _blank_code_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    def address_snapshot(self) -> dict[str, str | None]:
        return {
            "full_name": self.full_name,
            "line1": self.line1,
            "line2": self.line2,
            "city": self.city,
            "region": self.region,
            "postal_code": self.postal_code,
            "country": self.country,
            "phone": self.phone,
        }
