"""The record of messages sent to customers, and the event deliveries that failed for
good (dead letters), as staff read them on the admin's Messages page and through the REST
API (the customers permission, as that page).

`queries` and `backend.events.deliveries` check nobody (the worker and `jobs.cli` use
them too); these check first.
"""

from __future__ import annotations

import uuid

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.core.pagination import Page
from backend.events import deliveries
from backend.events.schemas import DeadLetter
from backend.notifications import queries
from backend.notifications.schemas import MessageDetail, MessageSummary

DEAD_LETTER_LIMIT = 100  # the newest this many


def _allowed(actor: Viewer, what: str) -> None:
    require_permission(actor, Permission.CUSTOMERS, what)


async def list_messages(
    actor: Viewer, *, page: int = 1, limit: int = 25, recipient: str | None = None
) -> Page[MessageSummary]:
    """Newest first; `recipient`: only those to this address or number (any case)."""
    _allowed(actor, "read messages sent to customers")
    return await queries.list_messages(page=page, limit=limit, recipient=recipient)


async def get_message(actor: Viewer, message_id: uuid.UUID) -> MessageDetail:
    """NotFoundError if there is no such message."""
    _allowed(actor, "read messages sent to customers")
    return await queries.get_message(message_id)


async def list_dead_letters(actor: Viewer) -> list[DeadLetter]:
    """The newest failed-for-good deliveries first."""
    _allowed(actor, "see failed deliveries")
    return await deliveries.list_dead_letters(limit=DEAD_LETTER_LIMIT)


async def redeliver(actor: Viewer, event_id: uuid.UUID, handler: str) -> None:
    """Give a dead letter a fresh set of attempts; NotFoundError if it is not one (any
    more)."""
    _allowed(actor, "retry failed deliveries")
    await deliveries.redeliver(event_id, handler)
