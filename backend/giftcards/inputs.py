"""Validated input for gift cards (the admin form, the API, the storefront's purchase
form): one message per field; the database repeats the essentials (CHECK)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from backend.accounts.inputs import EMAIL_MAX_LENGTH, normalize_email
from backend.core.errors import InvalidInputError
from backend.core.validation import NO_NUL, decimal_input_schema, text_input_schema

# What one card may hold when bought or issued; the shop's amounts on offer to buyers.
MIN_AMOUNT = Decimal("5.00")
MAX_AMOUNT = Decimal("1000.00")
OFFERED_AMOUNTS = (Decimal("25.00"), Decimal("50.00"), Decimal("100.00"), Decimal("200.00"))

Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120), NO_NUL]
# How API clients see an amount and an address (the validators below check them).
CardAmount = Annotated[Decimal, decimal_input_schema(MIN_AMOUNT, MAX_AMOUNT)]
Adjustment = Annotated[Decimal, decimal_input_schema(-MAX_AMOUNT, MAX_AMOUNT)]
EmailText = Annotated[str, text_input_schema(EMAIL_MAX_LENGTH, format="email")]
Message = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), NO_NUL]


def checked_amount(value: Decimal) -> Decimal:
    if not value.is_finite() or value.as_tuple().exponent < -2:  # type: ignore[operator]  # finite: an int exponent
        msg = "Give an amount such as 50 or 42.50."
        raise ValueError(msg)
    if not MIN_AMOUNT <= value <= MAX_AMOUNT:
        msg = f"Give an amount from {MIN_AMOUNT:.0f} to {MAX_AMOUNT:.0f}."
        raise ValueError(msg)
    return value.quantize(Decimal("0.01"))


def _optional_email(value: object) -> object:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        return value
    return normalize_email(value)


class Recipient(BaseModel):
    """Who a card goes to by e-mail, when, and the giver's words."""

    model_config = ConfigDict(frozen=True)

    recipient_email: EmailText | None = None
    recipient_name: Name = ""
    sender_name: Name = ""
    message: Message = ""
    # Delivered at this moment (None: at once); with its time zone.
    send_at: AwareDatetime | None = None

    _email_form = field_validator("recipient_email", mode="before")(_optional_email)


class IssueInput(Recipient):
    """A card staff issue: e-mailed to the recipient, or (no address) its code shown once."""

    amount: CardAmount
    expires_at: AwareDatetime | None = None
    note: Message = Field(default="", description="For staff only")

    @field_validator("amount")
    @classmethod
    def _amount(cls, value: Decimal) -> Decimal:
        return checked_amount(value)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.send_at is not None and self.recipient_email is None:
            msg = "A delivery date needs the recipient's e-mail address."
            raise ValueError(msg)
        if self.expires_at and self.send_at and self.expires_at <= self.send_at:
            msg = "The card must expire after it is sent."
            raise ValueError(msg)
        return self


class AdjustInput(BaseModel):
    """A staff correction of a balance: a signed amount and why."""

    model_config = ConfigDict(frozen=True)

    amount: Adjustment = Field(description="Added to the balance (negative: taken off)")
    note: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), NO_NUL
    ]

    @field_validator("amount")
    @classmethod
    def _amount(cls, value: Decimal) -> Decimal:
        if not value.is_finite() or value == 0 or value.as_tuple().exponent < -2:  # type: ignore[operator]  # finite: an int exponent
            msg = "Give a non-zero amount such as 10 or -5.50."
            raise ValueError(msg)
        if abs(value) > MAX_AMOUNT:
            msg = f"Adjust by at most {MAX_AMOUNT:.0f} at a time."
            raise ValueError(msg)
        return value


# How far ahead a bought card's e-mail can be dated.
LATEST_SEND_DAYS = 366


class PurchaseInput(Recipient):
    """A card a shopper puts in the cart: its amount (one the shop offers, or their own
    within the limits) and who gets it when. No recipient: it goes to the buyer."""

    amount: CardAmount

    @field_validator("amount")
    @classmethod
    def _amount(cls, value: Decimal) -> Decimal:
        return checked_amount(value)

    def checked_send_at(self, now: datetime) -> Self:
        """Refuses a delivery date in the past or too far ahead (when it is put in the
        cart; a date that has passed by checkout means "at once")."""
        if self.send_at is not None and not now <= self.send_at <= now + timedelta(
            days=LATEST_SEND_DAYS
        ):
            msg = "Choose a delivery date from today to a year ahead."
            raise InvalidInputError(msg, {"send_at": msg})
        return self
