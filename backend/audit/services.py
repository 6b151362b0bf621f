"""Recording and reading audit entries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.models import AuditEntry
from backend.core.db import session_scope
from backend.core.pagination import Page, clamp_page
from backend.core.serialization import json_ready


class Actor(Protocol):
    """Who did it, as the audit log names them (accounts' `Viewer` is one); audit sits
    below accounts, so it names the shape it reads, not the accounts class."""

    @property
    def user_id(self) -> uuid.UUID: ...

    @property
    def username(self) -> str: ...

    @property
    def is_staff(self) -> bool: ...


def actor_label(actor: Actor | None) -> str:
    if actor is None:
        return "system"
    return f"{actor.username} ({'staff' if actor.is_staff else 'customer'})"


def record(
    session: AsyncSession,
    *,
    actor: Actor | None,
    action: str,
    entity_type: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add an entry to the caller's transaction (values made JSON-safe: money as text)."""
    session.add(
        AuditEntry(
            actor_id=actor.user_id if actor else None,
            actor=actor_label(actor),
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id),
            before=json_ready(before) if before is not None else None,
            after=json_ready(after) if after is not None else None,
        )
    )


async def delete_recorded(
    session: AsyncSession,
    row: object,
    *,
    actor: Actor | None,
    entity_type: str,
    entity_id: object,
    before: dict[str, Any],
) -> None:
    """Delete the caller's `row` in the caller's transaction, with its entry
    (`<entity_type>.deleted`, `before`: what it was)."""
    await session.delete(row)
    record(
        session,
        actor=actor,
        action=f"{entity_type}.deleted",
        entity_type=entity_type,
        entity_id=entity_id,
        before=before,
    )


@dataclass(frozen=True)
class AuditRecord:
    at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


async def list_entries(
    *, entity_type: str = "", entity_id: str = "", action: str = "", page: int = 1, limit: int = 50
) -> Page[AuditRecord]:
    """Newest first, optionally for one kind of thing, one thing, or one kind of action."""
    page, limit = clamp_page(page, limit)
    conditions: list[ColumnElement[bool]] = []
    if entity_type:
        conditions.append(col(AuditEntry.entity_type) == entity_type[:40])
    if entity_id:
        conditions.append(col(AuditEntry.entity_id) == entity_id[:100])
    if action:
        conditions.append(col(AuditEntry.action).startswith(action[:60]))
    async with session_scope() as session:
        rows = (
            await session.exec(
                select(AuditEntry)
                .where(*conditions)
                .order_by(col(AuditEntry.created_at).desc(), col(AuditEntry.id))
                .offset((page - 1) * limit)
                .limit(limit)
            )
        ).all()
        total = (
            await session.exec(select(func.count()).select_from(AuditEntry).where(*conditions))
        ).one()
    return Page(
        items=[
            AuditRecord(
                r.created_at, r.actor, r.action, r.entity_type, r.entity_id, r.before, r.after
            )
            for r in rows
        ],
        total=total,
        page=page,
        limit=limit,
    )
