"""Gift cards: a holder checks a balance by code (no account needed; the code goes in the
body, never the address, and unknown codes count as guesses: too many from one network
address answer 429 for a while); admins issue, find, adjust, switch off and resend cards.
Paying with a card is `gift_card_code` on `POST /orders`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.v1.auth import PromotionsStaff
from api.v1.edge import EdgeRoute
from api.v1.pagination import Paged, PageMeta
from api.v1.problems import problem_responses
from backend.core.client_address import address_of_scope
from backend.core.money import decimal_string
from backend.giftcards import codes, delivery, services
from backend.giftcards import queries as gift_cards
from backend.giftcards.inputs import AdjustInput, IssueInput
from backend.giftcards.queries import CardDetail, CardSummary, Movement

router = APIRouter(tags=["gift cards"], route_class=EdgeRoute)


class BalanceIn(BaseModel):
    code: str = Field(
        min_length=1, max_length=codes.MAX_TYPED_LENGTH, examples=["7Q4M-2XH9-KDPB-W3RT"]
    )


class MovementOut(BaseModel):
    at: datetime
    kind: Literal["issued", "redeemed", "returned", "refunded", "adjusted", "expired"]
    label: str = Field(examples=["Paid for an order"])
    amount: str = Field(examples=["-25.00"], description="Signed: spent amounts are negative.")
    balance_after: str

    @classmethod
    def of(cls, movement: Movement) -> MovementOut:
        return cls(
            at=movement.at,
            kind=movement.kind,
            label=movement.label,
            amount=decimal_string(movement.amount),
            balance_after=decimal_string(movement.balance_after),
        )


class BalanceOut(BaseModel):
    last_four: str
    balance: str = Field(examples=["17.50"])
    currency: str
    state: Literal["Active", "Disabled", "Expired", "Not sent yet"]
    expires_at: datetime | None
    movements: list[MovementOut] = Field(description="Newest first (at most 50).")


@router.post(
    "/gift-cards/balance",
    response_model=BalanceOut,
    summary="What a gift card holds, by its code",
    responses=problem_responses(400, 409, 429),
)
async def gift_card_balance(body: BalanceIn, request: Request) -> BalanceOut:
    """409 `gift_card_refused`: no card has this code (it counts as a guess)."""
    seen = await gift_cards.holder_balance(body.code, asker=address_of_scope(request.scope))
    return BalanceOut(
        last_four=seen.last_four,
        balance=decimal_string(seen.balance),
        currency=seen.currency,
        state=seen.state,
        expires_at=seen.expires_at,
        movements=[MovementOut.of(m) for m in seen.movements],
    )


class CardOut(BaseModel):
    id: uuid.UUID
    last_four: str | None = Field(description="None until the card is e-mailed.")
    initial_amount: str
    balance: str
    currency: str
    state: str
    source: Literal["purchase", "staff"]
    recipient_email: str | None
    recipient_name: str
    send_at: datetime | None
    delivered_at: datetime | None
    expires_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, card: CardSummary) -> CardOut:
        return cls(
            id=card.id,
            last_four=card.last_four,
            initial_amount=decimal_string(card.initial_amount),
            balance=decimal_string(card.balance),
            currency=card.currency,
            state=card.state,
            source="purchase" if card.source == "purchase" else "staff",
            recipient_email=card.recipient_email,
            recipient_name=card.recipient_name,
            send_at=card.send_at,
            delivered_at=card.delivered_at,
            expires_at=card.expires_at,
            created_at=card.created_at,
        )


class CardDetailOut(CardOut):
    is_active: bool
    sender_name: str
    message: str
    note: str
    movements: list[MovementOut]

    @classmethod
    def of_detail(cls, card: CardDetail) -> CardDetailOut:
        return cls(
            **CardOut.of(card).model_dump(),
            is_active=card.is_active,
            sender_name=card.sender_name,
            message=card.message,
            note=card.note,
            movements=[MovementOut.of(m) for m in card.movements],
        )


class IssuedOut(BaseModel):
    card: CardDetailOut
    code: str | None = Field(
        description="Only for a card without a recipient e-mail, and only in this answer; "
        "a card to be e-mailed gets its code when it is sent."
    )


class ActiveIn(BaseModel):
    active: bool


class CardListParams(BaseModel):
    search: str = Field(default="", max_length=120)
    page: int = Field(default=1, ge=1)
    limit: int = Field(default=25, ge=1, le=100)


ADMIN = "/admin/gift-cards"


@router.get(
    ADMIN,
    response_model=Paged[CardOut],
    summary="Gift cards, newest first; search by code, last four or recipient (admins)",
    responses=problem_responses(401, 403),
)
async def list_gift_cards(
    viewer: PromotionsStaff, query: Annotated[CardListParams, Query()]
) -> Paged[CardOut]:
    found = await gift_cards.list_cards(
        viewer, search=query.search, page=query.page, limit=query.limit
    )
    return Paged[CardOut](
        items=[CardOut.of(card) for card in found.items],
        pagination=PageMeta.of_page(found),  # type: ignore[arg-type]  # Page is covariant in use
    )


@router.post(
    ADMIN,
    status_code=status.HTTP_201_CREATED,
    response_model=IssuedOut,
    summary="Issue a gift card (admins)",
    responses=problem_responses(400, 401, 403),
)
async def issue_gift_card(data: IssueInput, viewer: PromotionsStaff) -> JSONResponse:
    issued = await services.issue_card(data, actor=viewer)
    card = await gift_cards.get_card(issued.id, viewer)
    body = IssuedOut(card=CardDetailOut.of_detail(card), code=issued.code)
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=status.HTTP_201_CREATED,
        headers={"Location": f"/api/v1{ADMIN}/{issued.id}", "Cache-Control": "no-store"},
    )


@router.get(
    ADMIN + "/{card_id}",
    response_model=CardDetailOut,
    summary="One gift card with its ledger (admins)",
    responses=problem_responses(401, 403, 404),
)
async def get_gift_card(card_id: uuid.UUID, viewer: PromotionsStaff) -> CardDetailOut:
    return CardDetailOut.of_detail(await gift_cards.get_card(card_id, viewer))


@router.post(
    ADMIN + "/{card_id}/adjustments",
    response_model=CardDetailOut,
    summary="Add to or take off a balance, with the reason (admins; never below zero)",
    responses=problem_responses(400, 401, 403, 404),
)
async def adjust_gift_card(
    card_id: uuid.UUID, data: AdjustInput, viewer: PromotionsStaff
) -> CardDetailOut:
    await services.adjust_balance(card_id, data, actor=viewer)
    return CardDetailOut.of_detail(await gift_cards.get_card(card_id, viewer))


@router.put(
    ADMIN + "/{card_id}/active",
    response_model=CardDetailOut,
    summary="Switch a card off (it cannot pay) or on again (admins)",
    responses=problem_responses(400, 401, 403, 404),
)
async def set_gift_card_active(
    card_id: uuid.UUID, data: ActiveIn, viewer: PromotionsStaff
) -> CardDetailOut:
    await services.set_active(card_id, active=data.active, actor=viewer)
    return CardDetailOut.of_detail(await gift_cards.get_card(card_id, viewer))


@router.post(
    ADMIN + "/{card_id}/resend",
    response_model=CardDetailOut,
    summary="E-mail a card again with a new code; the old code stops working (admins)",
    responses=problem_responses(400, 401, 403, 404),
)
async def resend_gift_card(card_id: uuid.UUID, viewer: PromotionsStaff) -> CardDetailOut:
    await delivery.resend(card_id, actor=viewer)
    return CardDetailOut.of_detail(await gift_cards.get_card(card_id, viewer))
