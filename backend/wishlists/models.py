"""Tables of the wishlists domain: one wishlist per shopper, its saved products.

The share token is kept as it is (not hashed) on purpose: it only grants reading a list
the owner chose to share, and the owner must be able to copy the link again later.
Revoking sets it to NULL, so an old link finds nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import UUID
from sqlmodel import Field, SQLModel

from backend.core.tables import created_at_column, uuid_primary_key


class Wishlist(SQLModel, table=True):
    __tablename__ = "wishlists"
    __table_args__ = (
        UniqueConstraint("user_id"),
        UniqueConstraint("share_token"),
    )

    id: uuid.UUID = uuid_primary_key()
    user_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        )
    )
    share_token: str | None = Field(default=None, sa_column=Column(String(64)))
    created_at: datetime = created_at_column()


class WishlistItem(SQLModel, table=True):
    __tablename__ = "wishlist_items"
    __table_args__ = (
        UniqueConstraint("wishlist_id", "product_id"),
        Index("wishlist_items_product_id_idx", "product_id"),
    )

    id: uuid.UUID = uuid_primary_key()
    wishlist_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("wishlists.id", ondelete="CASCADE"), nullable=False
        )
    )
    product_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("products.id", ondelete="CASCADE"), nullable=False
        )
    )
    # The size or colour the shopper chose, if any (the product's page opens on it).
    variant_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("product_variants.id", ondelete="SET NULL")
        ),
    )
    created_at: datetime = created_at_column()
