"""Whole journeys through a client generated from /api/v1/openapi.json (issue #25 item 4):
a shopper (sign up → confirm the address → sign in → save an address → browse a product
with sizes → cart → order → pay → review after delivery → return), a guest without an
account (guest cart → order with an e-mail address → pay with the order's token → find
it again by number and e-mail) and a merchant (a
product with variants → stock at two locations → a promotion → a shopper buys → ship as
two parcels → refund → the sales figures). Every API call goes through the generated
client's functions and models, on the real app in-process with the real PostgreSQL and
Redis. Outside the client only what a real shopper or shop has anyway: the link in the
e-mail the shop sends (the worker's e-mail job renders it), the staff account the
merchant signs in with, and the test card the test gateway accepts."""

from __future__ import annotations

import importlib
import re
import uuid
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from types import ModuleType
from typing import Any

import httpx
import pytest
from sqlmodel import col, select

from api.app import build_http_app
from backend.accounts.models import User
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.events.base import event_from_row
from backend.events.models import OutboxEvent
from backend.notifications.models import Notification
from jobs.handlers import EVENT_HANDLERS
from tests.fixtures.accounts import PASSWORD, Credentials
from tests.fixtures.api_client import own_address
from tests.fixtures.stock_locations import MAIN

BASE_URL = "http://localhost:3100/api/v1"
TEST_CARD = "4242 4242 4242 4242"  # the test gateway's card that pays

pytestmark = pytest.mark.usefixtures("main_warehouse_sells_alone")


# --- the shop's surroundings (not API calls) -----------------------------------------------


async def confirmation_token(email: str) -> str:
    """The shopper opens the e-mail the shop sent at sign-up (the worker's e-mail job run
    for the account's events, as the other e-mail tests do) and takes the link's token."""
    async with session_scope() as session:
        user_id = str((await session.exec(select(User.id).where(User.email == email))).one())
        rows = (
            await session.exec(select(OutboxEvent).where(OutboxEvent.aggregate_id == user_id))
        ).all()
    for row in rows:
        event = event_from_row(
            event_type=row.event_type,
            event_id=row.id,
            occurred_at=row.occurred_at,
            aggregate_id=row.aggregate_id,
            payload=row.payload,
        )
        for handler in EVENT_HANDLERS.get(type(event), []):
            if handler.__name__.startswith("send_"):
                await handler(event)
    async with session_scope() as session:
        message = (
            await session.exec(
                select(Notification)
                .where(Notification.recipient == email)
                .where(Notification.template == "email_verification")
                .order_by(col(Notification.created_at).desc())
            )
        ).first()
    assert message is not None, "no confirmation e-mail"
    found = re.search(r"/verify-email\?token=([A-Za-z0-9_.:-]+)", message.body_text)
    assert found is not None, message.body_text
    return found.group(1)


# --- the generated client --------------------------------------------------------------


class Shop:
    """The generated client package, connected to the real app in-process. `call` runs
    one operation's `asyncio_detailed` and checks its status; `model` names a generated
    model class."""

    def __init__(self, package: ModuleType) -> None:
        self.package = package
        self.app = build_http_app()
        self.models = importlib.import_module(f"{package.__name__}.models")
        self._opened: list[httpx.AsyncClient] = []

    def client(
        self, access_token: str | None = None, *, guest_headers: dict[str, str] | None = None
    ) -> Any:
        """A client as one person's app: its own network address, signed in if a token
        is given; a guest's app sends its cart's or order's token (`guest_headers`) on
        every call, as the generated client's own `headers` would."""
        headers = {"Authorization": f"Bearer {access_token}"} if access_token else {}
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app, client=(own_address(), 123)),
            base_url=BASE_URL,
            headers={**headers, **(guest_headers or {})},
        )
        self._opened.append(http)
        if access_token is None:
            made = self.package.Client(base_url=BASE_URL)
        else:
            made = self.package.AuthenticatedClient(base_url=BASE_URL, token=access_token)
        made.set_async_httpx_client(http)
        return made

    def model(self, name: str) -> Any:
        return getattr(self.models, name)

    async def call(
        self, tag: str, operation: str, *args: Any, expect: int = 200, **kwargs: Any
    ) -> Any:
        module = importlib.import_module(f"{self.package.__name__}.api.{tag}.{operation}")
        response = await module.asyncio_detailed(*args, **kwargs)
        assert response.status_code == expect, (operation, response.status_code, response.content)
        return response.parsed

    async def sign_in(self, email: str, password: str) -> Any:
        """POST /auth/token (password grant): a client signed in as that account."""
        tokens = await self.call(
            "auth",
            "issue_token",
            client=self.client(),
            body=self.model("TokenRequest")(
                grant_type="password", username=email, password=password
            ),
        )
        assert tokens.token_type.lower() == "bearer"
        return self.client(tokens.access_token)

    async def close(self) -> None:
        for http in self._opened:
            await http.aclose()


@pytest.fixture
async def shop(generated_client: ModuleType) -> AsyncIterator[Shop]:
    made = Shop(generated_client)
    yield made
    await made.close()


def key() -> str:
    return uuid.uuid4().hex


def money(amount: str) -> Decimal:
    return Decimal(amount)


async def product_with_sizes(
    shop: Shop, staff: Any, unique: str, name: str, prices: dict[str, str], stock: int
) -> Any:
    """The merchant's category and a product sold in sizes (one variant per size), made
    through POST /admin/categories and POST /products."""
    category = await shop.call(
        "categories",
        "create_category",
        client=staff,
        body=shop.model("CategoryCreateIn")(name=f"{name} {unique}", slug=f"journey-{unique}"),
        expect=201,
    )
    sku = f"JRN-{unique}"
    variant_in, options_in = shop.model("VariantIn"), shop.model("VariantInOptions")
    product = await shop.call(
        "products",
        "create_product",
        client=staff,
        body=shop.model("ProductWrite")(
            name=f"{name} {unique}",
            sku=sku,
            price=min(prices.values(), key=Decimal),
            category_id=category.id,
            description="Organic cotton.",
            options=[shop.model("OptionIn")(name="Size", values=list(prices))],
            variants=[
                variant_in(
                    sku=f"{sku}-{size}",
                    price=price,
                    options=options_in.from_dict({"Size": size}),
                    stock_quantity=stock,
                )
                for size, price in prices.items()
            ],
            default_sku=f"{sku}-{next(iter(prices))}",
        ),
        expect=201,
    )
    assert [(option.name, option.values) for option in product.options] == [("Size", list(prices))]
    return product


def variant_sized(product: Any, size: str) -> Any:
    return next(v for v in product.variants if v.options.additional_properties == {"Size": size})


def order_adds_up(order: Any) -> None:
    """What a shopper checks on an order: the total is the goods less the discounts, plus
    shipping (and tax when prices are shown without it)."""
    tax = Decimal(0) if order.prices_include_tax else money(order.tax)
    assert money(order.total) == (
        money(order.subtotal)
        - money(order.discount)
        - money(order.promotion_discount)
        - money(order.multibuy_discount)
        + money(order.shipping)
        + tax
    ), order.to_dict()


# --- the shopper -------------------------------------------------------------------------


async def test_a_shopper_signs_up_buys_a_size_reviews_it_and_returns_one(
    shop: Shop, staff_admin: Credentials, unique: str
) -> None:
    model = shop.model
    merchant = await shop.sign_in(staff_admin.email, staff_admin.password)
    tee = await product_with_sizes(
        shop, merchant, unique, "Journey Tee", {"S": "20.00", "M": "20.00", "L": "24.00"}, 5
    )

    # Sign up; the account waits for its address to be confirmed.
    visitor = shop.client()
    email = f"journey-{unique}@example.com".lower()
    accepted = await shop.call(
        "users",
        "register_user",
        client=visitor,
        body=model("RegistrationBody")(
            username=f"journey_{unique}",
            email=email,
            password=PASSWORD,
            first_name="Ada",
            last_name="Buyer",
        ),
        expect=202,
    )
    assert accepted.email == email
    refused = await shop.call(
        "auth",
        "issue_token",
        client=visitor,
        body=model("TokenRequest")(grant_type="password", username=email, password=PASSWORD),
        expect=400,
    )
    # Not before the address is confirmed: the app can tell the shopper why.
    assert (refused.error, refused.detail) == (
        "invalid_grant",
        "Please confirm your e-mail address first: open the link we sent you.",
    )

    # Confirm with the e-mailed link, then sign in.
    await shop.call(
        "auth",
        "confirm_email",
        client=visitor,
        body=model("AccountTokenIn")(token=await confirmation_token(email)),
        expect=204,
    )
    me = await shop.sign_in(email, PASSWORD)
    account = await shop.call("users", "get_own_user", client=me)
    assert (account.email, account.first_name) == (email, "Ada")

    # Save a delivery address.
    saved = await shop.call(
        "addresses",
        "add_address",
        client=me,
        body=model("AddressIn")(
            full_name="Ada Buyer",
            line1="1 Market Street",
            city="Springfield",
            postal_code="12345",
            country="US",
            is_default=True,
        ),
        expect=201,
    )
    addresses = await shop.call("addresses", "list_addresses", client=me)
    assert [(a.id, a.is_default) for a in addresses] == [(saved.id, True)]

    # Browse the category, open the product, choose a size.
    listed = await shop.call("products", "list_products", client=me, category=f"journey-{unique}")
    assert [(item.id, item.name) for item in listed.items] == [(tee.id, f"Journey Tee {unique}")]
    assert listed.pagination.total == 1
    # (GET /products/{id}, its variants and reviews answer anyone, but the document names
    # only the bearer scheme for them, so the generated functions are typed to take an
    # AuthenticatedClient: a guest's app needs a cast. The shopper here is signed in.)
    product = await shop.call("products", "get_product", tee.id, client=me)
    assert [v.options.additional_properties["Size"] for v in product.variants] == ["S", "M", "L"]
    large = variant_sized(product, "L")
    assert (large.price, large.stock_quantity, large.is_active) == ("24.00", 5, True)

    # Two of the large one in the cart.
    cart = await shop.call(
        "cart",
        "add_item",
        client=me,
        body=model("CartItemIn")(variant_id=str(large.id), quantity=2),
    )
    [line] = cart.lines
    assert (line.sku, line.options.additional_properties, line.quantity) == (
        f"JRN-{unique}-L",
        {"Size": "L"},
        2,
    )
    assert (line.line_total, cart.subtotal, cart.ready_for_checkout) == ("48.00", "48.00", True)

    # Place the order to the saved address: its fields copied into the order, as the
    # storefront's checkout fills its form from a chosen saved address.
    [address] = await shop.call("addresses", "list_addresses", client=me)
    placed = await shop.call(
        "orders",
        "place_order",
        client=me,
        body=model("OrderCreate")(
            full_name=address.full_name,
            line1=address.line1,
            city=address.city,
            postal_code=address.postal_code,
            country=address.country,
            shipping_method="standard",
        ),
        idempotency_key=key(),
        expect=201,
    )
    assert (placed.status, placed.can_pay, placed.email) == ("pending_payment", True, email)
    assert placed.subtotal == "48.00"
    assert money(placed.amount_due) == money(placed.total)
    order_adds_up(placed)
    [ordered] = placed.lines
    assert (ordered.variant_id, ordered.quantity, ordered.unit_price) == (large.id, 2, "24.00")

    # Pay with the test card.
    paid = await shop.call(
        "orders",
        "pay_order",
        placed.number,
        client=me,
        body=model("PaymentIn")(payment_method=TEST_CARD),
        idempotency_key=key(),
    )
    assert paid.status == "succeeded"
    assert (paid.order.payment_status, paid.order.amount_due) == ("paid", "0.00")
    assert paid.order.total == placed.total
    emptied = await shop.call("cart", "get_cart", client=me)
    assert (emptied.lines, emptied.item_count) == ([], 0)
    after_sale = await shop.call("products", "get_variant", tee.id, large.id, client=me)
    assert after_sale.stock_quantity == 3

    # The shop ships it and it is delivered.
    shipped = await shop.call(
        "orders",
        "fulfil_order",
        placed.number,
        client=merchant,
        body=model("FulfilmentIn")(carrier="UPS", tracking_number=f"1Z{unique}"),
    )
    assert shipped.status == "fulfilled"
    await shop.call("orders", "deliver_order", placed.number, client=merchant)
    mine = await shop.call("orders", "get_order", placed.number, client=me)
    assert (mine.status, mine.carrier, mine.tracking_number) == ("delivered", "UPS", f"1Z{unique}")
    orders = await shop.call("orders", "list_orders", client=me)
    assert [(o.number, o.status) for o in orders.items] == [(placed.number, "delivered")]

    # A review; it shows once the shop approves it.
    written = await shop.call(
        "reviews",
        "write_review",
        tee.id,
        client=me,
        body=model("ReviewIn")(rating=4, title="Soft", body="Soft and true to size, a bit long."),
        expect=201,
    )
    assert (written.product_id, written.rating, written.status) == (tee.id, 4, "pending")
    approved = await shop.call("reviews", "approve_review", written.id, client=merchant)
    assert approved.status == "approved"
    reviews = await shop.call("reviews", "list_product_reviews", tee.id, client=me)
    [shown] = reviews.items
    assert (shown.id, shown.title, shown.rating) == (written.id, "Soft", 4)
    assert (reviews.summary.count, reviews.summary.average) == (1, "4.0")

    # Return one of the two.
    options = await shop.call("returns", "return_options", placed.number, client=me)
    assert (options.can_request, options.refusal) == (True, "")
    [returnable] = options.lines
    assert (returnable.delivered, returnable.returnable) == (2, 2)
    assert "does_not_fit" in [reason.code for reason in options.reasons]
    asked = await shop.call(
        "returns",
        "request_return",
        placed.number,
        client=me,
        body=model("ReturnRequestIn")(
            lines=[model("ReturnLineIn")(line_id=returnable.line_id, quantity=1)],
            reason=model("ReturnRequestInReason").DOES_NOT_FIT,
            comment="A size too big.",
        ),
        idempotency_key=key(),
        expect=201,
    )
    assert (asked.status, asked.reason, asked.comment) == (
        "requested",
        "does_not_fit",
        "A size too big.",
    )
    assert [(item.name, item.quantity) for item in asked.items] == [
        (f"Journey Tee {unique} (L)", 1)
    ]
    again = await shop.call("returns", "get_order_return", placed.number, asked.number, client=me)
    assert (again.number, again.status) == (asked.number, "requested")
    listed_returns = await shop.call("returns", "list_order_returns", placed.number, client=me)
    assert [(r.number, r.status) for r in listed_returns.returns] == [(asked.number, "requested")]
    left = await shop.call("returns", "return_options", placed.number, client=me)
    assert left.lines[0].returnable == 1


# --- a guest ----------------------------------------------------------------------------


async def test_a_guest_buys_a_size_without_an_account_and_finds_the_order_later(
    shop: Shop, staff_admin: Credentials, unique: str
) -> None:
    model = shop.model
    merchant = await shop.sign_in(staff_admin.email, staff_admin.password)
    tee = await product_with_sizes(
        shop, merchant, unique, "Guest Tee", {"S": "18.00", "M": "18.00"}, 4
    )
    email = f"guest-{unique}@example.com"

    # A guest cart: its token is the app's only credential so far.
    started = await shop.call("cart", "start_guest_cart", client=shop.client(), expect=201)
    guest = shop.client(guest_headers={"X-Cart-Token": started.cart_token})
    product = await shop.call("products", "get_product", tee.id, client=guest)
    medium = variant_sized(product, "M")
    cart = await shop.call(
        "cart", "add_item", client=guest, body=model("CartItemIn")(variant_id=str(medium.id))
    )
    assert (cart.item_count, cart.subtotal, cart.ready_for_checkout) == (1, "18.00", True)

    # Review, then place the order with an e-mail address.
    details = model("OrderCreate")(
        email=email,
        full_name="Grace Guest",
        line1="2 Harbour Road",
        city="Springfield",
        postal_code="12345",
        country="US",
        shipping_method="standard",
    )
    preview = await shop.call("orders", "preview_order", client=guest, body=details)
    placed = await shop.call(
        "orders", "place_order", client=guest, body=details, idempotency_key=key(), expect=201
    )
    assert (placed.email, placed.status, placed.total) == (email, "pending_payment", preview.total)
    order_adds_up(placed)

    # The order's token pays it; the bought line leaves the guest cart.
    holder = shop.client(guest_headers={"X-Order-Token": placed.order_token})
    paid = await shop.call(
        "orders",
        "pay_order",
        placed.number,
        client=holder,
        body=model("PaymentIn")(payment_method=TEST_CARD),
        idempotency_key=key(),
    )
    assert (paid.status, paid.order.payment_status) == ("succeeded", "paid")
    assert (await shop.call("cart", "get_cart", client=guest)).item_count == 0

    # On another device: found by number and e-mail address, with a new token.
    found = await shop.call(
        "orders",
        "look_up_order",
        client=shop.client(),
        body=model("OrderLookupIn")(number=placed.number, email=email),
    )
    assert found.order_token
    elsewhere = shop.client(guest_headers={"X-Order-Token": found.order_token})
    read = await shop.call("orders", "get_order", placed.number, client=elsewhere)
    assert (read.number, read.payment_status, read.total) == (placed.number, "paid", placed.total)


# --- the merchant ------------------------------------------------------------------------


async def test_a_merchant_stocks_two_locations_runs_a_sale_ships_refunds_and_reads_the_figures(
    shop: Shop, staff_admin: Credentials, shopper: Credentials, unique: str
) -> None:
    model = shop.model
    merchant = await shop.sign_in(staff_admin.email, staff_admin.password)
    today: date = utcnow().date()
    summary_before = await shop.call("analytics", "summary", client=merchant)
    sales_before = await shop.call(
        "analytics", "range_sales", client=merchant, from_=today, to=today
    )

    # A product in three sizes, none in stock yet.
    hoodie = await product_with_sizes(
        shop, merchant, unique, "Journey Hoodie", {"S": "60.00", "M": "60.00", "L": "64.00"}, 0
    )
    # The variant table: an XL added; the sizes there keep their ids (and stock).
    row = model("VariantRowIn")
    hoodie = await shop.call(
        "products",
        "save_product_variants",
        hoodie.id,
        client=merchant,
        body=model("VariantsIn")(
            options=[model("VariantOptionIn")(name="Size", values=["S", "M", "L", "XL"])],
            variants=[
                *(
                    row(id=v.id, sku=v.sku, price=v.price, option_values=[size])
                    for size in ("S", "M", "L")
                    for v in [variant_sized(hoodie, size)]
                ),
                row(sku=f"JRN-{unique}-XL", price="66.00", option_values=["XL"]),
            ],
            default_sku=f"JRN-{unique}-M",
        ),
    )
    assert [(v.sku, v.price, v.is_default) for v in hoodie.variants] == [
        (f"JRN-{unique}-S", "60.00", False),
        (f"JRN-{unique}-M", "60.00", True),
        (f"JRN-{unique}-L", "64.00", False),
        (f"JRN-{unique}-XL", "66.00", False),
    ]
    medium = variant_sized(hoodie, "M")
    assert (medium.price, medium.stock_quantity) == ("60.00", 0)

    # A second location that sells online, ahead of the main warehouse.
    locations = await shop.call("inventory", "list_locations", client=merchant)
    [main] = [location for location in locations if location.id == MAIN]
    assert main.sells_online
    pier = await shop.call(
        "inventory",
        "create_location",
        client=merchant,
        body=model("LocationIn")(
            name=f"Pier shop {unique}",
            sells_online=True,
            priority=1,
            address=model("AddressIO")(line1="2 Pier Road", city="Springfield", country="US"),
        ),
        expect=201,
    )
    assert (pier.sells_online, pier.priority, pier.units) == (True, 1, 0)

    # Stock at both: a delivery at each, then one moved from the warehouse to the pier.
    adjustment = model("AdjustmentIn")
    restock = model("AdjustmentInReason").RESTOCK
    at_main = await shop.call(
        "inventory",
        "adjust_stock",
        medium.id,
        client=merchant,
        body=adjustment(location_id=main.id, change=4, reason=restock, note="Delivery"),
    )
    assert (at_main.quantity_after, at_main.online) == (4, 4)
    at_pier = await shop.call(
        "inventory",
        "adjust_stock",
        medium.id,
        client=merchant,
        body=adjustment(location_id=pier.id, change=1, reason=restock),
    )
    assert (at_pier.quantity_after, at_pier.online) == (1, 5)
    await shop.call(
        "inventory",
        "transfer_stock",
        medium.id,
        client=merchant,
        body=model("TransferIn")(from_location_id=main.id, to_location_id=pier.id, quantity=1),
    )
    stock = await shop.call("inventory", "get_variant_stock", medium.id, client=merchant)
    held = {row.location_id: row.quantity for row in stock.locations}
    assert (held[main.id], held[pier.id], stock.online) == (3, 2, 5)

    # A 25% sale on the hoodie: the shop shows the sale price.
    sale = await shop.call(
        "promotions",
        "create_promotion",
        client=merchant,
        body=model("PromotionInput")(
            title=f"Hoodie sale {unique}",
            kind=model("PromotionInputKind").PERCENT,
            value="25",
            target=model("PromotionInputTarget").PRODUCTS,
            product_ids=[hoodie.id],
        ),
        expect=201,
    )
    assert (sale.status, sale.value) == ("active", "25.00")
    shopper_app = await shop.sign_in(shopper.email, shopper.password)
    on_sale = await shop.call("products", "get_product", hoodie.id, client=shopper_app)
    seen = variant_sized(on_sale, "M")
    assert (seen.price, seen.sale_price, seen.promotion) == (
        "60.00",
        "45.00",
        f"Hoodie sale {unique}",
    )
    assert seen.stock_quantity == 5

    # A shopper buys four mediums at the sale price and pays.
    await shop.call("cart", "clear_cart", client=shopper_app, expect=204)
    cart = await shop.call(
        "cart",
        "add_item",
        client=shopper_app,
        body=model("CartItemIn")(variant_id=str(medium.id), quantity=4),
    )
    assert (cart.lines[0].unit_price, cart.lines[0].list_price) == ("45.00", "60.00")
    placed = await shop.call(
        "orders",
        "place_order",
        client=shopper_app,
        body=model("OrderCreate")(
            full_name="Bo Shopper",
            line1="5 Hill Road",
            city="Springfield",
            postal_code="12345",
            country="US",
        ),
        idempotency_key=key(),
        expect=201,
    )
    [line] = placed.lines
    assert (line.sku, line.quantity, line.unit_price, line.line_total) == (
        f"JRN-{unique}-M",
        4,
        "45.00",
        "180.00",
    )
    order_adds_up(placed)
    paid = await shop.call(
        "orders",
        "pay_order",
        placed.number,
        client=shopper_app,
        body=model("PaymentIn")(payment_method=TEST_CARD),
        idempotency_key=key(),
    )
    assert (paid.status, paid.order.payment_status) == ("succeeded", "paid")
    left = await shop.call("inventory", "get_variant_stock", medium.id, client=merchant)
    assert left.online == 1

    # It is held at both locations: it ships as two parcels.
    desk = await shop.call("orders", "get_order", placed.number, client=merchant)
    assert [(a.location_id, a.quantity) for a in desk.ships_from] == [
        (pier.id, 2),
        (main.id, 2),
    ]
    parcel = model("ParcelIn")
    shipped = await shop.call(
        "orders",
        "fulfil_order",
        placed.number,
        client=merchant,
        body=model("FulfilmentIn")(
            carrier="DHL",
            parcels=[
                parcel(location_id=main.id, tracking_number=f"MAIN-{unique}"),
                parcel(location_id=pier.id, tracking_number=f"PIER-{unique}"),
            ],
        ),
    )
    assert shipped.status == "fulfilled"
    assert [(p.location, p.tracking_number) for p in shipped.parcels] == [
        (f"Pier shop {unique}", f"PIER-{unique}"),
        ("Main warehouse", f"MAIN-{unique}"),
    ]

    # A part refund (a goodwill gesture for a late parcel).
    refunded = await shop.call(
        "orders",
        "refund_order",
        placed.number,
        client=merchant,
        body=model("RefundIn")(amount="10.00"),
        idempotency_key=key(),
    )
    assert (refunded.refunded, refunded.order.refunded) == ("10.00", "10.00")
    assert refunded.order.payment_status == "partially_refunded"
    seen_by_shopper = await shop.call("orders", "get_order", placed.number, client=shopper_app)
    assert (seen_by_shopper.status, seen_by_shopper.refunded) == ("fulfilled", "10.00")

    # The figures: revenue is what the shop keeps (total less refunds, on the day the
    # order was placed), and the order counts once.
    sales_after = await shop.call(
        "analytics", "range_sales", client=merchant, from_=today, to=today
    )
    assert sales_after.orders == sales_before.orders + 1
    assert money(sales_after.revenue) - money(sales_before.revenue) == (
        money(placed.total) - Decimal("10.00")
    )
    summary = await shop.call("analytics", "summary", client=merchant)
    assert summary.orders_today == summary_before.orders_today + 1
    assert money(summary.revenue_today) - money(summary_before.revenue_today) == (
        money(placed.total) - Decimal("10.00")
    )
    variants = await shop.call(
        "analytics", "top_variants", client=merchant, from_=today, to=today, limit=50
    )
    [sold] = [row for row in variants.items if row.sku == f"JRN-{unique}-M"]
    assert (sold.name, sold.quantity, sold.revenue) == (
        f"Journey Hoodie {unique} (M)",
        4,
        "180.00",
    )
    promotions = await shop.call(
        "analytics", "promotions", client=merchant, from_=today, to=today, limit=50
    )
    [ran] = [row for row in promotions.items if row.title == f"Hoodie sale {unique}"]
    assert (ran.orders, ran.revenue, ran.discount) == (1, placed.total, "60.00")
