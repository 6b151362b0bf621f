"""What back-in-stock notices answer the pages, the e-mails and the staff dashboard."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class SubscribeResult:
    # "active": the shopper will be e-mailed; "confirm": a guest must confirm the e-mailed
    # link first; "already": the shopper was subscribed before.
    outcome: str
    message: str


@dataclass(frozen=True)
class ConfirmationLinks:
    confirm_token: str
    cancel_token: str
    expires_hours: int


@dataclass(frozen=True)
class LinkOutcome:
    ok: bool
    product_name: str = ""
    product_url: str = ""


@dataclass(frozen=True)
class ProductDemand:
    product_id: uuid.UUID
    name: str
    sku: str
    stock_quantity: int
    waiting: int  # confirmed subscribers
    unconfirmed: int  # guests who have not confirmed yet
