"""What the shop's e-mailed links do, for a client app: confirm an e-mail address (and ask
for a new confirmation link), reset a forgotten password (ask for the link, then use its
token), and the links in a cart reminder (put its lines back in your cart, unsubscribe).

The token is the `token` query parameter of the e-mailed link; an app that opens such
links itself posts it here. A token that is unknown, used, expired or tampered with is 400
with `errors.token`. Asking for a link answers 202 whether or not the address has an
account (nobody learns who shops here), and the /auth/ routes count against the strict
per-address limit of sign-ins.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, Field

from api.v1.accounts import MAX_EMAIL_LENGTH
from api.v1.auth import CurrentViewer
from api.v1.cart import CartOut
from api.v1.edge import EdgeRoute
from api.v1.me import Password
from api.v1.problems import problem_responses
from backend.accounts import email_links
from backend.accounts.errors import InvalidTokenError
from backend.accounts.inputs import normalize_email
from backend.cart import owners as cart_owners
from backend.cart import queries as cart_queries
from backend.cart_recovery import opt_outs as cart_reminder_opt_outs
from backend.cart_recovery import restore as cart_restore
from backend.cart_recovery.errors import InvalidRestoreLinkError
from backend.core.client_address import address_of_scope
from backend.core.errors import InvalidInputError

router = APIRouter(route_class=EdgeRoute)

# The longest token each kind of link carries (the shop's pages cut there too).
MAX_ACCOUNT_TOKEN_LENGTH = 200
MAX_REMINDER_TOKEN_LENGTH = 1000

Email = Annotated[
    str, Field(min_length=1, max_length=MAX_EMAIL_LENGTH, examples=["ada@example.com"])
]


def _bad_token(message: str) -> InvalidInputError:
    return InvalidInputError(message, {"token": message})


def _address(raw: str) -> str:
    """The address as the shop's forms take it, or 400 naming `email`."""
    try:
        return normalize_email(raw)
    except ValueError as error:
        raise InvalidInputError(str(error), {"email": str(error)}) from error


class EmailIn(BaseModel):
    email: Email = Field(description="The account's e-mail address (any case).")


class AccountTokenIn(BaseModel):
    token: str = Field(
        min_length=1,
        max_length=MAX_ACCOUNT_TOKEN_LENGTH,
        description="The `token` query parameter of the e-mailed link.",
    )


class PasswordResetIn(AccountTokenIn):
    password: Password = Field(
        description="The new password: at least 12 characters, not your username or e-mail "
        "address, and not a common password."
    )


class LinkRequested(BaseModel):
    """The same for every well-formed address, whether or not it has an account."""

    email: str = Field(
        description="The address, as the shop writes it.", examples=["ada@example.com"]
    )
    detail: str = Field(description="What happens now, for a person.")


VERIFICATION_REQUESTED = (
    "If this address has an account that is not confirmed yet, we have e-mailed it a new "
    "link to confirm it. The link works for 48 hours."
)
RESET_REQUESTED = (
    "If an account exists for this address, we have e-mailed it a link to choose a new "
    "password. The link works for one hour."
)


# --- confirming an address ---------------------------------------------------------------


@router.post(
    "/auth/email-verification",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=LinkRequested,
    tags=["auth"],
    summary="E-mail a new link to confirm an address",
    responses=problem_responses(400, 429),
)
async def request_email_verification(body: EmailIn, request: Request) -> LinkRequested:
    """For a sign-up whose confirmation link was lost or expired. 202 whatever the address
    (an account or not, confirmed or not); a malformed address is 400 (`errors.email`)."""
    email = _address(body.email)
    await email_links.request_email_verification(email, ip=address_of_scope(request.scope))
    return LinkRequested(email=email, detail=VERIFICATION_REQUESTED)


@router.post(
    "/auth/email-verification/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["auth"],
    summary="Confirm an e-mail address with the link's token",
    responses=problem_responses(400, 429),
)
async def confirm_email(body: AccountTokenIn) -> Response:
    """The address is confirmed and an account waiting for it becomes active: it can get
    tokens at `POST /auth/token`. Each link works once."""
    if not await email_links.verify_email(body.token):
        raise _bad_token(email_links.INVALID_LINK_MESSAGE)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- a forgotten password ----------------------------------------------------------------


@router.post(
    "/auth/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=LinkRequested,
    tags=["auth"],
    summary="E-mail a link to choose a new password",
    responses=problem_responses(400, 429),
)
async def request_password_reset(body: EmailIn, request: Request) -> LinkRequested:
    """202 whether or not the address has an account; a malformed address is 400
    (`errors.email`). One address gets at most a few links an hour."""
    email = _address(body.email)
    await email_links.request_password_reset(email, ip=address_of_scope(request.scope))
    return LinkRequested(email=email, detail=RESET_REQUESTED)


@router.post(
    "/auth/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["auth"],
    summary="Choose a new password with the link's token",
    responses=problem_responses(400, 429),
)
async def reset_password(body: PasswordResetIn) -> Response:
    """A password the policy refuses is 400 (`errors.password`) and the link still works.
    Once changed, the address counts as confirmed, a lock after failed sign-ins is lifted,
    and every sign-in of the account ends (browser sessions and refresh tokens)."""
    try:
        await email_links.reset_password(body.token, body.password)
    except InvalidTokenError as error:  # a link, not this request's credentials: no 401
        raise _bad_token(error.message) from error
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- the links in a cart reminder --------------------------------------------------------


class ReminderTokenIn(BaseModel):
    token: str = Field(
        min_length=1,
        max_length=MAX_REMINDER_TOKEN_LENGTH,
        description="The `token` query parameter of the reminder's link.",
    )


class RestoredCartOut(BaseModel):
    restored: list[str] = Field(description="Names of the products now in your cart.")
    unavailable: list[str] = Field(description="Names of those no longer sold or sold out.")
    message: str = Field(examples=["Welcome back! Your cart is as you left it, at today's prices."])
    cart: CartOut = Field(description="Your cart now.")


@router.post(
    "/cart/restore",
    response_model=RestoredCartOut,
    tags=["cart"],
    summary="Put a cart reminder's lines back in your cart",
    responses=problem_responses(400, 401),
)
async def restore_cart(body: ReminderTokenIn, viewer: CurrentViewer) -> RestoredCartOut:
    """The lines go into your cart at today's prices (a line already there as many times is
    left alone, so using the link twice doubles nothing), capped at what is in stock."""
    owner = cart_owners.user_owner(viewer.user_id)
    try:
        result = await cart_restore.restore_cart(body.token, owner)
    except InvalidRestoreLinkError as error:
        raise _bad_token(error.message) from error
    return RestoredCartOut(
        restored=list(result.restored),
        unavailable=list(result.unavailable),
        message=result.message,
        cart=CartOut.of(await cart_queries.get_cart(owner)),
    )


class UnsubscribedOut(BaseModel):
    email: str = Field(
        description="The address that gets no more cart reminders.",
        examples=["ada@example.com"],
    )


@router.post(
    "/cart-reminders/unsubscribe",
    response_model=UnsubscribedOut,
    tags=["account"],
    summary="Unsubscribe from cart reminders with a reminder's link",
    responses=problem_responses(400),
)
async def unsubscribe_from_cart_reminders(body: ReminderTokenIn) -> UnsubscribedOut:
    """No sign-in needed: the link is the credential. Using it again is fine. Order
    e-mails still arrive; signed in, `PUT /me/cart-reminders` turns reminders back on."""
    email = await cart_reminder_opt_outs.unsubscribe(body.token)
    if email is None:
        raise _bad_token("This link does not work: it may be incomplete or too old.")
    return UnsubscribedOut(email=email)
