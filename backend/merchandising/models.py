"""Tables of the merchandising domain: collections (and the products hand-picked into them)
and automatic promotions."""

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
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlmodel import Field, SQLModel

from backend.core.tables import created_at_column, updated_at_column, uuid_primary_key

MANUAL = "manual"
RULES = "rules"


class Collection(SQLModel, table=True):
    """A named set of products with its own storefront page, `/collections/<slug>`.

    A manual collection lists the products hand-picked into it, in the merchant's order; a
    rule-based one lists every active product its rules match, evaluated when the page is
    read, so it follows the catalog without any job."""

    __tablename__ = "collections"
    __table_args__ = (
        CheckConstraint("kind IN ('manual', 'rules')", name="kind_known"),
        CheckConstraint("match IN ('all', 'any')", name="match_known"),
        CheckConstraint("slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name="slug_form"),
        CheckConstraint("btrim(title) <> ''", name="title_given"),
        CheckConstraint(
            "ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at", name="dates"
        ),
        CheckConstraint("home_position IS NULL OR home_position >= 0", name="home_position"),
        CheckConstraint("jsonb_typeof(rules) = 'array'", name="rules_list"),
        Index("collections_home_position_idx", "home_position"),
    )

    id: uuid.UUID = uuid_primary_key()
    slug: str = Field(sa_column=Column(String(120), nullable=False, unique=True))
    title: str = Field(sa_column=Column(String(120), nullable=False))
    description: str = Field(
        default="", sa_column=Column(Text, nullable=False, server_default=text("''"))
    )
    image_url: str | None = Field(default=None, sa_column=Column(Text))
    kind: str = Field(sa_column=Column(String(10), nullable=False))
    # Rule-based only: the conditions (backend/merchandising/rules.py) and whether a
    # product must meet all of them or any one.
    rules: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    )
    match: str = Field(
        default="all", sa_column=Column(String(3), nullable=False, server_default=text("'all'"))
    )
    # Shown on the storefront from `starts_at` until `ends_at` (either open-ended).
    starts_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    ends_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    # Its place among the home page's collections; NULL: not on the home page.
    home_position: int | None = Field(default=None, sa_column=Column(Integer))
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()


class CollectionProduct(SQLModel, table=True):
    """A product hand-picked into a manual collection, at its place in the merchant's order."""

    __tablename__ = "collection_products"
    __table_args__ = (
        CheckConstraint("position >= 0", name="position_not_negative"),
        Index("collection_products_product_id_idx", "product_id"),
    )

    collection_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("collections.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    product_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("products.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    position: int = Field(sa_column=Column(Integer, nullable=False))


class Promotion(SQLModel, table=True):
    """An automatic promotion, applied with no code while it is switched on and between
    its dates, to the products it covers (all, a category with its subcategories, a
    collection's products, or chosen products: `promotion_products`): a sale on each
    item's price ("items": listings, product
    pages, carts and checkout show and charge the sale price), a multi-buy on groups of
    items ("multibuy": "buy 2, get the cheapest free", "3 for $50"), or an offer on the
    order's goods or shipping (`applies_to`). Where several could apply, the highest
    priority wins; those that add up (`stacks`) apply together
    (backend/merchandising/offers.py, multibuys.py, order_offers.py)."""

    __tablename__ = "promotions"
    __table_args__ = (
        CheckConstraint("kind IN ('percent', 'fixed', 'bundle')", name="kind_known"),
        CheckConstraint("value > 0 AND (kind <> 'percent' OR value <= 100)", name="value_in_range"),
        CheckConstraint("kind <> 'bundle' OR applies_to = 'multibuy'", name="bundle_is_multibuy"),
        CheckConstraint(
            "target IN ('all', 'category', 'collection', 'products')", name="target_known"
        ),
        CheckConstraint("btrim(title) <> ''", name="title_given"),
        CheckConstraint(
            "ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at", name="dates"
        ),
        CheckConstraint(
            "applies_to IN ('items', 'multibuy', 'order', 'shipping')", name="applies_to_known"
        ),
        # An order or shipping promotion covers the whole cart, and only they have a
        # minimum subtotal or a zone.
        CheckConstraint(
            "applies_to IN ('items', 'multibuy') OR target = 'all'", name="order_wide_covers_all"
        ),
        CheckConstraint(
            "applies_to IN ('order', 'shipping') OR (min_subtotal IS NULL AND zone_id IS NULL)",
            name="items_have_no_minimum",
        ),
        CheckConstraint("zone_id IS NULL OR applies_to = 'shipping'", name="zone_for_shipping"),
        CheckConstraint("min_subtotal IS NULL OR min_subtotal >= 0", name="min_subtotal"),
        CheckConstraint(
            "limit_per_customer IS NULL OR "
            "(limit_per_customer > 0 AND applies_to IN ('order', 'shipping'))",
            name="limit_per_customer",
        ),
        # A multi-buy's group size; "percent" ones say how many units of a group it takes
        # off (the cheapest), at most all of them.
        CheckConstraint(
            "(applies_to = 'multibuy') = (buy_quantity IS NOT NULL)"
            " AND (buy_quantity IS NULL OR buy_quantity BETWEEN 2 AND 100)",
            name="multibuy_group",
        ),
        CheckConstraint(
            "(applies_to = 'multibuy' AND kind = 'percent') = (discounted_quantity IS NOT NULL)"
            " AND (discounted_quantity IS NULL OR discounted_quantity BETWEEN 1 AND buy_quantity)",
            name="multibuy_discounted_quantity",
        ),
        # One order and one shipping promotion apply: only items' promotions add up.
        CheckConstraint(
            "NOT stacks OR applies_to IN ('items', 'multibuy')", name="stacks_on_items"
        ),
        Index("promotions_ends_at_idx", "ends_at"),
    )

    id: uuid.UUID = uuid_primary_key()
    # Shown to shoppers beside the sale price and in the cart: "20 % off Outerwear".
    title: str = Field(sa_column=Column(String(120), nullable=False))
    kind: str = Field(sa_column=Column(String(10), nullable=False))
    # Percent off (20 = 20 %) or the amount off each item, in the shop's currency.
    value: Decimal = Field(sa_column=Column(Numeric(10, 2), nullable=False))
    target: str = Field(sa_column=Column(String(12), nullable=False))
    # The category (with its subcategories) or collection covered; NULL once it is
    # deleted, when the promotion covers nothing.
    category_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("categories.id", ondelete="SET NULL")),
    )
    collection_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("collections.id", ondelete="SET NULL")),
    )
    starts_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    ends_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    priority: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )
    # The merchant's switch: off, it applies nowhere whatever its dates.
    is_active: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, server_default=text("true"))
    )
    # What it takes off: each item's price ("items"), groups of items ("multibuy"), the
    # order's goods ("order": "10 % off orders over $100"), or the shipping ("shipping":
    # 100 % off is free shipping).
    applies_to: str = Field(
        default="items",
        sa_column=Column(String(10), nullable=False, server_default=text("'items'")),
    )
    # Multi-buys: the units in a group ("buy 3"), and for a percentage how many of each
    # group's cheapest it takes off ("get 1 free": 1 at 100 %); "bundle" is a group's
    # price ("3 for $50"), "fixed" an amount off each group.
    buy_quantity: int | None = Field(default=None, sa_column=Column(Integer))
    discounted_quantity: int | None = Field(default=None, sa_column=Column(Integer))
    # Adds up with the other promotions of items that do (each takes its part off the
    # price before promotions); one that does not applies alone.
    stacks: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false"))
    )
    # Order and shipping promotions: the goods subtotal (at sale prices) from which they
    # apply; shipping ones may be for one shipping zone only.
    min_subtotal: Decimal | None = Field(default=None, sa_column=Column(Numeric(10, 2)))
    zone_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("shipping_zones.id", ondelete="SET NULL")),
    )
    # Whether a discount code may be used with it (order and shipping promotions); when
    # not, a code is refused while it applies.
    combines_with_codes: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, server_default=text("true"))
    )
    # Order and shipping promotions: how many orders one customer (account, or e-mail
    # address) may get it on; NULL: no limit. Cancelled orders do not count.
    limit_per_customer: int | None = Field(default=None, sa_column=Column(Integer))
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()


class PromotionProduct(SQLModel, table=True):
    """A product a promotion covers by name ("Covers: chosen products"): all its variants."""

    __tablename__ = "promotion_products"
    __table_args__ = (Index("promotion_products_product_id_idx", "product_id"),)

    promotion_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("promotions.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    product_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("products.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
