"""Tables of the inventory domain: the stock ledger.

`product_variants.stock_quantity` is the stock on hand of what is sold (the product row
holds the sum, kept by the database); every change to it (an order reserving, a
cancellation returning, staff adjusting) is also written here, with why and by whom, in
the same transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, String
from sqlalchemy.dialects.postgresql import UUID
from sqlmodel import Field, SQLModel

from backend.core.tables import created_at_column, uuid_primary_key


class StockMovement(SQLModel, table=True):
    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint("change <> 0", name="change_not_zero"),
        CheckConstraint("quantity_after >= 0", name="quantity_after_not_negative"),
        Index("stock_movements_product_id_idx", "product_id", "created_at"),
        Index("stock_movements_order_id_idx", "order_id"),
        Index("stock_movements_variant_id_idx", "variant_id", "created_at"),
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
    change: int = Field(sa_column=Column(Integer, nullable=False))
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
