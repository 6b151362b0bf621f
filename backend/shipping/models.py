"""Tables of the shipping domain: zones, their methods, rate bands and exclusions."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlmodel import Field, SQLModel

from backend.core.tables import created_at_column, updated_at_column, uuid_primary_key

RATE_BASES = ("flat", "weight", "value")


class ShippingZone(SQLModel, table=True):
    """Where a set of methods applies: countries, narrowed to some regions or postcode
    prefixes when given. An address belongs to the most specific zone that covers it."""

    __tablename__ = "shipping_zones"
    __table_args__ = (CheckConstraint("cardinality(countries) > 0", name="has_countries"),)

    id: uuid.UUID = uuid_primary_key()
    name: str = Field(sa_column=Column(String(80), nullable=False, unique=True))
    countries: list[str] = Field(sa_column=Column(ARRAY(String(2)), nullable=False))
    # Canonical region codes ("CA" in the US) and postcode prefixes; empty: all of them.
    regions: list[str] = Field(
        default_factory=list,
        sa_column=Column(ARRAY(Text), nullable=False, server_default=text("'{}'")),
    )
    postcode_prefixes: list[str] = Field(
        default_factory=list,
        sa_column=Column(ARRAY(Text), nullable=False, server_default=text("'{}'")),
    )
    # Whether shipping to this zone is taxed (at the address's standard rate).
    taxes_shipping: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, server_default=text("true"))
    )
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()


class ShippingMethod(SQLModel, table=True):
    """A way to ship within a zone: priced flat, by the order's weight or by its value
    (bands), free from an amount on when `free_above` is set."""

    __tablename__ = "shipping_methods"
    __table_args__ = (
        CheckConstraint("rate_basis IN ('flat', 'weight', 'value')", name="rate_basis_known"),
        CheckConstraint(
            "(rate_basis = 'flat') = (flat_price IS NOT NULL)", name="flat_price_when_flat"
        ),
        CheckConstraint("flat_price IS NULL OR flat_price >= 0", name="flat_price_not_negative"),
        CheckConstraint("free_above IS NULL OR free_above >= 0", name="free_above_not_negative"),
        CheckConstraint("code ~ '^[a-z0-9][a-z0-9_-]*$'", name="code_form"),
        UniqueConstraint("zone_id", "code", name="shipping_methods_zone_code_key"),
        Index("shipping_methods_zone_position_idx", "zone_id", "position"),
    )

    id: uuid.UUID = uuid_primary_key()
    zone_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("shipping_zones.id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    # What checkout forms submit and orders keep: "standard", "express".
    code: str = Field(sa_column=Column(String(40), nullable=False))
    name: str = Field(sa_column=Column(String(80), nullable=False))
    delivery_time: str = Field(
        default="", sa_column=Column(String(80), nullable=False, server_default=text("''"))
    )
    rate_basis: str = Field(
        default="flat",
        sa_column=Column(String(10), nullable=False, server_default=text("'flat'")),
    )
    flat_price: Decimal | None = Field(default=None, sa_column=Column(Numeric(10, 2)))
    free_above: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2)))
    is_active: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, server_default=text("true"))
    )
    position: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()


class ShippingRateBand(SQLModel, table=True):
    """One band of a weight- or value-priced method: orders up to `up_to` (kilograms, or
    the shop's currency) cost `price`; the band without `up_to` takes everything above.
    An order above every band cannot use the method."""

    __tablename__ = "shipping_rate_bands"
    __table_args__ = (
        CheckConstraint("up_to IS NULL OR up_to > 0", name="up_to_positive"),
        CheckConstraint("price >= 0", name="price_not_negative"),
        UniqueConstraint(
            "method_id",
            "up_to",
            name="shipping_rate_bands_method_up_to_key",
            postgresql_nulls_not_distinct=True,
        ),
    )

    id: uuid.UUID = uuid_primary_key()
    method_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("shipping_methods.id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    up_to: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 3)))
    price: Decimal = Field(sa_column=Column(Numeric(10, 2), nullable=False))


class ShippingMethodExclusion(SQLModel, table=True):
    """A category (with its subcategories) or a product a method does not carry: a cart
    holding one is not offered the method ("no express for furniture")."""

    __tablename__ = "shipping_method_exclusions"
    __table_args__ = (
        CheckConstraint("num_nonnulls(category_id, product_id) = 1", name="one_target"),
        UniqueConstraint(
            "method_id",
            "category_id",
            "product_id",
            name="shipping_method_exclusions_target_key",
            postgresql_nulls_not_distinct=True,
        ),
    )

    id: uuid.UUID = uuid_primary_key()
    method_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("shipping_methods.id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    category_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("categories.id", ondelete="CASCADE")),
    )
    product_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("products.id", ondelete="CASCADE")),
    )
