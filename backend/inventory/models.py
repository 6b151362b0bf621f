"""Tables of the inventory domain: stock locations, the stock of each variant at each,
what each order took from where, and the stock ledger.

Stock lives at locations (`location_stock`: warehouses and stores). What the storefront
sells is the stock of the locations that sell online: `product_variants.stock_quantity`
is their sum (the product row holds the sum of its variants, kept by the database), kept
equal by every change here, in the same transaction. Every change (an order reserving, a
cancellation returning, staff adjusting or moving stock) is also written to the ledger,
per location, with why and by whom.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlmodel import Field, SQLModel

from backend.core.tables import created_at_column, updated_at_column, uuid_primary_key

MAX_LOCATION_NAME = 80


class StockLocation(SQLModel, table=True):
    """A warehouse or store that holds stock. Orders take stock from the locations that
    sell online, lowest `priority` first."""

    __tablename__ = "stock_locations"
    __table_args__ = (
        CheckConstraint(
            f"char_length(btrim(name)) BETWEEN 1 AND {MAX_LOCATION_NAME}", name="name_length"
        ),
        CheckConstraint("priority BETWEEN 1 AND 1000", name="priority_in_range"),
        Index("stock_locations_name_key", text("lower(name)"), unique=True),
    )

    id: uuid.UUID = uuid_primary_key()
    name: str = Field(sa_column=Column(String(MAX_LOCATION_NAME), nullable=False))
    # Where it is: line1, city, postal_code, country (for packing slips and staff).
    address: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    )
    sells_online: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, server_default=text("true"))
    )
    priority: int = Field(sa_column=Column(Integer, nullable=False))
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()


class LocationStock(SQLModel, table=True):
    """How many of a variant one location holds."""

    __tablename__ = "location_stock"
    __table_args__ = (
        PrimaryKeyConstraint("location_id", "variant_id"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        Index("location_stock_variant_id_idx", "variant_id"),
    )

    location_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("stock_locations.id", ondelete="RESTRICT"),
            nullable=False,
        )
    )
    variant_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("product_variants.id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    quantity: int = Field(sa_column=Column(Integer, nullable=False))


class StockAllocation(SQLModel, table=True):
    """How many of a variant an order holds from one location: taken when the order is
    placed (or changed), given back there when it is cancelled or returned."""

    __tablename__ = "stock_allocations"
    __table_args__ = (
        UniqueConstraint("order_id", "variant_id", "location_id"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        Index("stock_allocations_location_id_idx", "location_id"),
    )

    id: uuid.UUID = uuid_primary_key()
    order_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("orders.id", ondelete="CASCADE"), nullable=False
        )
    )
    variant_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("product_variants.id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    location_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("stock_locations.id", ondelete="RESTRICT"),
            nullable=False,
        )
    )
    quantity: int = Field(sa_column=Column(Integer, nullable=False))


class StockMovement(SQLModel, table=True):
    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint("change <> 0", name="change_not_zero"),
        CheckConstraint("quantity_after >= 0", name="quantity_after_not_negative"),
        Index("stock_movements_product_id_idx", "product_id", "created_at"),
        Index("stock_movements_order_id_idx", "order_id"),
        Index("stock_movements_variant_id_idx", "variant_id", "created_at"),
        Index("stock_movements_location_id_idx", "location_id", "created_at"),
    )

    id: uuid.UUID = uuid_primary_key()
    product_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("products.id", ondelete="CASCADE"), nullable=False
        )
    )
    variant_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("product_variants.id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    # Where: the location whose stock changed (rows from before locations existed: the
    # first one, which held all stock then).
    location_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("stock_locations.id", ondelete="RESTRICT"),
            nullable=False,
        )
    )
    change: int = Field(sa_column=Column(Integer, nullable=False))
    # The location's quantity after the change.
    quantity_after: int = Field(sa_column=Column(Integer, nullable=False))
    # "order_placed", "order_cancelled", "order_expired", "adjustment", "restock", …
    reason: str = Field(sa_column=Column(String(40), nullable=False))
    order_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("orders.id", ondelete="SET NULL")),
    )
    # Who: a user id for staff adjustments; None for the system and shoppers' orders.
    actor_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")),
    )
    note: str | None = Field(default=None, sa_column=Column(String(500)))
    created_at: datetime = created_at_column()
