"""Managing webhook endpoints (admins only), manual retries of deliveries, and the fan-out
of an event to its subscribed endpoints (called by the worker's handler). Reads are in
`queries.py`.

Every staff-facing function checks `require_permission` itself, whatever the page or route
already checked.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, func, literal, true
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.events.base import DomainEvent
from backend.settings import get_settings
from backend.webhooks.destinations import LOCAL_HOSTS, literal_address_problem
from backend.webhooks.errors import DeliveryAlreadyScheduledError
from backend.webhooks.event_types import WEBHOOK_EVENT_TYPES, public_name_of
from backend.webhooks.locks import (
    lock_delivery_for_update,
    lock_endpoint_for_update,
)
from backend.webhooks.models import WebhookDelivery, WebhookEndpoint
from backend.webhooks.queries import WHAT
from backend.webhooks.schemas import (
    CreatedEndpoint,
    DeliverySummary,
    EndpointSummary,
)

MAX_URL_LENGTH = 2000
MAX_DESCRIPTION_LENGTH = 200
SECRET_PREFIX = "whsec_"  # noqa: S105 (a label, not a secret)
DEFAULT_ROTATION_GRACE_HOURS = 24
MAX_ROTATION_GRACE_HOURS = 7 * 24


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def validate_url(url: str) -> str:
    """An absolute https:// URL (http:// to localhost outside production), without
    credentials or fragment. Raises InvalidInputError naming the `url` field."""

    def refuse(message: str) -> InvalidInputError:
        return InvalidInputError(message, {"url": message})

    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise refuse(f"Enter a URL of at most {MAX_URL_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        _ = parts.port  # a malformed port raises here
    except ValueError as error:
        raise refuse("This is not a valid URL.") from error
    if not hostname:
        raise refuse("The URL needs a host name.")
    if parts.username or parts.password:
        raise refuse("Leave credentials out of the URL; deliveries are signed instead.")
    if parts.fragment:
        raise refuse("A webhook URL cannot have a #fragment.")
    problem = literal_address_problem(url)
    if problem:
        raise refuse(problem)
    if parts.scheme == "https":
        return url
    if parts.scheme == "http" and hostname in LOCAL_HOSTS and not get_settings().is_production:
        return url
    raise refuse("Use an https:// URL (plain http:// only to localhost, outside production).")


def validate_event_types(event_types: Iterable[str]) -> list[str]:
    chosen = sorted(set(event_types))
    if not chosen:
        raise InvalidInputError(
            "Choose at least one event type.", {"event_types": "Choose at least one event type."}
        )
    unknown = [name for name in chosen if name not in WEBHOOK_EVENT_TYPES]
    if unknown:
        message = f"Unknown event type(s): {', '.join(unknown)}."
        raise InvalidInputError(message, {"event_types": message})
    return chosen


def _validate_description(description: str) -> str:
    description = description.strip()
    if len(description) > MAX_DESCRIPTION_LENGTH:
        message = f"Keep the description to {MAX_DESCRIPTION_LENGTH} characters."
        raise InvalidInputError(message, {"description": message})
    return description


def _audit_view(row: WebhookEndpoint) -> dict[str, object]:
    # Never the secret.
    return {
        "url": row.url,
        "description": row.description,
        "event_types": list(row.event_types),
        "is_active": row.is_active,
    }


async def create_endpoint(
    actor: Viewer | None,
    *,
    url: str,
    event_types: Iterable[str],
    description: str = "",
) -> CreatedEndpoint:
    """Register an endpoint; the returned secret is not shown again."""
    admin = require_permission(actor, Permission.WEBHOOKS, WHAT)
    row = WebhookEndpoint(
        url=validate_url(url),
        event_types=validate_event_types(event_types),
        description=_validate_description(description),
        secret=new_secret(),
        created_by=admin.user_id,
    )
    async with session_scope() as session:
        session.add(row)
        await session.flush()
        await session.refresh(row)
        audit.record(
            session,
            actor=admin,
            action="webhook_endpoint.created",
            entity_type="webhook_endpoint",
            entity_id=row.id,
            after=_audit_view(row),
        )
        return CreatedEndpoint(endpoint=EndpointSummary.of(row), secret=row.secret)


async def update_endpoint(
    actor: Viewer | None,
    endpoint_id: uuid.UUID,
    *,
    url: str | None = None,
    event_types: Iterable[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> EndpointSummary:
    """Change what is given; `is_active=False` disables the endpoint (its pending
    deliveries wait, and are sent if it is enabled again)."""
    admin = require_permission(actor, Permission.WEBHOOKS, WHAT)
    new_url = None if url is None else validate_url(url)
    new_types = None if event_types is None else validate_event_types(event_types)
    new_description = None if description is None else _validate_description(description)
    async with session_scope() as session:
        row = await lock_endpoint_for_update(session, endpoint_id)
        before = _audit_view(row)
        if new_url is not None:
            row.url = new_url
        if new_types is not None:
            row.event_types = new_types
        if new_description is not None:
            row.description = new_description
        if is_active is not None:
            row.is_active = is_active
        row.updated_at = utcnow()
        audit.record(
            session,
            actor=admin,
            action="webhook_endpoint.updated",
            entity_type="webhook_endpoint",
            entity_id=row.id,
            before=before,
            after=_audit_view(row),
        )
        return EndpointSummary.of(row)


async def rotate_secret(
    actor: Viewer | None,
    endpoint_id: uuid.UUID,
    *,
    keep_previous_for_hours: int = DEFAULT_ROTATION_GRACE_HOURS,
) -> CreatedEndpoint:
    """Give the endpoint a new signing secret (returned here, once). For
    `keep_previous_for_hours` deliveries are signed with the old secret too, so the
    receiver can switch over without refusing anything; 0 retires the old one at once
    (after a leak). A rotation during a grace period retires the older secret."""
    admin = require_permission(actor, Permission.WEBHOOKS, WHAT)
    if not 0 <= keep_previous_for_hours <= MAX_ROTATION_GRACE_HOURS:
        message = (
            f"Keep the previous secret for 0 to {MAX_ROTATION_GRACE_HOURS} hours "
            f"({MAX_ROTATION_GRACE_HOURS // 24} days)."
        )
        raise InvalidInputError(message, {"keep_previous_for_hours": message})
    async with session_scope() as session:
        row = await lock_endpoint_for_update(session, endpoint_id)
        now = utcnow()
        if keep_previous_for_hours:
            row.previous_secret = row.secret
            row.previous_secret_expires_at = now + timedelta(hours=keep_previous_for_hours)
        else:
            row.previous_secret = row.previous_secret_expires_at = None
        row.secret = new_secret()
        row.updated_at = now
        audit.record(
            session,
            actor=admin,
            action="webhook_endpoint.secret_rotated",
            entity_type="webhook_endpoint",
            entity_id=row.id,
            after={
                "url": row.url,
                "previous_secret_valid_until": (
                    row.previous_secret_expires_at.isoformat()
                    if row.previous_secret_expires_at
                    else None
                ),
            },
        )
        return CreatedEndpoint(endpoint=EndpointSummary.of(row), secret=row.secret)


async def disable_endpoint(actor: Viewer | None, endpoint_id: uuid.UUID) -> EndpointSummary:
    return await update_endpoint(actor, endpoint_id, is_active=False)


async def delete_endpoint(actor: Viewer | None, endpoint_id: uuid.UUID) -> None:
    """Remove the endpoint with its delivery log; nothing more is sent to it."""
    admin = require_permission(actor, Permission.WEBHOOKS, WHAT)
    async with session_scope() as session:
        row = await lock_endpoint_for_update(session, endpoint_id)
        audit.record(
            session,
            actor=admin,
            action="webhook_endpoint.deleted",
            entity_type="webhook_endpoint",
            entity_id=row.id,
            before=_audit_view(row),
        )
        await session.exec(delete(WebhookEndpoint).where(col(WebhookEndpoint.id) == endpoint_id))


async def retry_delivery(actor: Viewer | None, delivery_id: uuid.UUID) -> DeliverySummary:
    """Send a failed (or already succeeded) delivery again, with a fresh round of attempts:
    the worker picks it up within seconds."""
    admin = require_permission(actor, Permission.WEBHOOKS, WHAT)
    async with session_scope() as session:
        row = await lock_delivery_for_update(session, delivery_id)
        if row.status == "pending":
            raise DeliveryAlreadyScheduledError(
                "This delivery is still being tried; it is sent again automatically."
            )
        audit.record(
            session,
            actor=admin,
            action="webhook_delivery.retried",
            entity_type="webhook_delivery",
            entity_id=row.id,
            before={"status": row.status, "attempts": row.attempts},
        )
        row.status = "pending"
        row.attempts = 0
        row.next_attempt_at = utcnow()
        row.updated_at = utcnow()
        return DeliverySummary.of(row)


async def create_deliveries_for(event: DomainEvent) -> int:
    """One pending delivery per active endpoint subscribed to this event, due now.

    Idempotent (UNIQUE (event_id, endpoint_id)): the handler calling this may run again.
    Returns the number of deliveries created this time."""
    public_name = public_name_of(event.event_type)
    if public_name is None:
        return 0
    subscribed = select(
        literal(event.event_id),
        WebhookEndpoint.id,
        literal(public_name),
        func.now(),
    ).where(
        col(WebhookEndpoint.is_active) == true(),
        col(WebhookEndpoint.event_types).contains([public_name]),
    )
    statement = (
        insert(WebhookDelivery)
        .from_select(["event_id", "endpoint_id", "event_type", "next_attempt_at"], subscribed)
        .on_conflict_do_nothing(index_elements=["event_id", "endpoint_id"])
    )
    async with session_scope() as session:
        result = await session.exec(statement)
        return int(result.rowcount or 0)
