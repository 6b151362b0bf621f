"""What the shop sent to customers (e-mails and texts, with one-time links already
removed from the record) and the event deliveries that failed for good (dead letters),
with a retry. The customers permission, as the admin's Messages page."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from api.v1.auth import CustomersStaff
from api.v1.edge import EdgeRoute
from api.v1.pagination import Paged, PageMeta
from api.v1.problems import problem_responses
from backend.core.pagination import MAX_PAGE_SIZE
from backend.events.schemas import DeadLetter
from backend.notifications import message_log
from backend.notifications.schemas import MessageDetail, MessageSummary

router = APIRouter(tags=["messages"], route_class=EdgeRoute)

HANDLER_MAX_LENGTH = 100  # event_deliveries.handler
RECIPIENT_MAX_LENGTH = 255


class MessageOut(BaseModel):
    id: uuid.UUID
    channel: Literal["email", "sms"]
    recipient: str = Field(description="The e-mail address or phone number.")
    template: str = Field(examples=["order_confirmation"])
    subject: str = Field(description="Empty for a text message.", examples=["Your order"])
    status: Literal["pending", "sent", "stored", "failed"] = Field(
        description="`stored`: kept instead of sent (no mail or SMS provider configured)."
    )
    attempts: int = Field(ge=0)
    provider_message_id: str | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None

    @classmethod
    def of(cls, message: MessageSummary) -> MessageOut:
        return cls(
            id=message.id,
            channel="sms" if message.channel == "sms" else "email",
            recipient=message.recipient,
            template=message.template,
            subject=message.subject or "",
            status=message.status,
            attempts=message.attempts,
            provider_message_id=message.provider_message_id,
            last_error=message.last_error,
            created_at=message.created_at,
            sent_at=message.sent_at,
        )


class MessageDetailOut(MessageOut):
    body_text: str
    body_html: str | None

    @classmethod
    def of_detail(cls, message: MessageDetail) -> MessageDetailOut:
        return cls(
            **MessageOut.of(message).model_dump(),
            body_text=message.body_text,
            body_html=message.body_html,
        )


class DeadLetterOut(BaseModel):
    event_id: uuid.UUID
    event_type: str = Field(examples=["order.paid"])
    aggregate_id: str = Field(description="What the event is about (an order's id, …).")
    handler: str = Field(description="What failed to handle it; name it to retry.")
    attempts: int = Field(ge=0)
    last_error: str
    occurred_at: datetime
    failed_at: datetime

    @classmethod
    def of(cls, dead: DeadLetter) -> DeadLetterOut:
        return cls(
            event_id=dead.event_id,
            event_type=dead.event_type,
            aggregate_id=dead.aggregate_id,
            handler=dead.handler,
            attempts=dead.attempts,
            last_error=dead.last_error,
            occurred_at=dead.occurred_at,
            failed_at=dead.failed_at,
        )


class RedeliverIn(BaseModel):
    handler: str = Field(
        min_length=1,
        max_length=HANDLER_MAX_LENGTH,
        description="The dead letter's `handler`.",
        examples=["send_email_verification"],
    )


@router.get(
    "/admin/messages",
    response_model=Paged[MessageOut],
    summary="Messages sent (or kept) for customers, newest first",
    responses=problem_responses(400, 401, 403),
)
async def list_messages(
    viewer: CustomersStaff,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
    recipient: Annotated[
        str | None,
        Query(
            max_length=RECIPIENT_MAX_LENGTH,
            description="Only those to this e-mail address or phone number (any case).",
        ),
    ] = None,
) -> Paged[MessageOut]:
    result = await message_log.list_messages(
        viewer, page=page, limit=limit, recipient=(recipient or "").strip() or None
    )
    return Paged[MessageOut](
        items=[MessageOut.of(message) for message in result.items],
        pagination=PageMeta.of(page=result.page, limit=result.limit, total=result.total),
    )


@router.get(
    "/admin/messages/{message_id}",
    response_model=MessageDetailOut,
    summary="One message with its text (and HTML for an e-mail)",
    responses=problem_responses(400, 401, 403, 404),
)
async def get_message(message_id: uuid.UUID, viewer: CustomersStaff) -> MessageDetailOut:
    return MessageDetailOut.of_detail(await message_log.get_message(viewer, message_id))


@router.get(
    "/admin/dead-letters",
    response_model=list[DeadLetterOut],
    summary=f"Event deliveries that failed for good, the newest {message_log.DEAD_LETTER_LIMIT}",
    responses=problem_responses(401, 403),
)
async def list_dead_letters(viewer: CustomersStaff) -> list[DeadLetterOut]:
    return [DeadLetterOut.of(dead) for dead in await message_log.list_dead_letters(viewer)]


@router.post(
    "/admin/dead-letters/{event_id}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Try a dead letter again: the worker delivers it afresh shortly",
    description="404 when that event and handler is not a dead letter (any more).",
    responses=problem_responses(400, 401, 403, 404),
)
async def redeliver(event_id: uuid.UUID, data: RedeliverIn, viewer: CustomersStaff) -> Response:
    await message_log.redeliver(viewer, event_id, data.handler)
    return Response(status_code=status.HTTP_202_ACCEPTED)
