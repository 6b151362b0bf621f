"""What the webhooks services hand out: endpoints (never their secret, except once at
creation), deliveries and the attempt log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from backend.core.clock import utcnow
from backend.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


@dataclass(frozen=True)
class EndpointSummary:
    id: uuid.UUID
    url: str
    description: str
    event_types: tuple[str, ...]
    is_active: bool
    created_at: datetime
    updated_at: datetime
    # Set after a rotation: deliveries are signed with the old secret too until then.
    previous_secret_expires_at: datetime | None

    @classmethod
    def of(cls, row: WebhookEndpoint) -> EndpointSummary:
        return cls(
            id=row.id,
            url=row.url,
            description=row.description,
            event_types=tuple(row.event_types),
            is_active=row.is_active,
            created_at=row.created_at,
            updated_at=row.updated_at,
            previous_secret_expires_at=(
                row.previous_secret_expires_at
                if row.previous_secret_expires_at and row.previous_secret_expires_at > utcnow()
                else None  # retired already
            ),
        )


@dataclass(frozen=True)
class CreatedEndpoint:
    """The endpoint and its new signing secret: the only time the secret is shown (at
    creation and after a rotation)."""

    endpoint: EndpointSummary
    secret: str


@dataclass(frozen=True)
class DeliverySummary:
    id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    response_status: int | None
    duration_ms: int | None
    last_error: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: WebhookDelivery) -> DeliverySummary:
        return cls(
            id=row.id,
            endpoint_id=row.endpoint_id,
            event_id=row.event_id,
            event_type=row.event_type,
            status=row.status,
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            last_attempt_at=row.last_attempt_at,
            response_status=row.response_status,
            duration_ms=row.duration_ms,
            last_error=row.last_error,
            created_at=row.created_at,
        )


@dataclass(frozen=True)
class AttemptRecord:
    started_at: datetime
    response_status: int | None
    response_body: str | None
    duration_ms: int
    error: str | None

    @classmethod
    def of(cls, row: WebhookAttempt) -> AttemptRecord:
        return cls(
            started_at=row.started_at,
            response_status=row.response_status,
            response_body=row.response_body,
            duration_ms=row.duration_ms,
            error=row.error,
        )


@dataclass(frozen=True)
class DeliveryDetail:
    delivery: DeliverySummary
    attempts: tuple[AttemptRecord, ...]  # oldest first
