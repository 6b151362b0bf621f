"""Staff notes and tags on customers. Administrators write them (audited, in the same
transaction) and read them on the customer's page and beside the customer's orders,
and the staff orders list finds orders by a customer's tag.

Tags are typed as a comma-separated list and kept lower-case and trimmed ("VIP " and
"vip" are one tag), at most 20 per customer, each 1 to 40 letters, digits, spaces,
hyphens or underscores.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select

from backend.accounts.locks import lock_user_for_update
from backend.accounts.models import CustomerNote, CustomerTag
from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError

MAX_NOTE_LENGTH = 2000
MAX_TAGS = 20
MAX_TAG_LENGTH = 40
_TAG = re.compile(r"[\w \-]+")
TAG_HINT = (
    f"Tags are separated by commas: at most {MAX_TAGS}, each up to {MAX_TAG_LENGTH} letters, "
    "digits, spaces, hyphens or underscores."
)
NOTE_HINT = f"Write a note of 1 to {MAX_NOTE_LENGTH} characters."


@dataclass(frozen=True)
class Note:
    id: uuid.UUID
    body: str
    author: str
    created_at: datetime


@dataclass(frozen=True)
class CustomerRemarks:
    """What staff keep about one customer: tags (alphabetical) and notes (newest first)."""

    tags: tuple[str, ...]
    notes: tuple[Note, ...]


def parse_tags(text: str | Sequence[str]) -> list[str]:
    """ "VIP, wholesale ,vip" → ["vip", "wholesale"]; raises InvalidInputError. A list
    (the API's) is taken as the tags themselves: a comma inside one is refused."""
    tags: list[str] = []
    for part in text.split(",") if isinstance(text, str) else text:
        tag = " ".join(part.split()).lower()
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH or not _TAG.fullmatch(tag):
            raise InvalidInputError(TAG_HINT, {"tags": TAG_HINT})
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise InvalidInputError(TAG_HINT, {"tags": TAG_HINT})
    return tags


def normalised_tag(text: str) -> str:
    """How a typed tag is kept (and looked for): "  VIP " → "vip"."""
    return " ".join(text.split()).lower()[:MAX_TAG_LENGTH]


async def remarks_about(user_id: uuid.UUID, *, actor: Viewer) -> CustomerRemarks:
    require_permission(actor, Permission.CUSTOMERS, "read notes about customers")
    async with session_scope() as session:
        tags = (
            await session.exec(
                select(CustomerTag.tag)
                .where(col(CustomerTag.user_id) == user_id)
                .order_by(col(CustomerTag.tag))
            )
        ).all()
        notes = (
            await session.exec(
                select(CustomerNote)
                .where(col(CustomerNote.user_id) == user_id)
                .order_by(col(CustomerNote.created_at).desc(), col(CustomerNote.id))
            )
        ).all()
    return CustomerRemarks(
        tags=tuple(tags),
        notes=tuple(Note(n.id, n.body, n.author, n.created_at) for n in notes),
    )


async def add_note(user_id: uuid.UUID, body: str, *, actor: Viewer) -> Note:
    """Raises InvalidInputError for an empty or too long note, NotFoundError for an
    account that does not exist."""
    require_permission(actor, Permission.CUSTOMERS, "write notes about customers")
    text = body.strip()
    if not text or len(text) > MAX_NOTE_LENGTH or "\x00" in text:
        raise InvalidInputError(NOTE_HINT, {"note": NOTE_HINT})
    async with session_scope() as session:
        await lock_user_for_update(session, user_id)
        note = CustomerNote(user_id=user_id, body=text, author=audit.actor_label(actor))
        session.add(note)
        await session.flush()
        await session.refresh(note)
        audit.record(
            session,
            actor=actor,
            action="customer.note_added",
            entity_type="account",
            entity_id=user_id,
            after={"note": text},
        )
    return Note(note.id, note.body, note.author, note.created_at)


async def set_tags(
    user_id: uuid.UUID, text: str | Sequence[str], *, actor: Viewer
) -> tuple[str, ...]:
    """Replace the customer's tags with those typed (comma-separated) or listed; the tags
    kept, alphabetical. InvalidInputError (field `tags`), NotFoundError for no account."""
    require_permission(actor, Permission.CUSTOMERS, "tag customers")
    wanted = parse_tags(text)
    async with session_scope() as session:
        await lock_user_for_update(session, user_id)
        before = (
            await session.exec(select(CustomerTag.tag).where(col(CustomerTag.user_id) == user_id))
        ).all()
        await session.exec(delete(CustomerTag).where(col(CustomerTag.user_id) == user_id))
        session.add_all(CustomerTag(user_id=user_id, tag=tag) for tag in wanted)
        audit.record(
            session,
            actor=actor,
            action="customer.tags_changed",
            entity_type="account",
            entity_id=user_id,
            before={"tags": sorted(before)},
            after={"tags": sorted(wanted)},
        )
    return tuple(sorted(wanted))
