"""What a cart looks like to the pages and the API: lines priced from the catalog now."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from backend.catalog.schemas import options_title
from backend.core.money import format_money


@dataclass(frozen=True)
class CartOwner:
    """Whose cart: `user:<uuid>` or `guest:<token>` (the token from the cart cookie)."""

    key: str

    @property
    def is_guest(self) -> bool:
        return self.key.startswith("guest:")


@dataclass(frozen=True)
class CartLine:
    """One variant in the cart (a product without options has one)."""

    variant_id: uuid.UUID
    product_id: uuid.UUID
    slug: str
    name: str
    sku: str
    image_url: str | None
    unit_price: Decimal
    currency: str
    quantity: int
    stock_quantity: int
    # Why this line cannot be bought as it is ("No longer available", "Only 2 left").
    problem: str | None = None
    options: tuple[tuple[str, str], ...] = ()  # (option name, value), in option order
    # Under an automatic promotion: `unit_price` is the sale price, this what it was,
    # and the promotion's title ("20 % off Outerwear"); None without one.
    list_price: Decimal | None = None
    promotion_title: str | None = None
    # Under a multi-buy ("Buy 2, get 1 free"): its title and what it takes off this line
    # (all units together); None and 0 without one.
    multibuy_title: str | None = None
    multibuy_off: Decimal = Decimal("0.00")

    @property
    def title(self) -> str:
        """ "M / Navy" ("" for a product without options)."""
        return options_title(self.options)

    @property
    def display_name(self) -> str:
        """ "Storm Fleece Jacket (M / Navy)"; the name alone without options."""
        return f"{self.name} ({self.title})" if self.options else self.name

    @property
    def line_total(self) -> Decimal:
        """At the unit price, before a multi-buy."""
        return self.unit_price * self.quantity

    @property
    def total_after_multibuy(self) -> Decimal:
        return self.line_total - self.multibuy_off

    @property
    def purchasable(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class GiftCardLine:
    """A gift card in the cart: its amount, and who gets it by e-mail when (no address:
    the buyer; no date: once the order is paid)."""

    line_id: str
    amount: Decimal
    currency: str
    recipient_email: str | None
    recipient_name: str
    sender_name: str
    message: str
    send_at: datetime | None

    @property
    def display_name(self) -> str:
        """ "Gift card for Robin", or "Gift card"."""
        who = self.recipient_name or self.recipient_email
        return f"Gift card for {who}" if who else "Gift card"

    @property
    def delivery(self) -> str:
        """ "E-mailed to robin@example.com on 24 Dec 2026"."""
        to = self.recipient_email or "you"
        when = f"on {self.send_at:%d %b %Y}" if self.send_at else "once paid"
        return f"E-mailed to {to} {when}"

    @property
    def amount_display(self) -> str:
        return format_money(self.amount, self.currency)


@dataclass(frozen=True)
class Cart:
    lines: tuple[CartLine, ...]
    currency: str
    gift_cards: tuple[GiftCardLine, ...] = ()

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines) + len(self.gift_cards)

    @property
    def subtotal(self) -> Decimal:
        """The goods after multi-buys, and the gift cards."""
        cards = sum((card.amount for card in self.gift_cards), Decimal("0.00"))
        return self.goods_subtotal + cards

    @property
    def goods_subtotal(self) -> Decimal:
        """What discount codes and order promotions see: the goods after multi-buys, not
        the gift cards."""
        return sum(
            (line.total_after_multibuy for line in self.lines if line.purchasable),
            Decimal("0.00"),
        )

    @property
    def multibuy_titles(self) -> tuple[str, ...]:
        return tuple(
            dict.fromkeys(line.multibuy_title for line in self.lines if line.multibuy_title)
        )

    @property
    def multibuy_discount(self) -> Decimal:
        return sum((line.multibuy_off for line in self.lines if line.purchasable), Decimal("0.00"))

    @property
    def subtotal_display(self) -> str:
        return format_money(self.subtotal, self.currency)

    @property
    def ready_for_checkout(self) -> bool:
        return bool(self.lines or self.gift_cards) and all(line.purchasable for line in self.lines)


@dataclass(frozen=True)
class CartChange:
    """The cart after a change, and what to tell the shopper about it."""

    cart: Cart
    message: str
