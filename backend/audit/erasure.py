"""Taking a person out of the audit log: entries keep who acted, what and when; values in
their before/after that name the person are replaced."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import String, cast, or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.models import AuditEntry
from backend.core.like import contains_pattern
from backend.core.redaction import redact


async def redact_entries(session: AsyncSession, needles: Collection[str]) -> int:
    if not needles:
        return 0
    patterns = [contains_pattern(needle) for needle in needles]
    entries = (
        await session.exec(
            select(AuditEntry).where(
                or_(
                    *(cast(AuditEntry.before, String).ilike(p) for p in patterns),
                    *(cast(AuditEntry.after, String).ilike(p) for p in patterns),
                )
            )
        )
    ).all()
    for entry in entries:
        entry.before = redact(entry.before, needles)
        entry.after = redact(entry.after, needles)
        session.add(entry)
    return len(entries)
