"""The checkout and cancellation use cases (`backend/checkout`), called as each door calls
them: the storefront places and pays in one step, the API places and pays in two, the
worker forgets paid lines on OrderPaid; staff and shoppers cancel through one rule. And
the unpaid-order limits, which every placement passes inside its own transaction."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, update
from sqlmodel import select

from backend.accounts.schemas import Viewer
from backend.cart import owners as cart_owners
from backend.cart import queries as cart_queries
from backend.cart import services as carts
from backend.cart.schemas import CartOwner
from backend.catalog.models import Product
from backend.checkout import cancellation
from backend.checkout import services as checkout
from backend.checkout.errors import TooManyUnpaidOrdersError
from backend.checkout.limits import orders_per_network_address
from backend.core import rate_limits
from backend.core.db import session_scope
from backend.core.errors import PermissionDeniedError
from backend.orders import fulfilment
from backend.orders import queries as order_queries
from backend.orders.errors import InvalidTransitionError
from backend.orders.events import OrderPaid
from backend.orders.models import Order
from backend.orders.ownership import Shopper
from backend.orders.services import PlacedOrder
from backend.payments import test_gateway as cards
from backend.payments.models import PaymentTransaction
from backend.pricing import discounts
from backend.pricing.models import DiscountCode
from backend.settings import get_settings
from jobs.event_handlers.order_follow_ups import empty_bought_lines_from_cart
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import checkout_details, tab_that_placed


def _address() -> str:
    number = uuid.uuid4().int
    return f"198.18.{number % 250}.{(number >> 8) % 250 + 1}"  # a benchmarking network


async def _guest_with(product_id: uuid.UUID, quantity: int = 1) -> CartOwner:
    owner = cart_owners.guest_owner(cart_owners.new_guest_token())
    assert owner is not None
    await carts.add_item(owner, product_id, quantity)
    return owner


async def _place(
    owner: CartOwner,
    *,
    email: str = "buyer@example.com",
    user_id: uuid.UUID | None = None,
    address: str | None = None,
    key: str | None = None,
    **details: object,
) -> PlacedOrder:
    return await checkout.place_order(
        cart_owner=owner,
        details=checkout_details(email=email, **details),
        checkout_key=key or uuid.uuid4().hex,
        user_id=user_id,
        client_address=address or _address(),
    )


async def _stock(product_id: uuid.UUID) -> int:
    async with session_scope() as session:
        return (
            await session.exec(select(Product.stock_quantity).where(Product.id == product_id))
        ).one()


async def _order(order_id: uuid.UUID) -> Order:
    async with session_scope() as session:
        order = await session.get(Order, order_id)
    assert order is not None
    return order


async def _uses(code: str) -> int:
    async with session_scope() as session:
        return (
            await session.exec(select(DiscountCode.times_used).where(DiscountCode.code == code))
        ).one()


async def _refunds(order_id: uuid.UUID) -> int:
    async with session_scope() as session:
        return (
            await session.exec(
                select(func.count()).where(
                    PaymentTransaction.order_id == order_id, PaymentTransaction.kind == "refund"
                )
            )
        ).one()


def _unique_email() -> str:
    return f"buyer-{uuid.uuid4().hex[:10]}@example.com"


# --- the storefront's door: place and pay in one step ------------------------------------


async def test_the_storefront_places_and_pays_and_the_cart_forgets_the_lines_at_once(
    make_product: MakeProduct,
) -> None:
    lamp = await make_product(price=Decimal("25.00"), stock_quantity=5)
    owner = await _guest_with(lamp, 2)

    done = await checkout.place_and_pay(
        cart_owner=owner,
        details=checkout_details(email=_unique_email()),
        checkout_key=uuid.uuid4().hex,
        user_id=None,
        client_address=_address(),
        shopper=Shopper(),
        payment_method=cards.SUCCEEDS,
        attempt_key=uuid.uuid4().hex,
    )

    assert done.order.created
    assert done.payment.status == "succeeded"
    assert (await _order(done.order.id)).payment_status == "paid"
    assert (await cart_queries.get_cart(owner)).lines == ()  # before any worker ran
    assert await _stock(lamp) == 3


async def test_a_declined_card_keeps_the_order_and_cart_and_the_same_review_pays_it_later(
    make_product: MakeProduct,
) -> None:
    lamp = await make_product(stock_quantity=5)
    owner = await _guest_with(lamp)
    key, email, address = uuid.uuid4().hex, _unique_email(), _address()

    async def attempt(card: str) -> checkout.CheckoutOutcome:
        return await checkout.place_and_pay(
            cart_owner=owner,
            details=checkout_details(email=email),
            checkout_key=key,
            user_id=None,
            client_address=address,
            shopper=Shopper(),
            payment_method=card,
            attempt_key=uuid.uuid4().hex,
        )

    declined = await attempt(cards.DECLINED)
    paid = await attempt(cards.SUCCEEDS)

    assert declined.payment.status == "failed"
    assert declined.payment.message
    assert (paid.order.id, paid.order.created) == (declined.order.id, False)
    assert paid.payment.status == "succeeded"
    assert (await cart_queries.get_cart(owner)).lines == ()
    assert await _stock(lamp) == 4


async def test_a_payment_that_cannot_be_tried_is_a_failed_outcome_not_an_error(
    make_product: MakeProduct,
) -> None:
    """The order exists by then: the storefront must learn its number to let the shopper
    try again, so a refused payment comes back as an outcome."""
    owner = await _guest_with(await make_product())
    placed = await _place(owner, email=_unique_email())
    await cancellation.cancel_order(
        placed.id, shopper=tab_that_placed(placed.id)
    )  # e.g. another tab cancelled it meanwhile

    again = await checkout.place_and_pay(
        cart_owner=owner,
        details=checkout_details(email=_unique_email()),
        checkout_key=uuid.uuid4().hex,
        user_id=None,
        client_address=_address(),
        shopper=Shopper(),
        payment_method="",  # an empty card number: the gateway is never asked
        attempt_key="",
    )

    assert again.order.created
    assert again.payment.status == "failed"
    assert "expired" in again.payment.message  # the payment form's own message


async def test_the_bank_step_confirmed_pays_the_order_and_empties_the_cart(
    make_product: MakeProduct,
) -> None:
    owner = await _guest_with(await make_product())
    done = await checkout.place_and_pay(
        cart_owner=owner,
        details=checkout_details(email=_unique_email()),
        checkout_key=uuid.uuid4().hex,
        user_id=None,
        client_address=_address(),
        shopper=Shopper(),
        payment_method=cards.NEEDS_AUTHENTICATION,
        attempt_key=uuid.uuid4().hex,
    )
    assert done.payment.status == "requires_action"
    assert len((await cart_queries.get_cart(owner)).lines) == 1

    confirmed = await checkout.confirm_payment(
        done.order.id, shopper=tab_that_placed(done.order.id), approve=True
    )

    assert confirmed.status == "succeeded"
    assert (await cart_queries.get_cart(owner)).lines == ()


# --- the API's door: place, then pay ------------------------------------------------------


async def test_the_api_places_then_pays_from_the_account_cart(
    make_product: MakeProduct, shopper_viewer: Viewer
) -> None:
    mug = await make_product(stock_quantity=5)
    owner = cart_owners.user_owner(shopper_viewer.user_id)
    await carts.add_item(owner, mug, 1)
    placed = await _place(owner, email=shopper_viewer.email, user_id=shopper_viewer.user_id)

    declined = await checkout.pay_order(
        placed.id,
        shopper=tab_that_placed(placed.id),
        payment_method=cards.DECLINED,
        attempt_key="a",
    )
    assert declined.status == "failed"
    assert len((await cart_queries.get_cart(owner)).lines) == 1  # a declined card keeps the cart
    paid = await checkout.pay_order(
        placed.id,
        shopper=tab_that_placed(placed.id),
        payment_method=cards.SUCCEEDS,
        attempt_key="b",
    )

    assert paid.status == "succeeded"
    assert (await cart_queries.get_cart(owner)).lines == ()
    assert (await _order(placed.id)).user_id == shopper_viewer.user_id


# --- the worker's door: OrderPaid ---------------------------------------------------------


async def test_the_worker_forgets_the_lines_of_a_paid_order_only_and_safely_twice(
    make_product: MakeProduct,
) -> None:
    lamp = await make_product(stock_quantity=5)
    owner = await _guest_with(lamp)
    placed = await _place(owner, email=_unique_email())

    await checkout.forget_paid_cart_lines(placed.id)  # not paid: nothing happens
    assert len((await cart_queries.get_cart(owner)).lines) == 1

    async with session_scope() as session:  # paid as a provider notification would
        await session.exec(
            update(Order).where(Order.id == placed.id).values(payment_status="paid", status="paid")  # type: ignore[arg-type]
        )
    event = OrderPaid(
        aggregate_id=str(placed.id),
        order_number=placed.number,
        email="buyer@example.com",
        customer_name="Ada Buyer",
        amount=Decimal("19.99"),
        currency="USD",
    )
    await empty_bought_lines_from_cart(event)
    await empty_bought_lines_from_cart(event)

    assert (await cart_queries.get_cart(owner)).lines == ()


async def test_a_product_put_in_the_cart_again_after_paying_stays_when_the_worker_catches_up(
    make_product: MakeProduct,
) -> None:
    """The worker's OrderPaid cleanup can run long after the payment (it retries through
    a database outage): by then the shopper may have put the same product in again."""
    lamp = await make_product(stock_quantity=5)
    owner = await _guest_with(lamp)
    placed = await _place(owner, email=_unique_email())
    paid = await checkout.pay_order(
        placed.id,
        shopper=tab_that_placed(placed.id),
        payment_method=cards.SUCCEEDS,
        attempt_key="a",
    )
    assert paid.status == "succeeded"
    assert (await cart_queries.get_cart(owner)).lines == ()

    await carts.add_item(owner, lamp, 1)  # the next one
    await checkout.forget_paid_cart_lines(placed.id)  # what the OrderPaid handler does

    assert [line.quantity for line in (await cart_queries.get_cart(owner)).lines] == [1]


# --- the unpaid-order limits --------------------------------------------------------------


async def test_concurrent_placements_of_one_session_stop_at_the_limit(
    make_product: MakeProduct,
) -> None:
    lamp = await make_product(stock_quantity=50)
    owner = await _guest_with(lamp)
    limit = get_settings().checkout_max_unpaid_orders_per_session

    results = await asyncio.gather(
        *(_place(owner, email=_unique_email()) for _ in range(limit + 3)),
        return_exceptions=True,
    )

    placed = [r for r in results if isinstance(r, PlacedOrder)]
    refused = [r for r in results if isinstance(r, TooManyUnpaidOrdersError)]
    assert (len(placed), len(refused)) == (limit, 3), results
    assert await _stock(lamp) == 50 - limit  # the refused ones reserved nothing
    assert all(0 < int(r.data["retry_after"]) <= 30 * 60 for r in refused)  # type: ignore[call-overload]


async def test_a_retry_of_a_placed_checkout_is_answered_even_at_the_limit(
    make_product: MakeProduct,
) -> None:
    owner = await _guest_with(await make_product(stock_quantity=50))
    keys = [uuid.uuid4().hex for _ in range(3)]
    first = [await _place(owner, email=_unique_email(), key=key) for key in keys]

    again = await _place(owner, email=_unique_email(), key=keys[0])

    assert (again.id, again.created) == (first[0].id, False)
    with pytest.raises(TooManyUnpaidOrdersError, match="from this browser"):
        await _place(owner, email=_unique_email())


async def test_a_refused_order_redeems_no_code_and_spends_no_network_budget(
    make_product: MakeProduct, admin_viewer: Viewer
) -> None:
    code = f"LIM{uuid.uuid4().hex[:8].upper()}"
    await discounts.create_discount_code(
        code, kind="percent", value=Decimal(10), usage_limit=10, actor=admin_viewer
    )
    owner = await _guest_with(await make_product(stock_quantity=50))
    address = _address()
    for _ in range(3):
        await _place(owner, email=_unique_email(), address=address, discount_code=code)
    budget = await rate_limits.window_stats(orders_per_network_address(), address)

    with pytest.raises(TooManyUnpaidOrdersError):
        await _place(owner, email=_unique_email(), address=address, discount_code=code)

    assert await _uses(code) == 3
    after = await rate_limits.window_stats(orders_per_network_address(), address)
    assert after.remaining == budget.remaining


async def test_a_guest_typing_an_account_holders_email_does_not_lock_the_account_out(
    make_product: MakeProduct, shopper_viewer: Viewer
) -> None:
    product = await make_product(stock_quantity=50)
    victim = shopper_viewer.email
    for _ in range(3):  # three guest sessions, each holding one order with that address
        await _place(await _guest_with(product), email=victim)
    with pytest.raises(TooManyUnpaidOrdersError, match="e-mail address"):
        await _place(await _guest_with(product), email=victim)

    account = cart_owners.user_owner(shopper_viewer.user_id)
    await carts.add_item(account, product, 1)
    placed = await _place(account, email=victim, user_id=shopper_viewer.user_id)
    assert placed.created


async def test_orders_no_longer_waiting_for_payment_do_not_count(
    make_product: MakeProduct,
) -> None:
    lamp = await make_product(stock_quantity=50)
    owner = await _guest_with(lamp)
    held = [await _place(owner, email=_unique_email()) for _ in range(3)]

    await cancellation.cancel_order(held[0].id, shopper=tab_that_placed(held[0].id))
    await checkout.pay_order(
        held[1].id,
        shopper=tab_that_placed(held[1].id),
        payment_method=cards.SUCCEEDS,
        attempt_key="p",
    )
    await carts.add_item(owner, lamp, 1)  # the paid lines left the cart

    assert (await _place(owner, email=_unique_email())).created
    assert (await _place(owner, email=_unique_email())).created


# --- cancelling: one rule for every door --------------------------------------------------


async def test_the_shopper_cancels_while_unpaid_and_stock_and_code_come_back(
    make_product: MakeProduct, admin_viewer: Viewer
) -> None:
    code = f"BACK{uuid.uuid4().hex[:8].upper()}"
    await discounts.create_discount_code(
        code, kind="fixed", value=Decimal(5), usage_limit=1, actor=admin_viewer
    )
    lamp = await make_product(stock_quantity=5)
    placed = await _place(await _guest_with(lamp, 2), email=_unique_email(), discount_code=code)
    assert (await _stock(lamp), await _uses(code)) == (3, 1)

    refunded = await cancellation.cancel_order(placed.id, shopper=tab_that_placed(placed.id))

    assert refunded == Decimal(0)
    assert (await _order(placed.id)).status == "cancelled"
    assert (await _stock(lamp), await _uses(code)) == (5, 0)
    with pytest.raises(InvalidTransitionError):
        await cancellation.cancel_order(placed.id, shopper=tab_that_placed(placed.id))
    assert await _uses(code) == 0


async def test_a_shopper_cannot_cancel_a_paid_order(make_product: MakeProduct) -> None:
    placed = await _place(await _guest_with(await make_product()), email=_unique_email())
    await checkout.pay_order(
        placed.id,
        shopper=tab_that_placed(placed.id),
        payment_method=cards.SUCCEEDS,
        attempt_key="p",
    )

    with pytest.raises(InvalidTransitionError):
        await cancellation.cancel_order(placed.id, shopper=tab_that_placed(placed.id))
    assert (await _order(placed.id)).status == "paid"


async def test_staff_cancel_unpaid_orders_and_refund_paid_ones_once_through_any_door(
    make_product: MakeProduct, admin_viewer: Viewer, shopper_viewer: Viewer
) -> None:
    lamp = await make_product(price=Decimal("30.00"), stock_quantity=5)
    unpaid = await _place(await _guest_with(lamp), email=_unique_email())
    paid = await _place(await _guest_with(lamp), email=_unique_email())
    await checkout.pay_order(
        paid.id, shopper=tab_that_placed(paid.id), payment_method=cards.SUCCEEDS, attempt_key="p"
    )

    with pytest.raises(PermissionDeniedError):
        await cancellation.cancel_order(paid.id, by=shopper_viewer)
    assert await cancellation.cancel_order(unpaid.id, by=admin_viewer) == Decimal(0)
    # The admin page and the API at once: one refund between them.
    outcomes = await asyncio.gather(
        cancellation.cancel_order(paid.id, by=admin_viewer),
        cancellation.cancel_order(paid.id, by=admin_viewer),
        return_exceptions=True,
    )

    refunded = [o for o in outcomes if isinstance(o, Decimal)]
    assert refunded == [(await _order(paid.id)).total], outcomes
    assert all(isinstance(o, InvalidTransitionError) for o in outcomes if o not in refunded)
    order = await _order(paid.id)
    assert (order.status, order.payment_status) == ("cancelled", "refunded")
    assert await _refunds(paid.id) == 1
    assert (await _order(unpaid.id)).status == "cancelled"
    assert await _stock(lamp) == 5


async def test_what_staff_may_do_is_read_from_the_order(
    make_product: MakeProduct, admin_viewer: Viewer
) -> None:
    placed = await _place(await _guest_with(await make_product()), email=_unique_email())
    waiting = await order_queries.get_order(placed.number)
    await checkout.pay_order(
        placed.id,
        shopper=tab_that_placed(placed.id),
        payment_method=cards.SUCCEEDS,
        attempt_key="p",
    )
    paid = await order_queries.get_order(placed.number)
    await fulfilment.fulfil_order(
        placed.id, carrier="UPS", tracking_number="1Z", actor=admin_viewer
    )
    shipped = await order_queries.get_order(placed.number)

    assert cancellation.staff_may_cancel(waiting)
    assert not cancellation.cancelling_refunds(waiting)
    assert cancellation.staff_may_cancel(paid)
    assert cancellation.cancelling_refunds(paid)
    assert not cancellation.staff_may_cancel(shipped)
    with pytest.raises(InvalidTransitionError):
        await cancellation.cancel_order(placed.id, by=admin_viewer)


async def test_a_use_is_never_given_back_below_zero(
    make_product: MakeProduct, admin_viewer: Viewer
) -> None:
    code = f"ZERO{uuid.uuid4().hex[:8].upper()}"
    await discounts.create_discount_code(
        code, kind="percent", value=Decimal(10), usage_limit=5, actor=admin_viewer
    )
    placed = await _place(
        await _guest_with(await make_product()), email=_unique_email(), discount_code=code
    )
    async with session_scope() as session:  # e.g. counted before uses were given back
        await session.exec(
            update(DiscountCode).where(DiscountCode.code == code).values(times_used=0)  # type: ignore[arg-type]
        )

    await cancellation.cancel_order(placed.id, shopper=tab_that_placed(placed.id))

    assert await _uses(code) == 0
