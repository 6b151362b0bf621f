"""Tables of the gift cards domain: the cards and the ledger of every movement of their
balances (docs/adr/0012-gift-cards.md).

A card's code is never stored: only its SHA-256 (to find the card when a shopper types
it) and its last four characters (for people to tell cards apart). A card bought in the
shop gets its code when it is e-mailed, on the buyer's chosen day.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlmodel import Field, SQLModel

from backend.core.tables import created_at_column, updated_at_column, uuid_primary_key

SOURCES = ("purchase", "staff")
MOVEMENT_KINDS = ("issued", "redeemed", "returned", "refunded", "adjusted", "expired")


class GiftCard(SQLModel, table=True):
    """A balance in the shop's currency that pays for orders until it is spent, switched
    off or past its expiry date. The balance only changes with a ledger entry beside it,
    in the same transaction, under the card's row lock (`locks.py`)."""

    __tablename__ = "gift_cards"
    __table_args__ = (
        CheckConstraint("source IN ('purchase', 'staff')", name="source_known"),
        CheckConstraint("initial_amount > 0", name="initial_amount_positive"),
        CheckConstraint("balance >= 0", name="balance_not_negative"),
        CheckConstraint(
            "(code_hash IS NULL) = (last_four IS NULL)", name="code_hash_with_last_four"
        ),
        CheckConstraint(
            "source <> 'purchase' OR order_line_id IS NOT NULL", name="purchase_has_line"
        ),
        Index("gift_cards_last_four_idx", "last_four"),
        Index("gift_cards_recipient_email_idx", text("lower(recipient_email)")),
        Index(
            "gift_cards_due_idx",
            "send_at",
            postgresql_where=text("delivered_at IS NULL AND recipient_email IS NOT NULL"),
        ),
    )

    id: uuid.UUID = uuid_primary_key()
    # SHA-256 of the normalised code (`codes.py`); NULL until the code is made.
    code_hash: str | None = Field(default=None, sa_column=Column(String(64), unique=True))
    last_four: str | None = Field(default=None, sa_column=Column(String(4)))
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    initial_amount: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    balance: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    # Staff switch a card off (a lost code, fraud); it keeps its balance and ledger.
    is_active: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, server_default=text("true"))
    )
    expires_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    source: str = Field(sa_column=Column(String(10), nullable=False))
    # A bought card: the order line that paid for it (one card per line: issuing twice
    # finds the first). No foreign key to the order: orders sit above gift cards.
    order_line_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("order_lines.id", ondelete="SET NULL"), unique=True
        ),
    )
    # Who gets it by e-mail, when (NULL: at once), and the buyer's words; NULL e-mail: the
    # code was shown to the staff member who issued it, once.
    recipient_email: str | None = Field(default=None, sa_column=Column(String(255)))
    recipient_name: str = Field(
        default="", sa_column=Column(String(120), nullable=False, server_default=text("''"))
    )
    sender_name: str = Field(
        default="", sa_column=Column(String(120), nullable=False, server_default=text("''"))
    )
    message: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    send_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    # Staff's own words about it ("Apology for order KG-…").
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_by: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")),
    )
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()


class GiftCardMovement(SQLModel, table=True):
    """One change of a card's balance: issued (+), redeemed for an order (−), returned
    when that order was cancelled unpaid (+), refunded from a paid order (+), adjusted by
    staff (±) or expired (−). The entries of a card add up to its balance."""

    __tablename__ = "gift_card_movements"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('issued', 'redeemed', 'returned', 'refunded', 'adjusted', 'expired')",
            name="kind_known",
        ),
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        CheckConstraint("balance_after >= 0", name="balance_after_not_negative"),
        CheckConstraint(
            "CASE kind WHEN 'adjusted' THEN true"
            " WHEN 'redeemed' THEN amount < 0 WHEN 'expired' THEN amount < 0"
            " ELSE amount > 0 END",
            name="amount_sign",
        ),
        # A refund or a return is written once per request, however often it is retried.
        UniqueConstraint("gift_card_id", "kind", "reference"),
        Index("gift_card_movements_card_idx", "gift_card_id", "created_at"),
        Index(
            "gift_card_movements_order_idx",
            "order_id",
            postgresql_where=text("order_id IS NOT NULL"),
        ),
    )

    id: uuid.UUID = uuid_primary_key()
    gift_card_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("gift_cards.id", ondelete="RESTRICT"), nullable=False
        )
    )
    kind: str = Field(sa_column=Column(String(10), nullable=False))
    amount: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    balance_after: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    # The order it paid for or came back from; no foreign key (orders sit above).
    order_id: uuid.UUID | None = Field(default=None, sa_column=Column(UUID(as_uuid=True)))
    # What made it, unique per card and kind when given ("refund:<order>:<key>").
    reference: str | None = Field(default=None, sa_column=Column(String(160)))
    actor: str = Field(sa_column=Column(String(100), nullable=False))
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = created_at_column()
