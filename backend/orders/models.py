"""Tables of the orders domain: orders, their line snapshots and their status history.

An order keeps two status axes (what happens to the goods, what happens to the money),
each changed only through its transition table in `backend/orders/status.py`, and every
change is written to `order_status_history`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlmodel import Field, SQLModel

from backend.core.tables import created_at_column, updated_at_column, uuid_primary_key

ORDER_STATUSES = ("pending_payment", "paid", "fulfilled", "delivered", "cancelled")
PAYMENT_STATUSES = (
    "unpaid",
    "requires_action",
    "processing",
    "paid",
    "partially_paid",
    "partially_refunded",
    "refunded",
    "failed",
)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _money(**kwargs: Any) -> Any:
    return Field(sa_column=Column(Numeric(12, 2), nullable=False, **kwargs))


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(_one_of("status", ORDER_STATUSES), name="status_known"),
        CheckConstraint(_one_of("payment_status", PAYMENT_STATUSES), name="payment_status_known"),
        CheckConstraint(
            "subtotal >= 0 AND discount >= 0 AND shipping >= 0 AND tax >= 0 AND total >= 0",
            name="amounts_not_negative",
        ),
        CheckConstraint("discount <= subtotal", name="discount_within_subtotal"),
        # Prices including tax (EU/UK style) already hold the tax the order shows.
        CheckConstraint(
            "total = subtotal - discount + shipping"
            " + CASE WHEN prices_include_tax THEN 0 ELSE tax END",
            name="total_adds_up",
        ),
        # An edit that lowered the total may still owe the customer the difference: a
        # refund of everything then gives back more than the total, never more than came in.
        CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= GREATEST(total, amount_paid)",
            name="refund_bounded",
        ),
        CheckConstraint(
            "gift_card_amount >= 0 AND gift_card_amount <= total", name="gift_card_within_total"
        ),
        CheckConstraint("amount_paid >= 0", name="amount_paid_not_negative"),
        CheckConstraint(
            "order_promotion_amount >= 0 AND order_promotion_amount <= discount",
            name="order_promotion_within_discount",
        ),
        CheckConstraint(
            "multibuy_discount >= 0 AND multibuy_discount + order_promotion_amount <= discount",
            name="multibuy_within_discount",
        ),
        Index("orders_user_id_idx", "user_id", "created_at"),
        Index("orders_email_idx", text("lower(email)")),
        Index(
            "orders_expiry_idx",
            "expires_at",
            postgresql_where=text("status = 'pending_payment'"),
        ),
        Index("orders_created_at_idx", "created_at"),
        # A promotion's uses per customer are counted over its orders.
        Index(
            "orders_order_promotion_idx",
            "order_promotion_id",
            postgresql_where=text("order_promotion_id IS NOT NULL"),
        ),
        Index(
            "orders_shipping_promotion_idx",
            "shipping_promotion_id",
            postgresql_where=text("shipping_promotion_id IS NOT NULL"),
        ),
        # Cart reminders ask "was an order placed from this cart since it last changed?".
        Index("orders_cart_key_idx", "cart_key", "created_at"),
    )

    id: uuid.UUID = uuid_primary_key()
    # What shoppers and staff quote: "KG-7Q4M-2XH9".
    number: str = Field(sa_column=Column(String(20), nullable=False, unique=True))
    # One order per checkout attempt: the same key again finds the same order.
    checkout_key: str = Field(sa_column=Column(String(100), nullable=False, unique=True))
    user_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")),
    )
    email: str = Field(sa_column=Column(String(255), nullable=False))
    customer_name: str = Field(sa_column=Column(String(200), nullable=False))
    phone: str | None = Field(default=None, sa_column=Column(String(40)))
    shipping_address: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    shipping_method: str = Field(sa_column=Column(String(40), nullable=False))
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    subtotal: Decimal = _money()
    discount: Decimal = _money(server_default=text("0"))
    shipping: Decimal = _money(server_default=text("0"))
    tax: Decimal = _money(server_default=text("0"))
    # Whether the order's prices included its tax (the shop's setting when it was placed).
    prices_include_tax: bool = Field(
        default=False,
        sa_column=Column(Boolean, nullable=False, server_default=text("false")),
    )
    total: Decimal = _money()
    refunded_amount: Decimal = _money(server_default=text("0"))
    # The money received for the order: gift cards, card and hand payments, less what was
    # given back when an edit lowered the total (refunds of the order as it stands are
    # `refunded_amount`). An edit that raises a paid order's total leaves the difference
    # to pay (`amount_due`); one that lowers it gives the difference back.
    amount_paid: Decimal = _money(server_default=text("0"))
    # What gift cards paid of the total when the order was placed (their ledger has each
    # card's part); the rest is paid by card (`amount_due`).
    gift_card_amount: Decimal = _money(server_default=text("0"))
    discount_code: str | None = Field(default=None, sa_column=Column(String(40)))
    # The order-wide promotion it got, as it was: its title and what it took off the goods
    # (part of `discount`; the code's part is the rest), and the shipping promotion's
    # title. No foreign key: a deleted promotion's orders keep what they got.
    order_promotion_id: uuid.UUID | None = Field(default=None, sa_column=Column(UUID(as_uuid=True)))
    order_promotion_title: str | None = Field(default=None, sa_column=Column(String(120)))
    order_promotion_amount: Decimal = _money(server_default=text("0"))
    # What multi-buys took off its lines in all (part of `discount`; each line has its part).
    multibuy_discount: Decimal = Field(
        default=Decimal("0.00"),
        sa_column=Column(Numeric(12, 2), nullable=False, server_default=text("0")),
    )
    shipping_promotion_title: str | None = Field(default=None, sa_column=Column(String(120)))
    shipping_promotion_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(UUID(as_uuid=True))
    )
    status: str = Field(
        default="pending_payment",
        sa_column=Column(String(20), nullable=False, server_default=text("'pending_payment'")),
    )
    payment_status: str = Field(
        default="unpaid",
        sa_column=Column(String(20), nullable=False, server_default=text("'unpaid'")),
    )
    # The cart the order came from, emptied of the bought lines once the order is paid.
    cart_key: str | None = Field(default=None, sa_column=Column(String(100)))
    carrier: str | None = Field(default=None, sa_column=Column(String(60)))
    tracking_number: str | None = Field(default=None, sa_column=Column(String(100)))
    # An unpaid order is cancelled (and its stock returned) after this moment.
    expires_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()

    @property
    def amount_due(self) -> Decimal:
        """What is left to pay: the total less the money received (a new order: less what
        gift cards paid; an edited one: what the edit added)."""
        return max(self.total - self.amount_paid, Decimal("0.00"))

    @property
    def amount_to_give_back(self) -> Decimal:
        """What an edit took off a paid order and is not back with the customer yet."""
        return max(self.amount_paid - self.total, Decimal("0.00"))


class OrderLine(SQLModel, table=True):
    """What was bought, as it was at the time: later catalog edits never change it."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "gift_card IS NULL OR (product_id IS NULL AND variant_id IS NULL AND quantity = 1)",
            name="gift_card_alone",
        ),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        CheckConstraint("line_total = unit_price * quantity", name="line_total_adds_up"),
        CheckConstraint(
            "list_price IS NULL OR (list_price > unit_price AND promotion_title IS NOT NULL)",
            name="promotion_lowers_price",
        ),
        CheckConstraint(
            "multibuy_discount >= 0 AND multibuy_discount <= line_total"
            " AND (multibuy_discount = 0 OR multibuy_title IS NOT NULL)",
            name="multibuy_within_line",
        ),
        Index("order_lines_order_id_idx", "order_id"),
        Index("order_lines_product_id_idx", "product_id"),
        Index("order_lines_variant_id_idx", "variant_id"),
        Index(
            "order_lines_promotion_id_idx",
            "promotion_id",
            postgresql_where=text("promotion_id IS NOT NULL"),
        ),
    )

    id: uuid.UUID = uuid_primary_key()
    order_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("orders.id", ondelete="CASCADE"), nullable=False
        )
    )
    product_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("products.id", ondelete="SET NULL")),
    )
    # The variant bought (its SKU and option values are snapshotted below and in `sku`).
    variant_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("product_variants.id", ondelete="SET NULL")
        ),
    )
    sku: str = Field(sa_column=Column(String(50), nullable=False))
    name: str = Field(sa_column=Column(String(255), nullable=False))
    # The variant's option values in the product's option order:
    # [{"name": "Size", "value": "M"}, …]; empty for a product without options.
    options: list[dict[str, str]] = Field(
        default_factory=list,
        sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    )
    unit_price: Decimal = _money()
    quantity: int = Field(sa_column=Column(Integer, nullable=False))
    line_total: Decimal = _money()
    position: int = Field(sa_column=Column(Integer, nullable=False))
    # The automatic promotion this line was sold under, as it was: the price before it
    # and its title (NULL without one). Later changes to the promotion change neither.
    list_price: Decimal | None = Field(default=None, sa_column=Column(Numeric(10, 2)))
    promotion_title: str | None = Field(default=None, sa_column=Column(String(120)))
    # Which promotion, for its figures in Analytics: no foreign key, as the promotion may
    # be deleted while its orders stay.
    promotion_id: uuid.UUID | None = Field(default=None, sa_column=Column(UUID(as_uuid=True)))
    # What a multi-buy ("Buy 2, get 1 free") took off this line, all units together (part
    # of the order's `discount`), and its title; 0 and NULL without one.
    multibuy_discount: Decimal = Field(
        default=Decimal("0.00"),
        sa_column=Column(Numeric(12, 2), nullable=False, server_default=text("0")),
    )
    multibuy_title: str | None = Field(default=None, sa_column=Column(String(120)))
    multibuy_id: uuid.UUID | None = Field(default=None, sa_column=Column(UUID(as_uuid=True)))
    # A gift card sold (no product): who gets it when, as the buyer asked
    # {"recipient_email", "recipient_name", "sender_name", "message", "send_at",
    # "cart_line"}; the worker issues the card from it once the order is paid.
    gift_card: dict[str, Any] | None = Field(
        default=None,
        sa_column=Column(JSONB(none_as_null=True)),  # None is SQL NULL, not null
    )

    @property
    def display_name(self) -> str:
        """ "Storm Fleece Jacket (M / Navy)"; the name alone without options."""
        values = " / ".join(option["value"] for option in self.options or ())
        return f"{self.name} ({values})" if values else self.name


class OrderPromotion(SQLModel, table=True):
    """A promotion an order got, and what it took off the order in all: one row per
    promotion (a sale on some lines, a multi-buy, the order or shipping offer), written
    with the order. Analytics' figures per promotion and the limits per customer count
    these; no foreign key to the promotion, which may be deleted while its orders stay."""

    __tablename__ = "order_promotions"
    __table_args__ = (
        CheckConstraint(
            "applies_to IN ('items', 'multibuy', 'order', 'shipping')", name="applies_to_known"
        ),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        UniqueConstraint("order_id", "promotion_id", name="order_promotions_once"),
        Index("order_promotions_promotion_id_idx", "promotion_id"),
    )

    id: uuid.UUID = uuid_primary_key()
    order_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("orders.id", ondelete="CASCADE"), nullable=False
        )
    )
    promotion_id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), nullable=False))
    title: str = Field(sa_column=Column(String(120), nullable=False))
    applies_to: str = Field(sa_column=Column(String(10), nullable=False))
    amount: Decimal = _money()


class OrderStatusChange(SQLModel, table=True):
    """One step on either axis, or of one of the order's returns, for its timeline."""

    __tablename__ = "order_status_history"
    __table_args__ = (
        CheckConstraint("axis IN ('order', 'payment', 'return', 'edit')", name="axis_known"),
        Index("order_status_history_order_id_idx", "order_id", "created_at"),
    )

    id: uuid.UUID = uuid_primary_key()
    order_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("orders.id", ondelete="CASCADE"), nullable=False
        )
    )
    axis: str = Field(sa_column=Column(String(10), nullable=False))
    from_status: str | None = Field(default=None, sa_column=Column(String(20)))
    to_status: str = Field(sa_column=Column(String(20), nullable=False))
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    actor: str = Field(sa_column=Column(String(100), nullable=False))  # "shopper", "system", …
    created_at: datetime = created_at_column()


class OrderTaxLine(SQLModel, table=True):
    """One tax rate an order was charged, as it was when placed: what it was charged on
    (goods after discount, and shipping when taxed) and the amount (rounded once)."""

    __tablename__ = "order_tax_lines"
    __table_args__ = (
        CheckConstraint("percent > 0 AND percent <= 100", name="percent_in_range"),
        CheckConstraint("base >= 0 AND amount >= 0", name="amounts_not_negative"),
        UniqueConstraint("order_id", "position", name="order_tax_lines_order_position_key"),
    )

    id: uuid.UUID = uuid_primary_key()
    order_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("orders.id", ondelete="CASCADE"), nullable=False
        )
    )
    position: int = Field(sa_column=Column(Integer, nullable=False))
    name: str = Field(sa_column=Column(String(40), nullable=False))
    percent: Decimal = Field(sa_column=Column(Numeric(6, 3), nullable=False))
    base: Decimal = _money()
    amount: Decimal = _money()


class OrderParcel(SQLModel, table=True):
    """One parcel an order shipped in: from which stock location, with which tracking
    number. An order whose goods were held at two locations ships as two parcels."""

    __tablename__ = "order_parcels"
    __table_args__ = (
        UniqueConstraint("order_id", "position"),
        CheckConstraint("char_length(btrim(tracking_number)) > 0", name="tracking_given"),
    )

    id: uuid.UUID = uuid_primary_key()
    order_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("orders.id", ondelete="CASCADE"), nullable=False
        )
    )
    position: int = Field(sa_column=Column(Integer, nullable=False))
    # None: nothing in it was held at a location (custom lines only).
    location_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("stock_locations.id", ondelete="RESTRICT")),
    )
    location_name: str = Field(default="", sa_column=Column(String(80), nullable=False))
    carrier: str = Field(sa_column=Column(String(60), nullable=False))
    tracking_number: str = Field(sa_column=Column(String(100), nullable=False))
    created_at: datetime = created_at_column()
