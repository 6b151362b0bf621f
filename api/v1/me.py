"""The signed-in shopper's own account, as the account page has it: profile, password,
address book, their data (download it, erase the account), the cart-reminder setting and
their back-in-stock notices.

Every route acts on the caller's own account (the token's user); ids in paths only pick
among the caller's own things, and anybody else's is a 404, like one that does not exist.
The services are the account page's (`storefront/pages/account.py`).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.v1.auth import CurrentViewer
from api.v1.edge import EdgeRoute
from api.v1.problems import problem_responses
from backend.accounts import addresses, password_changes, profiles
from backend.accounts.inputs import MAX_PHONE_LENGTH, PHONE, POSTAL_CODE
from backend.accounts.locks import ADDRESS_NOT_FOUND
from backend.accounts.password_policy import MAX_PASSWORD_LENGTH
from backend.accounts.schemas import Profile, SavedAddress
from backend.cart_recovery import opt_outs as cart_reminder_opt_outs
from backend.core.clock import utcnow
from backend.core.errors import NotFoundError
from backend.privacy import erasure as privacy_erasure
from backend.privacy import export as privacy_export
from backend.stock_notices import queries as stock_notice_queries
from backend.stock_notices import services as stock_notices

router = APIRouter(prefix="/me", route_class=EdgeRoute)

# What the services accept at most (longer input is refused before it reaches them).
MAX_NAME_LENGTH = 100
MAX_LINE_LENGTH = 200
# A password as typed: the policy's limit is in characters; four bytes each at most.
Password = Annotated[
    str, Field(max_length=MAX_PASSWORD_LENGTH * 4, json_schema_extra={"format": "password"})
]
_NO_STORE = {"Cache-Control": "no-store"}


# --- profile -----------------------------------------------------------------------------


class ProfileOut(BaseModel):
    user_id: uuid.UUID = Field(description="The account's id.")
    username: str = Field(
        description="Chosen at sign-up; it cannot be changed.", examples=["ada_l"]
    )
    email: str = Field(
        description="The address the account signs in with.", examples=["ada@example.com"]
    )
    first_name: str = Field(description='"" when not given.', examples=["Ada"])
    last_name: str = Field(description='"" when not given.', examples=["Lovelace"])
    email_verified: bool = Field(description="Whether the address was confirmed by e-mail.")

    @classmethod
    def of(cls, profile: Profile) -> ProfileOut:
        return cls(
            user_id=profile.user_id,
            username=profile.username,
            email=profile.email,
            first_name=profile.first_name,
            last_name=profile.last_name,
            email_verified=profile.email_verified,
        )


Name = Annotated[
    str | None,
    Field(
        max_length=MAX_NAME_LENGTH,
        description='Letters, spaces and punctuation; "" or null clears it.',
    ),
]


class ProfilePatch(BaseModel):
    """Send only what changes: a field left out keeps its value."""

    first_name: Name = Field(default=None, examples=["Ada"])
    last_name: Name = Field(default=None, examples=["Lovelace"])


@router.get(
    "/profile",
    response_model=ProfileOut,
    tags=["account"],
    summary="Your profile",
    responses=problem_responses(401),
)
async def get_profile(viewer: CurrentViewer) -> ProfileOut:
    return ProfileOut.of(await profiles.get_profile(viewer.user_id))


@router.patch(
    "/profile",
    response_model=ProfileOut,
    tags=["account"],
    summary="Change your name",
    responses=problem_responses(400, 401),
)
async def update_profile(body: ProfilePatch, viewer: CurrentViewer) -> ProfileOut:
    """The account page's profile form. The e-mail address and username stay as they are."""
    changes = body.model_dump(include=body.model_fields_set)
    if len(changes) < len(ProfilePatch.model_fields):  # a partial change keeps the rest
        current = await profiles.get_profile(viewer.user_id)
        changes = {"first_name": current.first_name, "last_name": current.last_name, **changes}
    return ProfileOut.of(await profiles.update_profile(viewer.user_id, changes))


# --- password ----------------------------------------------------------------------------


class PasswordChange(BaseModel):
    current_password: Password = Field(description="The password you sign in with now.")
    new_password: Password = Field(
        description="At least 12 characters, not your username or e-mail address, and not "
        "a common password."
    )


@router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["account"],
    summary="Change your password (with the current one)",
    responses=problem_responses(400, 401),
)
async def change_password(body: PasswordChange, viewer: CurrentViewer) -> Response:
    """A wrong current password is 400 with `errors.current_password`; a new one the
    policy refuses, 400 with `errors.new_password`. Once changed, every sign-in of the
    account ends: the shop's browser sessions and every refresh token, this client's too
    (its access token works until it expires): get new tokens with the new password."""
    await password_changes.change_password(
        viewer.user_id,
        current_password=body.current_password,
        new_password=body.new_password,
        keep_session_token=None,  # an API client has no browser session to keep
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- addresses ---------------------------------------------------------------------------


class AddressIn(BaseModel):
    """One address of the address book. Blank optional fields are stored as empty."""

    full_name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH, examples=["Ada Lovelace"])
    line1: str = Field(min_length=1, max_length=MAX_LINE_LENGTH, examples=["12 St James's Square"])
    line2: str | None = Field(default=None, max_length=MAX_LINE_LENGTH, examples=["Flat 3"])
    city: str = Field(min_length=1, max_length=MAX_NAME_LENGTH, examples=["London"])
    region: str | None = Field(default=None, max_length=MAX_NAME_LENGTH, examples=[""])
    postal_code: str = Field(
        pattern=POSTAL_CODE.pattern,
        description="As written on letters: 3 to 20 letters, digits, spaces or dashes.",
        examples=["SW1Y 4JH"],
    )
    country: str = Field(
        pattern=r"^[A-Za-z]{2}$",
        description="The two-letter ISO 3166 code (stored upper case).",
        examples=["GB"],
    )
    phone: str | None = Field(
        default=None,
        max_length=MAX_PHONE_LENGTH,
        pattern=PHONE.pattern,
        description="Digits, spaces, dashes and brackets, optionally starting with +.",
        examples=["+44 20 7946 0000"],
    )
    is_default: bool = Field(
        default=False,
        description="Make it the default for shipping (the first address always is).",
    )


class AddressOut(BaseModel):
    id: uuid.UUID = Field(description="Its address: /me/addresses/{id}.")
    full_name: str = Field(description="Who receives parcels here.", examples=["Ada Lovelace"])
    line1: str = Field(examples=["12 St James's Square"])
    line2: str = Field(description='"" when not given.', examples=["Flat 3"])
    city: str = Field(examples=["London"])
    region: str = Field(description='"" when not given.', examples=[""])
    postal_code: str = Field(description="Upper case.", examples=["SW1Y 4JH"])
    country: str = Field(description="Two-letter ISO 3166 code.", examples=["GB"])
    phone: str = Field(description='"" when not given.', examples=["+44 20 7946 0000"])
    is_default: bool = Field(description="The default shipping address (one at most).")
    one_line: str = Field(
        description="The address on one line, as the shop shows it.",
        examples=["12 St James's Square, SW1Y 4JH London, GB"],
    )

    @classmethod
    def of(cls, saved: SavedAddress) -> AddressOut:
        return cls(
            id=saved.id,
            full_name=saved.full_name,
            line1=saved.line1,
            line2=saved.line2,
            city=saved.city,
            region=saved.region,
            postal_code=saved.postal_code,
            country=saved.country,
            phone=saved.phone,
            is_default=saved.is_default,
            one_line=saved.one_line,
        )


ADDRESSES = "/addresses"
_ADDRESS_BOOK = (
    f"At most {addresses.MAX_ADDRESSES} addresses, the default first, then oldest first."
)


async def _address_book(viewer: CurrentViewer) -> list[AddressOut]:
    return [AddressOut.of(saved) for saved in await addresses.list_addresses(viewer.user_id)]


@router.get(
    ADDRESSES,
    response_model=list[AddressOut],
    tags=["addresses"],
    summary="Your address book",
    description=_ADDRESS_BOOK,
    responses=problem_responses(401),
)
async def list_addresses(viewer: CurrentViewer) -> list[AddressOut]:
    return await _address_book(viewer)


@router.post(
    ADDRESSES,
    status_code=status.HTTP_201_CREATED,
    response_model=AddressOut,
    tags=["addresses"],
    summary="Add an address",
    description=f"A full address book ({addresses.MAX_ADDRESSES} addresses) is 400.",
    responses=problem_responses(400, 401),
)
async def add_address(body: AddressIn, viewer: CurrentViewer) -> JSONResponse:
    saved = await addresses.add_address(viewer.user_id, body.model_dump())
    return JSONResponse(
        AddressOut.of(saved).model_dump(mode="json"),
        status_code=status.HTTP_201_CREATED,
        headers={"Location": f"/api/v1/me{ADDRESSES}/{saved.id}"},
    )


@router.get(
    ADDRESSES + "/{address_id}",
    response_model=AddressOut,
    tags=["addresses"],
    summary="One address of your address book",
    responses=problem_responses(400, 401, 404),
)
async def get_address(address_id: uuid.UUID, viewer: CurrentViewer) -> AddressOut:
    for saved in await addresses.list_addresses(viewer.user_id):
        if saved.id == address_id:
            return AddressOut.of(saved)
    raise NotFoundError(ADDRESS_NOT_FOUND)


@router.put(
    ADDRESSES + "/{address_id}",
    response_model=AddressOut,
    tags=["addresses"],
    summary="Replace an address",
    responses=problem_responses(400, 401, 404),
)
async def update_address(
    address_id: uuid.UUID, body: AddressIn, viewer: CurrentViewer
) -> AddressOut:
    """Every field as it should be now. `is_default: false` leaves the default as it is
    (make another address the default to move it)."""
    return AddressOut.of(
        await addresses.update_address(viewer.user_id, address_id, body.model_dump())
    )


@router.delete(
    ADDRESSES + "/{address_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["addresses"],
    summary="Delete an address",
    responses=problem_responses(400, 401, 404),
)
async def delete_address(address_id: uuid.UUID, viewer: CurrentViewer) -> Response:
    """If it was the default, the oldest remaining address becomes the default."""
    await addresses.delete_address(viewer.user_id, address_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    ADDRESSES + "/{address_id}/default",
    response_model=list[AddressOut],
    tags=["addresses"],
    summary="Make an address the default; answers the address book",
    responses=problem_responses(400, 401, 404),
)
async def make_default_address(address_id: uuid.UUID, viewer: CurrentViewer) -> list[AddressOut]:
    await addresses.set_default_address(viewer.user_id, address_id)
    return await _address_book(viewer)


# --- your data ---------------------------------------------------------------------------


@router.get(
    "/data-export",
    tags=["privacy"],
    summary="Download everything the shop holds about you (JSON)",
    response_model=dict[str, Any],
    responses={
        200: {
            "description": "The document, as the account page's download: account, "
            "addresses, orders, draft_orders, reviews, wishlist, back_in_stock_requests, "
            "cart, gift_cards_received, cart_reminders and messages.",
            "headers": {
                "Content-Disposition": {
                    "description": 'attachment; filename="my-data-<date>.json"',
                    "schema": {"type": "string"},
                }
            },
        },
        **problem_responses(401),
    },
)
async def export_my_data(viewer: CurrentViewer) -> JSONResponse:
    """Made at once from the shop's records (nothing is queued or e-mailed), never cached."""
    document = await privacy_export.export_my_data(viewer)
    filename = f"my-data-{utcnow().date().isoformat()}.json"
    return JSONResponse(
        document,
        headers={**_NO_STORE, "Content-Disposition": f'attachment; filename="{filename}"'},
    )


class ErasureIn(BaseModel):
    password: Password = Field(description="Your password, to confirm it is you.")


class ErasureOut(BaseModel):
    user_id: uuid.UUID = Field(description="The account that is gone.")
    orders_anonymised: int = Field(
        ge=0,
        description="Orders kept for the books without your name, e-mail or address.",
        examples=[2],
    )


@router.post(
    "/erasure",
    response_model=ErasureOut,
    tags=["privacy"],
    summary="Erase your account and personal data (with your password)",
    responses=problem_responses(400, 401, 409),
)
async def erase_my_account(body: ErasureIn, viewer: CurrentViewer) -> ErasureOut:
    """Cannot be undone. A wrong password is 400 (`errors.password`); an order still under
    way (unpaid, paid or shipped, not yet delivered) is 409 `erasure_refused` naming it,
    and nothing is erased. Afterwards every token of the account stops working (401)."""
    erased = await privacy_erasure.erase_my_account(viewer, password=body.password)
    return ErasureOut(user_id=erased.user_id, orders_anonymised=erased.orders_anonymised)


# --- cart reminders ----------------------------------------------------------------------


class CartRemindersSetting(BaseModel):
    wanted: bool = Field(
        description="Whether your address gets an e-mail about a cart left behind."
    )


@router.get(
    "/cart-reminders",
    response_model=CartRemindersSetting,
    tags=["account"],
    summary="Whether you get cart reminder e-mails",
    responses=problem_responses(401),
)
async def get_cart_reminders(viewer: CurrentViewer) -> CartRemindersSetting:
    return CartRemindersSetting(
        wanted=await cart_reminder_opt_outs.reminders_wanted(viewer.user_id)
    )


@router.put(
    "/cart-reminders",
    response_model=CartRemindersSetting,
    tags=["account"],
    summary="Turn cart reminder e-mails on or off",
    responses=problem_responses(400, 401),
)
async def set_cart_reminders(
    body: CartRemindersSetting, viewer: CurrentViewer
) -> CartRemindersSetting:
    """For your account's address (the unsubscribe link in a reminder turns them off
    too). Order e-mails are not affected."""
    await cart_reminder_opt_outs.set_reminders_wanted(viewer.user_id, wanted=body.wanted)
    return CartRemindersSetting(
        wanted=await cart_reminder_opt_outs.reminders_wanted(viewer.user_id)
    )


# --- back-in-stock notices ---------------------------------------------------------------


class StockNoticeState(BaseModel):
    variant_id: uuid.UUID = Field(description="The variant asked about.")
    waiting: bool = Field(
        description="Whether you will be e-mailed once when the variant is back in stock."
    )


@router.get(
    "/stock-notices/{variant_id}",
    response_model=StockNoticeState,
    tags=["stock notices"],
    summary="Whether you wait for a variant to be back in stock",
    responses=problem_responses(400, 401),
)
async def get_stock_notice(variant_id: uuid.UUID, viewer: CurrentViewer) -> StockNoticeState:
    """A product without options has one variant, under the product's id. Ask for a
    notice with `POST /stock-notices`."""
    return StockNoticeState(
        variant_id=variant_id,
        waiting=await stock_notice_queries.is_waiting(variant_id, viewer),
    )


@router.delete(
    "/stock-notices/{variant_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["stock notices"],
    summary="Cancel your back-in-stock notice for a variant",
    responses=problem_responses(400, 401, 404),
)
async def cancel_stock_notice(variant_id: uuid.UUID, viewer: CurrentViewer) -> Response:
    """404 when you have no open notice for it (never asked, already cancelled, or
    already e-mailed)."""
    if not await stock_notices.cancel_for_viewer(variant_id, viewer):
        raise NotFoundError("You have no back-in-stock notice for this product.")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
