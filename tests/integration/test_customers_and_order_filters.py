"""Admin customers (facts, orders, lifetime value) and the staff orders list's filters,
with orders placed, paid, refunded and cancelled through the real services."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from backend.accounts import addresses, authentication
from backend.accounts.permissions import DefaultGroup
from backend.accounts.roles import RoleName
from backend.accounts.schemas import Viewer
from backend.cart import owners as cart_owners
from backend.cart import services as carts
from backend.checkout import cancellation
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from backend.orders import customers
from backend.orders import queries as order_queries
from backend.orders import services as orders
from backend.orders.filters import OrderFilters
from backend.orders.models import Order
from backend.payments import refunds as payment_refunds
from backend.payments import services as payments
from backend.payments import test_gateway as cards
from backend.payments.gateway import GatewayEvent
from backend.payments.models import PaymentTransaction
from tests.fixtures.accounts import PASSWORD, MakeUser, catalog_manager
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import checkout_details, tab_that_placed

# Standard shipping (4.95) is added below 75.00 of merchandise; US tax is 0.
SHIPPING = Decimal("4.95")


async def viewer_of(make_user: MakeUser, roles: frozenset[RoleName | DefaultGroup]) -> Viewer:
    credentials = await make_user(roles=roles)
    return (await authentication.sign_in(email=credentials.email, password=PASSWORD)).viewer


@pytest.fixture
async def customer(make_user: MakeUser) -> Viewer:
    return await viewer_of(make_user, frozenset({RoleName.USER}))


@pytest.fixture
async def product(make_product: MakeProduct) -> uuid.UUID:
    return await make_product(price=Decimal("20.00"), stock_quantity=50)


async def place(
    product_id: uuid.UUID, *, user: Viewer | None, email: str, quantity: int = 1
) -> orders.PlacedOrder:
    """An order from a fresh cart, belonging to `user` (None: a guest order)."""
    owner = cart_owners.guest_owner(cart_owners.new_guest_token())
    assert owner is not None
    await carts.add_item(owner, product_id, quantity)
    return await orders.place_order(
        cart_owner=owner,
        details=checkout_details(email=email),
        checkout_key=uuid.uuid4().hex,
        user_id=user.user_id if user else None,
    )


async def pay(order_id: uuid.UUID, card: str = cards.SUCCEEDS) -> None:
    await payments.pay_order(
        order_id,
        shopper=tab_that_placed(order_id),
        payment_method=card,
        attempt_key=uuid.uuid4().hex,
    )


async def set_placed_at(order_id: uuid.UUID, moment: datetime) -> None:
    async with session_scope() as session:
        await session.exec(update(Order).where(col(Order.id) == order_id).values(created_at=moment))


async def paid_after_cancellation(order_id: uuid.UUID) -> None:
    """The order expires unpaid, then the bank confirms the payment anyway: the order is
    cancelled and paid, its automatic refund not yet made."""
    await pay(order_id, cards.NEEDS_AUTHENTICATION)
    async with session_scope() as session:
        await session.exec(
            update(Order)
            .where(col(Order.id) == order_id)
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
        attempt = (
            await session.exec(
                select(PaymentTransaction).where(PaymentTransaction.order_id == order_id)
            )
        ).one()
    reference = str(attempt.reference)
    await orders.expire_unpaid_orders()
    await cards.TestGateway().confirm_payment(
        reference, idempotency_key=uuid.uuid4().hex, approve=True
    )
    await payments.apply_gateway_event(
        GatewayEvent(
            f"evt_{uuid.uuid4().hex}",
            "payment_intent.succeeded",
            reference,
            "succeeded",
            utcnow(),
        ),
        gateway="test",
    )


# --- customers: lifetime value ------------------------------------------------------------


async def test_lifetime_value_counts_what_the_shop_kept_of_paid_orders(
    customer: Viewer, admin_viewer: Viewer, product: uuid.UUID
) -> None:
    email = customer.email
    paid = await place(product, user=customer, email=email)
    await pay(paid.id)
    partly_refunded = await place(product, user=customer, email=email, quantity=2)
    await pay(partly_refunded.id)
    await payment_refunds.refund_order(
        partly_refunded.id, amount=Decimal("5.00"), request_key="part", actor="test"
    )
    refunded = await place(product, user=customer, email=email)
    await pay(refunded.id)
    await payment_refunds.refund_order(refunded.id, amount=None, request_key="all", actor="test")
    cancelled_after_paying = await place(product, user=customer, email=email)
    await pay(cancelled_after_paying.id)
    await cancellation.cancel_paid_order(
        cancelled_after_paying.id, request_key="cancel", actor=admin_viewer
    )
    unpaid = await place(product, user=customer, email=email)
    cancelled_unpaid = await place(product, user=customer, email=email)
    await orders.cancel_unpaid_order(
        cancelled_unpaid.id, shopper=tab_that_placed(cancelled_unpaid.id)
    )
    declined = await place(product, user=customer, email=email)
    await pay(declined.id, cards.DECLINED)
    guest = await place(product, user=None, email=email)  # same e-mail, no account
    await pay(guest.id)
    mine = [
        paid,
        partly_refunded,
        refunded,
        cancelled_after_paying,
        unpaid,
        cancelled_unpaid,
        declined,
    ]

    detail = await customers.get_customer(admin_viewer, customer.user_id)

    assert paid.total == Decimal("20.00") + SHIPPING
    assert detail.lifetime_value == paid.total + partly_refunded.total - Decimal("5.00")
    assert detail.lifetime_value == Decimal("64.90")
    assert (detail.order_count, detail.paid_order_count) == (7, 2)
    assert [o.number for o in detail.orders.items] == [o.number for o in reversed(mine)]
    assert detail.orders.total == 7
    assert guest.number not in {o.number for o in detail.orders.items}
    by_number = {o.number: o for o in detail.orders.items}
    assert detail.first_order_at == by_number[paid.number].created_at
    assert detail.last_order_at == by_number[declined.number].created_at
    assert by_number[partly_refunded.number].payment_status == "partially_refunded"
    assert by_number[partly_refunded.number].refunded_amount == Decimal("5.00")
    assert by_number[cancelled_after_paying.number].status == "cancelled"

    listed = await customers.list_customers(admin_viewer, search=email)
    [row] = listed.items
    assert row.account.user_id == customer.user_id
    assert (row.order_count, row.lifetime_value) == (7, detail.lifetime_value)


async def test_a_payment_arriving_after_cancellation_adds_nothing_before_its_refund(
    customer: Viewer, admin_viewer: Viewer, product: uuid.UUID
) -> None:
    order = await place(product, user=customer, email=customer.email)
    await paid_after_cancellation(order.id)

    detail = await customers.get_customer(admin_viewer, customer.user_id)

    [shown] = detail.orders.items
    assert (shown.status, shown.payment_status) == ("cancelled", "paid")
    assert (detail.lifetime_value, detail.paid_order_count) == (Decimal("0.00"), 0)


async def test_customer_facts_and_a_customer_without_orders(
    customer: Viewer, admin_viewer: Viewer
) -> None:
    await addresses.add_address(
        customer.user_id,
        {
            "full_name": "Ada Buyer",
            "line1": "1 Market Street",
            "city": "Springfield",
            "postal_code": "12345",
            "country": "US",
        },
    )

    detail = await customers.get_customer(admin_viewer, customer.user_id)

    account = detail.account
    assert (account.email, account.username, account.status) == (
        customer.email,
        customer.username,
        "active",
    )
    assert account.roles == ("user",)
    assert account.last_login_at is not None  # the fixture signed in
    assert account.address_count == 1
    assert (detail.lifetime_value, detail.order_count, detail.paid_order_count) == (
        Decimal("0.00"),
        0,
        0,
    )
    assert (detail.first_order_at, detail.last_order_at, detail.orders.items) == (None, None, [])
    [row] = (await customers.list_customers(admin_viewer, search=customer.email)).items
    assert (row.order_count, row.lifetime_value) == (0, Decimal("0.00"))


async def test_the_customer_list_sums_each_account_on_its_page(
    make_user: MakeUser, admin_viewer: Viewer, product: uuid.UUID, unique: str
) -> None:
    buyers = [await viewer_of(make_user, frozenset({RoleName.USER})) for _ in range(3)]
    for count, buyer in enumerate(buyers):  # 0, 1 and 2 paid orders
        for _ in range(count):
            order = await place(product, user=buyer, email=buyer.email)
            await pay(order.id)

    # The test's accounts (the admin's too) share `unique`: four, over two pages.
    first = await customers.list_customers(admin_viewer, search=unique, limit=2)
    second = await customers.list_customers(admin_viewer, search=unique, page=2, limit=2)

    assert (first.total, first.page_count) == (4, 2)
    rows = {row.account.user_id: row for row in [*first.items, *second.items]}
    assert [(rows[b.user_id].order_count, rows[b.user_id].lifetime_value) for b in buyers] == [
        (0, Decimal("0.00")),
        (1, Decimal("24.95")),
        (2, Decimal("49.90")),
    ]
    assert (rows[admin_viewer.user_id].order_count, rows[admin_viewer.user_id].lifetime_value) == (
        0,
        Decimal("0.00"),
    )
    # Newest account first, like the plain accounts list.
    newest_first = [b.user_id for b in reversed(buyers)] + [admin_viewer.user_id]
    assert [row.account.user_id for row in [*first.items, *second.items]] == newest_first


async def test_customer_orders_are_paged_newest_first(
    customer: Viewer, admin_viewer: Viewer, product: uuid.UUID
) -> None:
    placed = [await place(product, user=customer, email=customer.email) for _ in range(3)]

    second = await customers.get_customer(admin_viewer, customer.user_id, page=2, limit=2)

    assert [o.number for o in second.orders.items] == [placed[0].number]
    assert (second.orders.total, second.orders.page_count, second.order_count) == (3, 2, 3)


async def test_only_admins_see_customers(
    make_user: MakeUser, customer: Viewer, admin_viewer: Viewer
) -> None:
    moderator = await viewer_of(make_user, frozenset({DefaultGroup.MODERATORS}))
    for outsider in (customer, moderator, None):
        with pytest.raises(PermissionDeniedError):
            await customers.get_customer(outsider, customer.user_id)  # type: ignore[arg-type]
        with pytest.raises(PermissionDeniedError):
            await customers.list_customers(outsider)  # type: ignore[arg-type]
    with pytest.raises(NotFoundError):
        await customers.get_customer(admin_viewer, uuid.uuid4())


# --- the orders list's filters ------------------------------------------------------------


async def numbers_of(filters: OrderFilters) -> list[str]:
    page = await order_queries.list_all_orders(await catalog_manager(), filters=filters, limit=100)
    assert page.total == len(page.items)
    return [row.number for row in page.items]


async def test_the_date_range_includes_both_whole_utc_days(
    customer: Viewer, product: uuid.UUID
) -> None:
    moments = [
        datetime(2021, 4, 30, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2021, 5, 1, 0, 0, tzinfo=UTC),
        datetime(2021, 5, 1, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2021, 5, 2, 0, 0, tzinfo=UTC),
    ]
    placed = []
    for moment in moments:
        order = await place(product, user=customer, email=customer.email)
        await set_placed_at(order.id, moment)
        placed.append(order.number)
    before, first, last, after = placed
    mine = {"customer_id": customer.user_id}

    may_first = OrderFilters(placed_from=date(2021, 5, 1), placed_to=date(2021, 5, 1), **mine)
    assert await numbers_of(may_first) == [last, first]  # newest first
    assert await numbers_of(OrderFilters(placed_from=date(2021, 5, 2), **mine)) == [after]
    assert await numbers_of(OrderFilters(placed_to=date(2021, 4, 30), **mine)) == [before]
    assert await numbers_of(OrderFilters(placed_to=date.max, **mine)) == placed[::-1]
    with pytest.raises(InvalidInputError) as inverted:
        OrderFilters(placed_from=date(2021, 5, 2), placed_to=date(2021, 5, 1))
    assert set(inverted.value.field_errors) == {"placed_to"}


async def test_the_total_range_is_inclusive(customer: Viewer, make_product: MakeProduct) -> None:
    placed = {}
    for price in ("10.00", "20.00", "80.00"):  # totals 14.95, 24.95, 80.00 (free shipping)
        product = await make_product(price=Decimal(price), stock_quantity=5)
        order = await place(product, user=customer, email=customer.email)
        placed[order.total] = order.number
    cheap, middle, dear = (placed[Decimal(t)] for t in ("14.95", "24.95", "80.00"))
    mine = {"customer_id": customer.user_id}

    from_middle = OrderFilters(min_total=Decimal("24.95"), **mine)
    up_to_middle = OrderFilters(max_total=Decimal("24.95"), **mine)
    exactly = OrderFilters(min_total=Decimal("24.95"), max_total=Decimal("24.95"), **mine)
    assert await numbers_of(from_middle) == [dear, middle]
    assert await numbers_of(up_to_middle) == [middle, cheap]
    assert await numbers_of(exactly) == [middle]
    assert await numbers_of(OrderFilters(min_total=Decimal("80.01"), **mine)) == []
    with pytest.raises(InvalidInputError) as inverted:
        OrderFilters(min_total=Decimal(30), max_total=Decimal(20))
    assert set(inverted.value.field_errors) == {"max_total"}


async def test_filters_combine_and_the_customer_filter_leaves_out_guest_orders(
    customer: Viewer, product: uuid.UUID, make_product: MakeProduct
) -> None:
    dear_product = await make_product(price=Decimal("80.00"), stock_quantity=5)
    day = datetime(2022, 3, 10, 12, 0, tzinfo=UTC)
    paid_cheap = await place(product, user=customer, email=customer.email)
    await pay(paid_cheap.id)
    paid_dear = await place(dear_product, user=customer, email=customer.email)
    await pay(paid_dear.id)
    unpaid_dear = await place(dear_product, user=customer, email=customer.email)
    other_day = await place(dear_product, user=customer, email=customer.email)
    await pay(other_day.id)
    guest = await place(dear_product, user=None, email=customer.email)
    await pay(guest.id)
    for order in (paid_cheap, paid_dear, unpaid_dear, guest):
        await set_placed_at(order.id, day)
    await set_placed_at(other_day.id, day + timedelta(days=1))

    combined = OrderFilters(
        status="paid",
        search=customer.email,
        placed_from=day.date(),
        placed_to=day.date(),
        min_total=Decimal("50"),
    )
    # The search matches the guest order's e-mail too; the account filter does not.
    assert set(await numbers_of(combined)) == {paid_dear.number, guest.number}
    account_only = OrderFilters(
        status="paid",
        placed_from=day.date(),
        placed_to=day.date(),
        min_total=Decimal("50"),
        customer_id=customer.user_id,
    )
    assert await numbers_of(account_only) == [paid_dear.number]
    pending = OrderFilters(status="pending_payment", customer_id=customer.user_id)
    assert await numbers_of(pending) == [unpaid_dear.number]
    assert await numbers_of(OrderFilters(search=paid_cheap.number)) == [paid_cheap.number]


async def test_only_admins_list_every_order(shopper_viewer: Viewer, make_user: MakeUser) -> None:
    moderator = await make_user(roles=frozenset({DefaultGroup.MODERATORS, RoleName.USER}))
    moderator_viewer = (
        await authentication.sign_in(email=moderator.email, password=moderator.password)
    ).viewer
    for outsider in (shopper_viewer, moderator_viewer):
        with pytest.raises(PermissionDeniedError):
            await order_queries.list_all_orders(outsider)
