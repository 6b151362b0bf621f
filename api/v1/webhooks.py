"""Outbound webhooks for integrators (admins only): endpoints, their deliveries, retries.

Each delivery is a POST of `{"id", "type", "occurred_at", "object_id", "data"}` with the
headers `Kestrel-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`,
`Kestrel-Event-Id` and `Kestrel-Event-Type`. Any 2xx answer within 10 s counts as
received; otherwise it is tried again after 30 s, 2 min, 10 min, 1 h and 6 h, then marked
failed (retry it by hand). Delivery is at least once: deduplicate by `Kestrel-Event-Id`.
After a secret rotation the signature header carries a second `v1=` entry, made with the
previous secret, until `previous_secret_expires_at`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal, get_args

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field, JsonValue

from api.v1.auth import WebhooksStaff
from api.v1.edge import EdgeRoute
from api.v1.pagination import Paged, PageMeta
from api.v1.problems import problem_responses
from backend.core.pagination import MAX_PAGE_SIZE
from backend.webhooks import queries as webhook_queries
from backend.webhooks import services as webhooks
from backend.webhooks.event_types import DESCRIPTIONS, WEBHOOK_EVENT_TYPES
from backend.webhooks.schemas import (
    AttemptRecord,
    DeliveryDetail,
    DeliverySummary,
    EndpointSummary,
)

router = APIRouter(prefix="/webhooks", tags=["webhooks"], route_class=EdgeRoute)

EventType = Literal[
    "order.placed",
    "order.paid",
    "order.edited",
    "order.cancelled",
    "order.fulfilled",
    "payment.refunded",
    "product.changed",
    "products.changed",
    "stock.low",
    "inventory.updated",
]
assert set(get_args(EventType)) == set(WEBHOOK_EVENT_TYPES)  # one list, two spellings

EVENT_TYPES_HELP = "; ".join(f"`{name}`: {text}" for name, text in DESCRIPTIONS.items())


# Described to clients: each type once, so at most all of them (the service reads the
# list as a set, so repeats are not refused).
EACH_EVENT_TYPE_ONCE: dict[str, JsonValue] = {
    "maxItems": len(WEBHOOK_EVENT_TYPES),
    "uniqueItems": True,
}


class EndpointCreate(BaseModel):
    url: str = Field(
        max_length=webhooks.MAX_URL_LENGTH,
        examples=["https://example.com/hooks/kestrel"],
        description="https:// (http://localhost only outside production).",
    )
    event_types: list[EventType] = Field(
        min_length=1, description=EVENT_TYPES_HELP, json_schema_extra=EACH_EVENT_TYPE_ONCE
    )
    description: str = Field(default="", max_length=webhooks.MAX_DESCRIPTION_LENGTH)


class EndpointUpdate(BaseModel):
    url: str | None = Field(default=None, max_length=webhooks.MAX_URL_LENGTH)
    event_types: list[EventType] | None = Field(
        default=None, min_length=1, json_schema_extra=EACH_EVENT_TYPE_ONCE
    )
    description: str | None = Field(default=None, max_length=webhooks.MAX_DESCRIPTION_LENGTH)
    is_active: bool | None = Field(
        default=None, description="false disables the endpoint; its deliveries wait."
    )


class EndpointOut(BaseModel):
    id: uuid.UUID
    url: str
    description: str
    event_types: list[str]
    is_active: bool
    created_at: datetime
    updated_at: datetime
    previous_secret_expires_at: datetime | None = Field(
        description="After a secret rotation: until then deliveries carry a second `v1=` "
        "signature made with the previous secret."
    )

    @classmethod
    def of(cls, endpoint: EndpointSummary) -> EndpointOut:
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            description=endpoint.description,
            event_types=list(endpoint.event_types),
            is_active=endpoint.is_active,
            created_at=endpoint.created_at,
            updated_at=endpoint.updated_at,
            previous_secret_expires_at=endpoint.previous_secret_expires_at,
        )


class EndpointCreated(EndpointOut):
    secret: str = Field(description="Signs every delivery. Shown only now: store it.")


class SecretRotation(BaseModel):
    keep_previous_for_hours: int = Field(
        default=webhooks.DEFAULT_ROTATION_GRACE_HOURS,
        ge=0,
        le=webhooks.MAX_ROTATION_GRACE_HOURS,
        description="How long deliveries are signed with the old secret too; 0 retires it "
        "at once (after a leak).",
    )


class DeliveryOut(BaseModel):
    id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    status: Literal["pending", "succeeded", "failed"]
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    response_status: int | None
    duration_ms: int | None
    last_error: str | None
    created_at: datetime

    @classmethod
    def of(cls, delivery: DeliverySummary) -> DeliveryOut:
        return cls.model_validate(delivery, from_attributes=True)


class AttemptOut(BaseModel):
    started_at: datetime
    response_status: int | None
    response_body: str | None = Field(description="The start of the answer (2,000 characters).")
    duration_ms: int
    error: str | None

    @classmethod
    def of(cls, attempt: AttemptRecord) -> AttemptOut:
        return cls.model_validate(attempt, from_attributes=True)


class DeliveryDetailOut(DeliveryOut):
    attempt_log: list[AttemptOut]

    @classmethod
    def of_detail(cls, detail: DeliveryDetail) -> DeliveryDetailOut:
        return cls(
            **DeliveryOut.of(detail.delivery).model_dump(),
            attempt_log=[AttemptOut.of(attempt) for attempt in detail.attempts],
        )


class DeliveryListParams(BaseModel):
    page: int = Field(default=1, ge=1)
    limit: int = Field(default=25, ge=1, le=MAX_PAGE_SIZE)
    status: Literal["pending", "succeeded", "failed"] | None = None


@router.post(
    "/endpoints",
    status_code=status.HTTP_201_CREATED,
    response_model=EndpointCreated,
    summary="Register a webhook endpoint (admins)",
    responses=problem_responses(400, 401, 403),
)
async def create_endpoint(
    data: EndpointCreate, viewer: WebhooksStaff, response: Response
) -> EndpointCreated:
    """The answer holds the endpoint's signing `secret`, which is never shown again."""
    created = await webhooks.create_endpoint(
        viewer, url=data.url, event_types=data.event_types, description=data.description
    )
    response.headers["Location"] = f"/api/v1/webhooks/endpoints/{created.endpoint.id}"
    return EndpointCreated(**EndpointOut.of(created.endpoint).model_dump(), secret=created.secret)


@router.get(
    "/endpoints",
    response_model=list[EndpointOut],
    summary="Every webhook endpoint (admins)",
    responses=problem_responses(401, 403),
)
async def list_endpoints(viewer: WebhooksStaff) -> list[EndpointOut]:
    return [EndpointOut.of(endpoint) for endpoint in await webhook_queries.list_endpoints(viewer)]


@router.get(
    "/endpoints/{endpoint_id}",
    response_model=EndpointOut,
    summary="One webhook endpoint (admins)",
    responses=problem_responses(401, 403, 404),
)
async def get_endpoint(endpoint_id: uuid.UUID, viewer: WebhooksStaff) -> EndpointOut:
    return EndpointOut.of(await webhook_queries.get_endpoint(viewer, endpoint_id))


@router.patch(
    "/endpoints/{endpoint_id}",
    response_model=EndpointOut,
    summary="Change or disable a webhook endpoint (admins)",
    responses=problem_responses(400, 401, 403, 404),
)
async def update_endpoint(
    endpoint_id: uuid.UUID, data: EndpointUpdate, viewer: WebhooksStaff
) -> EndpointOut:
    endpoint = await webhooks.update_endpoint(
        viewer,
        endpoint_id,
        url=data.url,
        event_types=data.event_types,
        description=data.description,
        is_active=data.is_active,
    )
    return EndpointOut.of(endpoint)


@router.post(
    "/endpoints/{endpoint_id}/rotate-secret",
    response_model=EndpointCreated,
    summary="Give a webhook endpoint a new signing secret (admins)",
    responses=problem_responses(400, 401, 403, 404),
)
async def rotate_secret(
    endpoint_id: uuid.UUID, viewer: WebhooksStaff, data: SecretRotation | None = None
) -> EndpointCreated:
    """The answer holds the new `secret`, shown only now. During the grace period each
    delivery's `Kestrel-Signature` has two `v1=` entries (new and previous secret), so a
    receiver verifying either keeps accepting deliveries while it switches over."""
    rotation = data or SecretRotation()
    rotated = await webhooks.rotate_secret(
        viewer, endpoint_id, keep_previous_for_hours=rotation.keep_previous_for_hours
    )
    return EndpointCreated(**EndpointOut.of(rotated.endpoint).model_dump(), secret=rotated.secret)


@router.delete(
    "/endpoints/{endpoint_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a webhook endpoint and its delivery log (admins)",
    responses=problem_responses(401, 403, 404),
)
async def delete_endpoint(endpoint_id: uuid.UUID, viewer: WebhooksStaff) -> Response:
    await webhooks.delete_endpoint(viewer, endpoint_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/endpoints/{endpoint_id}/deliveries",
    response_model=Paged[DeliveryOut],
    summary="An endpoint's deliveries, newest first (admins)",
    responses=problem_responses(400, 401, 403, 404),
)
async def list_deliveries(
    endpoint_id: uuid.UUID,
    query: Annotated[DeliveryListParams, Query()],
    viewer: WebhooksStaff,
) -> Paged[DeliveryOut]:
    page = await webhook_queries.list_deliveries(
        viewer, endpoint_id, status=query.status, page=query.page, limit=query.limit
    )
    return Paged[DeliveryOut](
        items=[DeliveryOut.of(item) for item in page.items],
        pagination=PageMeta.of(page=page.page, limit=page.limit, total=page.total),
    )


@router.get(
    "/deliveries/{delivery_id}",
    response_model=DeliveryDetailOut,
    summary="One delivery with its attempt log (admins)",
    responses=problem_responses(401, 403, 404),
)
async def get_delivery(delivery_id: uuid.UUID, viewer: WebhooksStaff) -> DeliveryDetailOut:
    return DeliveryDetailOut.of_detail(await webhook_queries.get_delivery(viewer, delivery_id))


@router.post(
    "/deliveries/{delivery_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryOut,
    summary="Send a delivery again (admins)",
    responses=problem_responses(401, 403, 404, 409),
)
async def retry_delivery(delivery_id: uuid.UUID, viewer: WebhooksStaff) -> DeliveryOut:
    """Starts a fresh round of attempts for a failed (or succeeded) delivery; the worker
    sends it within seconds. 409 while the delivery is still being tried."""
    return DeliveryOut.of(await webhooks.retry_delivery(viewer, delivery_id))
