"""The audit log table."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlmodel import Field, SQLModel

from backend.core.tables import created_at_column, uuid_primary_key


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("audit_log_entity_idx", "entity_type", "entity_id", "created_at"),
        Index("audit_log_created_at_idx", "created_at"),
    )

    id: uuid.UUID = uuid_primary_key()
    actor_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")),
    )
    # Who, as they were named then ("alice (admin)"), or "system".
    actor: str = Field(sa_column=Column(String(150), nullable=False))
    action: str = Field(sa_column=Column(String(60), nullable=False))  # "order.fulfilled"
    entity_type: str = Field(sa_column=Column(String(40), nullable=False))
    entity_id: str = Field(sa_column=Column(String(100), nullable=False))
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    created_at: datetime = created_at_column()
