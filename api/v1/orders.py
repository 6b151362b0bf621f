"""Orders: place one from the caller's cart, pay for it, read them; staff move them on.

`POST /orders` needs an `Idempotency-Key`: it becomes the checkout key of
`checkout.place_order` (scoped to the caller), which places at most one order per key
even under concurrent retries, so a retry answers with the same order. Payments use the
key the same way as the attempt key: one charge per key. Placing, paying and cancelling
are the same use cases the storefront calls (`backend/checkout`): the unpaid-order
limits apply here too (429), and a cancel follows one rule for shoppers and staff.

Orders are found by number. Somebody else's order is a 404, never a 403, so a number is
not confirmed to strangers. Staff actions need the admin role (checked here first, and
again by the services).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, status
from fastapi.responses import JSONResponse

from api.payment_routes import stripe_webhook
from api.v1.auth import CurrentViewer, OrderEditors, OrderFulfilmentStaff, OrderRefundStaff
from api.v1.edge import EdgeRoute
from api.v1.guests import CartCaller, CurrentCartCaller, CurrentOrderCaller, OrderCaller
from api.v1.idempotency import valid_key
from api.v1.order_schemas import (
    ORDER_FILTERS,
    AllocationOut,
    CancellationPreviewOut,
    DocumentOut,
    FulfilmentIn,
    GiveBackOut,
    LocationChoiceOut,
    ManualPaymentIn,
    OrderCreate,
    OrderEditIn,
    OrderEditOut,
    OrderListItem,
    OrderListParams,
    OrderOut,
    OrderPreviewOut,
    ParcelOut,
    PaymentConfirmationIn,
    PaymentIn,
    PaymentOut,
    PlacedOrderOut,
    RefundIn,
    RefundOut,
)
from api.v1.pagination import Paged, PageMeta
from api.v1.problems import PROBLEM_MEDIA_TYPE, TYPE_BASE, Problem, problem_responses
from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit.services import actor_label
from backend.checkout import cancellation
from backend.checkout import services as checkout
from backend.core.client_address import address_of_scope
from backend.core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from backend.core.money import decimal_string
from backend.core.validation import parse_input
from backend.inventory import locations
from backend.invoices.download_links import download_path
from backend.invoices.queries import documents_of_order
from backend.order_edits import services as order_edits
from backend.order_edits.services import EditOutcome, EditRequest
from backend.orders import fulfilment, queries
from backend.orders.access_tokens import issue_order_token
from backend.orders.editing import EditQuote
from backend.orders.filters import parse_order_filters
from backend.orders.inputs import CheckoutDetails
from backend.orders.ownership import ORDER_NOT_FOUND
from backend.payments import links as payment_links
from backend.payments import manual as manual_payments
from backend.payments import refunds as payment_refunds
from backend.payments.queries import OrderWithPayments, get_order_with_payments
from backend.payments.services import PaymentOutcome
from backend.settings import get_settings

router = APIRouter(tags=["orders"], route_class=EdgeRoute)

IDEMPOTENCY_HINT = "Send a unique key per operation (a UUID, say): 1 to 255 printable ASCII."
OrderNumber = Annotated[str, Path(max_length=20, examples=["KG-ABCD-EFGH"])]


def idempotency_key(
    key: Annotated[
        str,
        Header(
            alias="Idempotency-Key",
            description="A unique key per operation; a retry with the same key repeats "
            "nothing and answers with the first outcome (the same key with a different request: "
            "422).",
        ),
    ],
) -> str:
    # The same rule as the replay layer's (which answers first when it is installed).
    if not valid_key(key):
        raise InvalidInputError(IDEMPOTENCY_HINT, {"Idempotency-Key": IDEMPOTENCY_HINT})
    return key


IdempotencyKey = Annotated[str, Depends(idempotency_key)]


def _scoped_key(purpose: str, caller: str, key: str) -> str:
    """A client's key, made private to the caller (an account id, a guest cart, an
    order a guest's token opens). 32 hex characters (128 bits): with the services'
    prefixes ("pay:<order id>:") it fits their 100-character key columns."""
    digest = hashlib.sha256(f"api:{purpose}:{caller}:{key}".encode())
    return digest.hexdigest()[:32]


def _cart_caller_key(caller: CartCaller) -> str:
    return str(caller.user_id) if caller.user_id is not None else caller.owner.key


def _order_caller_key(caller: OrderCaller) -> str:
    if caller.viewer is not None:
        return str(caller.viewer.user_id)
    return f"order:{caller.opened_order}"


def _sees_all_orders(viewer: Viewer | None) -> bool:
    return viewer is not None and viewer.may(Permission.ORDERS_VIEW)


# --- helpers --------------------------------------------------------------------------


async def _visible_order(number: str, caller: OrderCaller) -> OrderWithPayments:
    """The order, if the caller placed it (or a guest's token opens it) or staff may see
    orders; else 404 as if it did not exist."""
    order = await get_order_with_payments(number.strip().upper())
    if _sees_all_orders(caller.viewer) or queries.may_view(order, caller.shopper):
        return order
    raise NotFoundError(ORDER_NOT_FOUND)


async def _staff_order(
    number: str, viewer: Viewer, permission: Permission, what: str
) -> OrderWithPayments:
    # Refused before the lookup, so a shopper learns nothing about other numbers.
    require_permission(viewer, permission, what)
    return await get_order_with_payments(number.strip().upper())


async def _order_out(number: str, viewer: Viewer | None) -> OrderOut:
    return await _shown(await get_order_with_payments(number), viewer)


async def _shown(order: OrderWithPayments, viewer: Viewer | None) -> OrderOut:
    """The order as the caller sees it: staff also see where it ships from and its
    parcels (the storefront shows shoppers neither)."""
    shown = OrderOut.of(order)
    if viewer is None or not _sees_all_orders(viewer):
        return shown
    held = await locations.allocations_of(order.id)
    parcels = await queries.parcels_of(order.id, actor=viewer)
    shown.ships_from = [
        AllocationOut(
            location_id=a.location_id,
            location=a.location,
            variant_id=a.variant_id,
            sku=a.sku,
            quantity=a.quantity,
        )
        for a in held
    ]
    shown.parcels = [
        ParcelOut(
            location_id=p.location_id,
            location=p.location_name,
            carrier=p.carrier,
            tracking_number=p.tracking_number,
            shipped_at=p.shipped_at,
        )
        for p in parcels
    ]
    return shown


async def _customers_order(number: str, caller: OrderCaller) -> OrderWithPayments:
    """The order, if the caller is its customer (to pay for it); staff who may only see
    it get 403, anyone else 404."""
    order = await _visible_order(number, caller)
    if not queries.may_view(order, caller.shopper):
        raise PermissionDeniedError("Only the customer who placed an order can pay for it.")
    return order


_DECLINED_RESPONSE: dict[str, Any] = {
    "model": Problem,
    "description": "The payment was declined (the reason is in `detail`)",
    "content": {PROBLEM_MEDIA_TYPE: {"schema": Problem.model_json_schema()}},
}


def _declined(detail: str) -> JSONResponse:
    problem = Problem(
        type=TYPE_BASE + "payment-declined",
        title="Payment declined",
        status=status.HTTP_402_PAYMENT_REQUIRED,
        detail=detail,
    )
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=status.HTTP_402_PAYMENT_REQUIRED,
        media_type=PROBLEM_MEDIA_TYPE,
    )


# --- the caller's orders ----------------------------------------------------------------


@router.post(
    "/orders",
    status_code=status.HTTP_201_CREATED,
    response_model=PlacedOrderOut,
    summary="Place an order from your cart (or a guest cart)",
    responses={
        201: {"headers": {"Location": {"schema": {"type": "string"}}}},
        **problem_responses(400, 401, 409, 422, 429),
    },
)
async def place_order(
    body: OrderCreate, caller: CurrentCartCaller, key: IdempotencyKey, request: Request
) -> JSONResponse:
    """Reserves the stock and prices the cart now; the order then waits for payment
    (`POST /orders/{number}/payments`). The same `Idempotency-Key` again answers with the
    same order (`Idempotent-Replayed: true`) and places nothing. 409: the cart is empty,
    or a product sold out (named in `detail`); nothing is reserved and the cart is kept.
    The cart keeps the order's lines until the order is paid (a declined card can be
    retried); they leave it when the payment succeeds. 429 (with `Retry-After`): your
    account already has CHECKOUT_MAX_UNPAID_ORDERS_PER_SESSION orders waiting for
    payment, or too many orders came from your network address recently.

    A guest (`X-Cart-Token`) gives `email` and gets `order_token`: the order's own
    credential (`X-Order-Token`) to read, pay and cancel it; the order e-mail goes to
    `email`, and the order can be looked up again by number and e-mail address."""
    details = parse_input(CheckoutDetails, _checkout_fields(body, caller.viewer))
    placed = await checkout.place_order(
        cart_owner=caller.owner,
        details=details,
        checkout_key=_scoped_key("order", _cart_caller_key(caller), key),
        user_id=caller.user_id,
        client_address=address_of_scope(request.scope),
    )
    shown = await _order_out(placed.number, caller.viewer)
    guest_token = issue_order_token(placed.id) if caller.viewer is None else None
    order = PlacedOrderOut(**shown.model_dump(), order_token=guest_token)
    headers = {"Location": f"/api/v1/orders/{placed.number}"}
    if guest_token is not None:
        headers["Cache-Control"] = "no-store"
    if not placed.created:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(
        order.model_dump(mode="json"), status_code=status.HTTP_201_CREATED, headers=headers
    )


@router.post(
    "/orders/previews",
    response_model=OrderPreviewOut,
    summary="What placing an order from your cart would charge now",
    responses=problem_responses(400, 401, 409, 429),
)
async def preview_order(
    body: OrderCreate, caller: CurrentCartCaller, request: Request
) -> OrderPreviewOut:
    """The review step: the same body as `POST /orders`, priced as placing it would be
    (promotions, discount code, gift card, shipping, tax), with the address's shipping
    methods. Nothing is reserved, redeemed or written. Refused as placing would be: 400
    per field, 409 for a refused discount code or gift card; unknown gift card codes count
    as guesses (429 after too many)."""
    preview = await queries.preview_checkout(
        caller.owner,
        parse_input(CheckoutDetails, _checkout_fields(body, caller.viewer)),
        asker=address_of_scope(request.scope),
        user_id=caller.user_id,
    )
    return OrderPreviewOut.of(preview)


def _checkout_fields(body: OrderCreate, viewer: Viewer | None) -> dict[str, Any]:
    fields: dict[str, Any] = body.model_dump()
    fields["email"] = body.email or (viewer.email if viewer is not None else "")
    return fields


@router.get(
    "/orders",
    response_model=Paged[OrderListItem],
    summary="Your orders (admins: scope=all, with filters)",
    responses=problem_responses(400, 401, 403),
)
async def list_orders(
    viewer: CurrentViewer, query: Annotated[OrderListParams, Query()]
) -> Paged[OrderListItem]:
    """Newest first. `scope=all` lists every order (admins only)."""
    form = query.model_dump(include=set(ORDER_FILTERS))
    page, limit = query.page, query.limit
    if query.scope == "own":
        if any(value for value in form.values()):
            raise InvalidInputError(
                "Filters apply to scope=all (admins).",
                {name: "Only with scope=all." for name, value in form.items() if value},
            )
        mine = await queries.list_orders(viewer.user_id, page=page, limit=limit)
        return Paged[OrderListItem](
            items=[
                OrderListItem(
                    number=row.number,
                    created_at=row.created_at,
                    status=row.status,
                    payment_status=row.payment_status,
                    total=decimal_string(row.total),
                    currency=row.currency,
                    item_count=row.item_count,
                )
                for row in mine.items
            ],
            pagination=PageMeta.of(page=mine.page, limit=mine.limit, total=mine.total),
        )
    require_permission(viewer, Permission.ORDERS_VIEW, "list every order")
    every = await queries.list_all_orders(
        viewer, filters=parse_order_filters(form), page=page, limit=limit
    )
    return Paged[OrderListItem](
        items=[
            OrderListItem(
                number=row.number,
                created_at=row.created_at,
                status=row.status,
                payment_status=row.payment_status,
                total=decimal_string(row.total),
                currency=row.currency,
                customer_name=row.customer_name,
                email=row.email,
            )
            for row in every.items
        ],
        pagination=PageMeta.of(page=every.page, limit=every.limit, total=every.total),
    )


@router.get(
    "/orders/{number}",
    response_model=OrderOut,
    summary="One order (yours; admins: any)",
    responses=problem_responses(401, 404),
)
async def get_order(number: OrderNumber, caller: CurrentOrderCaller) -> OrderOut:
    """Staff (orders: view) also read `ships_from` and `parcels`."""
    return await _shown(await _visible_order(number, caller), caller.viewer)


@router.get(
    "/orders/{number}/documents",
    response_model=list[DocumentOut],
    summary="An order's invoice and credit notes, with links to their PDFs (yours; admins: any)",
    responses=problem_responses(401, 404),
)
async def order_documents(number: OrderNumber, caller: CurrentOrderCaller) -> list[DocumentOut]:
    order = await _visible_order(number, caller)
    base = get_settings().public_base_url
    return [
        DocumentOut(
            number=document.number,
            kind="credit_note" if document.kind == "credit_note" else "invoice",
            issued_at=document.issued_at,
            total=decimal_string(document.total),
            currency=document.currency,
            pdf_url=base + download_path(document.number),
        )
        for document in await documents_of_order(order.id)
    ]


@router.post(
    "/orders/{number}/payments",
    response_model=PaymentOut,
    summary="Pay for your order",
    responses={402: _DECLINED_RESPONSE, **problem_responses(400, 401, 403, 404, 409, 422)},
)
async def pay_order(
    number: OrderNumber, body: PaymentIn, caller: CurrentOrderCaller, key: IdempotencyKey
) -> PaymentOut | JSONResponse:
    """One charge per `Idempotency-Key`: a retry answers with the first attempt's outcome.
    `requires_action`: send the shopper to `redirect_url` (or use `client_secret` with
    Stripe.js), then `POST /orders/{number}/payments/confirmation`. 402: declined; the
    order waits for another try. 409: nothing to pay (paid, cancelled, or a payment in
    progress)."""
    order = await _customers_order(number, caller)
    outcome = await checkout.pay_order(
        order.id,
        shopper=caller.shopper,
        payment_method=body.payment_method,
        attempt_key=_scoped_key("payment", _order_caller_key(caller), key),
    )
    return await _payment_answer(outcome, order.number, caller.viewer)


@router.post(
    "/orders/{number}/payments/confirmation",
    response_model=PaymentOut,
    summary="After the bank's extra step (3-D Secure): settle the payment waiting for it",
    responses={402: _DECLINED_RESPONSE, **problem_responses(400, 401, 403, 404, 409)},
)
async def confirm_payment(
    number: OrderNumber, body: PaymentConfirmationIn, caller: CurrentOrderCaller
) -> PaymentOut | JSONResponse:
    """Call it when the shopper is back from the bank's page (or Stripe.js's step) after
    `POST /orders/{number}/payments` answered `requires_action`; the shop's own
    confirmation page does the same. Safe to repeat. 402: refused, the order waits for
    another payment; 409: no payment of the order is waiting for confirmation."""
    order = await _customers_order(number, caller)
    outcome = await checkout.confirm_payment(order.id, shopper=caller.shopper, approve=body.approve)
    return await _payment_answer(outcome, order.number, caller.viewer)


async def _payment_answer(
    outcome: PaymentOutcome, number: str, viewer: Viewer | None
) -> PaymentOut | JSONResponse:
    if outcome.status == "failed":
        return _declined(outcome.message)
    redirect_url = None
    if outcome.status == "requires_action":
        redirect_url = f"{get_settings().public_base_url}/checkout/confirm?order={number}"
    return PaymentOut(
        status=outcome.status,
        message=outcome.message,
        redirect_url=redirect_url,
        client_secret=outcome.client_secret,
        order=await _order_out(number, viewer),
    )


@router.post(
    "/orders/{number}/cancel",
    response_model=OrderOut,
    summary="Cancel an order (yours while unpaid; admins: also paid, refunding it)",
    responses=problem_responses(401, 403, 404, 409),
)
async def cancel_order(number: OrderNumber, caller: CurrentOrderCaller) -> OrderOut:
    """The goods go back into stock. An admin cancelling a paid, unshipped order refunds
    what was paid first. 409: the order is past cancelling (or its payment is in progress)."""
    order = await _visible_order(number, caller)
    # Staff who may refund cancel as staff (also paid orders, refunding them); anyone
    # else as the shopper, whose order it must be (`_visible_order` answered 404
    # otherwise; staff who may only see orders get 403 for others' orders).
    viewer = caller.viewer
    if viewer is not None and viewer.may(Permission.ORDERS_REFUND):
        await cancellation.cancel_order(order.id, by=viewer)
    elif queries.may_view(order, caller.shopper):
        await cancellation.cancel_order(order.id, shopper=caller.shopper)
    else:
        assert viewer is not None  # a guest's token opened this order: may_view held
        require_permission(viewer, Permission.ORDERS_REFUND, "cancel other people's orders")
    return await _order_out(order.number, viewer)


@router.get(
    "/orders/{number}/cancellation-preview",
    response_model=CancellationPreviewOut,
    summary="What cancelling an order would refund now (admins; nothing is changed)",
    responses=problem_responses(401, 403, 404),
)
async def cancellation_preview(
    number: OrderNumber, viewer: OrderRefundStaff
) -> CancellationPreviewOut:
    """An unpaid order is cancelled with nothing to refund; a paid one that has not shipped
    is refunded what came in first. `may_cancel` false: past cancelling (shipped,
    cancelled, or its payment in progress)."""
    order = await _staff_order(number, viewer, Permission.ORDERS_REFUND, "cancel orders")
    preview = cancellation.preview_cancellation(order)
    return CancellationPreviewOut(
        may_cancel=preview.may_cancel,
        refunds=preview.refunds,
        refund_amount=decimal_string(preview.refund_amount),
        currency=order.currency,
    )


# --- staff actions ----------------------------------------------------------------------


@router.post(
    "/orders/{number}/fulfil",
    response_model=OrderOut,
    summary="Mark a paid order shipped (admins)",
    responses=problem_responses(400, 401, 403, 404, 409),
)
async def fulfil_order(
    number: OrderNumber, body: FulfilmentIn, viewer: OrderFulfilmentStaff
) -> OrderOut:
    """The customer is e-mailed (and texted, with a phone). As held at several locations
    (`ships_from`), it ships as one parcel from each: give each one's number in `parcels`,
    or one lead `tracking_number` for all. With `ship_from`, it all leaves from that
    location. 409: the order is not paid (or an edit left it partly paid)."""
    order = await _staff_order(number, viewer, Permission.ORDERS_FULFIL, "ship orders")
    if body.ship_from is not None and body.ship_from not in {
        choice.id for choice in await locations.location_choices(actor=viewer)
    }:
        raise InvalidInputError(
            "Please correct the shipping details.",
            {"ship_from": "Choose one of the stock locations (GET /admin/ship-from-locations)."},
        )
    await fulfilment.fulfil_order(
        order.id,
        carrier=body.carrier,
        tracking_number=body.tracking_number,
        actor=viewer,
        ship_from=body.ship_from,
        parcels=(
            {parcel.location_id: parcel.tracking_number for parcel in body.parcels}
            if body.parcels
            else None
        ),
    )
    return await _order_out(order.number, viewer)


@router.get(
    "/admin/ship-from-locations",
    response_model=list[LocationChoiceOut],
    summary="The stock locations an order may ship from, in priority order (admins)",
    responses=problem_responses(401, 403),
)
async def ship_from_locations(viewer: OrderFulfilmentStaff) -> list[LocationChoiceOut]:
    """What `ship_from` of `POST /orders/{number}/fulfil` takes."""
    return [
        LocationChoiceOut(id=choice.id, name=choice.name)
        for choice in await locations.location_choices(actor=viewer)
    ]


@router.post(
    "/orders/{number}/deliver",
    response_model=OrderOut,
    summary="Mark a shipped order delivered (admins)",
    responses=problem_responses(401, 403, 404, 409),
)
async def deliver_order(number: OrderNumber, viewer: OrderFulfilmentStaff) -> OrderOut:
    order = await _staff_order(number, viewer, Permission.ORDERS_FULFIL, "update orders")
    await fulfilment.mark_delivered(order.id, actor=viewer)
    return await _order_out(order.number, viewer)


@router.post(
    "/orders/{number}/refunds",
    response_model=RefundOut,
    summary="Refund part or all of a paid order (admins)",
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def refund_order(
    number: OrderNumber, body: RefundIn, viewer: OrderRefundStaff, key: IdempotencyKey
) -> RefundOut:
    """One refund per `Idempotency-Key`. 400: more than is left to refund. 409: nothing
    was paid, or the provider refused the refund."""
    order = await _staff_order(number, viewer, Permission.ORDERS_REFUND, "refund orders")
    refunded = await payment_refunds.refund_order(
        order.id,
        amount=None if body.amount is None else Decimal(body.amount),
        request_key=_scoped_key("refund", str(viewer.user_id), key),
        actor=actor_label(viewer),
        by=viewer,
    )
    return RefundOut(
        refunded=decimal_string(refunded), order=await _order_out(order.number, viewer)
    )


@router.post(
    "/orders/{number}/manual-payments",
    response_model=OrderOut,
    summary="Record that an unpaid order was paid by bank transfer or in cash",
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def record_manual_payment(
    number: OrderNumber, body: ManualPaymentIn, viewer: OrderEditors
) -> OrderOut:
    """409: the order is not waiting for a payment (paid, cancelled, or one is recorded)."""
    order = await _staff_order(
        number, viewer, Permission.ORDERS_EDIT, "record payments taken by hand"
    )
    await manual_payments.record_manual_payment(
        order.id, method=body.method, reference=body.reference, by=viewer
    )
    return await _order_out(order.number, viewer)


@router.post(
    "/orders/{number}/payment-link",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=OrderOut,
    summary="E-mail the customer a link to pay an unpaid order by card",
    responses=problem_responses(401, 403, 404, 409),
)
async def send_payment_link(number: OrderNumber, viewer: OrderEditors) -> OrderOut:
    """Accepted: the worker sends the e-mail. The order then waits a week for its payment."""
    order = await _staff_order(number, viewer, Permission.ORDERS_EDIT, "send payment links")
    await payment_links.request_payment_link(order.id, by=viewer)
    return await _order_out(order.number, viewer)


def _edit_request(body: OrderEditIn) -> EditRequest:
    return EditRequest(body.quantities, body.added, body.shipping)


async def _edit_out(
    number: str, viewer: Viewer, quote: EditQuote, outcome: EditOutcome | None = None
) -> OrderEditOut:
    """An edit's answer; `outcome` None for a preview (nothing settled)."""
    return OrderEditOut(
        order=await _order_out(number, viewer),
        changes=quote.said,
        old_total=decimal_string(quote.old_total),
        total=decimal_string(quote.total),
        to_pay=decimal_string(quote.to_pay),
        given_back=decimal_string(outcome.given_back if outcome else Decimal("0.00")),
        payment_link_sent=outcome.payment_link_sent if outcome else False,
        refund_failure=outcome.refund_failure if outcome else None,
    )


@router.post(
    "/orders/{number}/edit-previews",
    response_model=OrderEditOut,
    summary="What an edit would make of an order that has not shipped (nothing is changed)",
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def preview_order_edit(
    number: OrderNumber, body: OrderEditIn, viewer: OrderEditors
) -> OrderEditOut:
    """409: the order cannot be changed now (shipped, cancelled, a payment under way)."""
    order = await _staff_order(number, viewer, Permission.ORDERS_EDIT, "edit orders")
    quote = await order_edits.preview_edit(order.id, _edit_request(body), by=viewer)
    return await _edit_out(order.number, viewer, quote)


@router.post(
    "/orders/{number}/edits",
    response_model=OrderEditOut,
    summary="Change an order's lines or shipping before it ships, and settle the difference",
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def edit_order(number: OrderNumber, body: OrderEditIn, viewer: OrderEditors) -> OrderEditOut:
    """Lines kept keep their price; variants added are priced now. A paid order whose total
    rose owes the difference (a payment link is e-mailed); one whose total fell gets it
    back the way it was paid. 409: the order cannot be changed now, or not this way (not
    enough stock, every line removed)."""
    order = await _staff_order(number, viewer, Permission.ORDERS_EDIT, "edit orders")
    outcome = await order_edits.edit_order(order.id, _edit_request(body), by=viewer)
    return await _edit_out(order.number, viewer, outcome.quote, outcome)


@router.post(
    "/orders/{number}/give-back",
    response_model=GiveBackOut,
    summary="Give back what an edit took off a paid order, when the provider refused it then",
    responses=problem_responses(401, 403, 404, 409),
)
async def give_back_difference(number: OrderNumber, viewer: OrderEditors) -> GiveBackOut:
    """The edit's answer said `refund_failure`: try again. It goes back the way it was
    paid. 409: nothing is owed to the customer, or the provider refused again."""
    order = await _staff_order(number, viewer, Permission.ORDERS_EDIT, "edit orders")
    given = await order_edits.give_back_difference(order.id, by=viewer)
    return GiveBackOut(
        given_back=decimal_string(given), order=await _order_out(order.number, viewer)
    )


# --- provider notifications ---------------------------------------------------------------

# The very handler of POST /payments/webhooks/stripe (api/payment_routes.py), also here.
router.add_api_route(
    "/payments/webhooks/stripe",
    stripe_webhook,
    methods=["POST"],
    tags=["payments"],
    summary="Stripe's notifications (signed with STRIPE_WEBHOOK_SECRET)",
    responses={
        200: {"description": "Received (`processed`: false for a repeated event)"},
        400: {"description": "The Stripe-Signature header does not verify"},
        413: {"description": "The body is too large"},
    },
)
