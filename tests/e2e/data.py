"""Test data for browser tests, made through the backend services (not through the UI).

Playwright's sync API keeps an event loop running in the test's thread, so each backend
call runs on a thread of its own, in a fresh event loop, and closes its pooled connections
before that loop ends.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from decimal import Decimal
from typing import TypeVar

from backend.accounts import registration
from backend.accounts.permissions import DefaultGroup
from backend.accounts.roles import RoleName
from backend.catalog import queries as catalog_queries
from backend.catalog import services as catalog
from backend.catalog import taxonomy
from backend.catalog.inputs import CategoryCreate, ProductCreate
from backend.core.db import dispose_engine, forget_engine
from backend.core.redis import close_redis, forget_redis
from backend.shipping import quotes as shipping_quotes
from tests.fixtures.accounts import catalog_manager

T = TypeVar("T")

PASSWORD = "correct horse battery staple"

# How long a web process keeps the zones and tax rates it read, and a little more.
CONFIGURATION_FRESH_FOR_SECONDS = shipping_quotes.FRESH_FOR_SECONDS + 0.1


def run(call: Callable[[], Awaitable[T]]) -> T:
    async def once() -> T:
        # Connections made in other event loops cannot be used (or closed) from this one.
        forget_engine()
        forget_redis()
        try:
            return await call()
        finally:
            await dispose_engine()
            await close_redis()

    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, once()).result()


def create_category(
    unique: str, *, name: str = "", parent_id: uuid.UUID | None = None
) -> uuid.UUID:
    slug = f"cat-{unique}" if not name else f"{name.lower().replace(' ', '-')}-{unique}"

    async def make() -> uuid.UUID:
        return await taxonomy.create_category(
            CategoryCreate(name=name or f"Cat {unique}", slug=slug, parent_id=parent_id),
            actor=await catalog_manager(),
        )

    return run(make)


def create_product(
    unique: str,
    *,
    price: str = "19.99",
    stock: int = 10,
    name: str = "",
    category_id: uuid.UUID | None = None,
    brand: str | None = None,
    attributes: dict[str, str] | None = None,
    sku: str = "",
    description: str | None = None,
    image_urls: list[str] | None = None,
) -> str:
    """Creates a product (in a category of its own unless one is given); returns its slug."""
    category = category_id or create_category(unique)

    async def make() -> str:
        product_id = await catalog.create_product(
            ProductCreate(
                name=name or f"Product {unique}",
                sku=sku or f"E2E-{unique}",
                price=Decimal(price),
                category_id=category,
                stock_quantity=stock,
                brand=brand,
                attributes=attributes or {},
                description=description,
                image_urls=image_urls or [],
            ),
            actor=await catalog_manager(),
        )
        return (await catalog_queries.get_product(product_id)).summary.slug

    return run(make)


def create_jacket(unique: str) -> tuple[str, dict[str, str]]:
    """A jacket in Colour (Navy, Red) × Size (S, M, L): M / Red sold out, L dearer with a
    compare-at price. Returns its slug and {"M / Navy": variant id, …}."""
    from backend.catalog import variants

    slug = create_product(f"j{unique}", name=f"Storm Jacket {unique}", price="80.00")

    async def make() -> dict[str, str]:
        product_id = await catalog_queries.find_product_id_by_sku(f"E2E-j{unique}")
        assert product_id is not None
        rows = []
        for colour in ("Navy", "Red"):
            for size in ("S", "M", "L"):
                rows.append(
                    {
                        "sku": f"SJ-{unique}-{colour[0]}{size}",
                        "price": "90.00" if size == "L" else "80.00",
                        "compare_at_price": "120.00" if size == "L" else None,
                        "option_values": [colour, size],
                        "stock_quantity": 0 if (colour, size) == ("Red", "M") else 6,
                    }
                )
        await variants.save_variants(
            product_id,
            {
                "options": [
                    {"name": "Colour", "values": ["Navy", "Red"]},
                    {"name": "Size", "values": ["S", "M", "L"]},
                ],
                "variants": rows,
                "default_sku": f"SJ-{unique}-NM",
            },
            actor=await catalog_manager(),
        )
        record = await catalog_queries.get_product(product_id)
        return {variant.title: str(variant.id) for variant in record.variants}

    return slug, run(make)


async def product_skus_starting_with(prefix: str) -> set[str]:
    from sqlmodel import col, select

    from backend.catalog.models import Product
    from backend.core.db import session_scope

    async with session_scope() as session:
        rows = await session.exec(select(Product.sku).where(col(Product.sku).startswith(prefix)))
        return set(rows.all())


def place_order_for(
    email: str,
    product_slug: str,
    *,
    paid: bool,
    quantity: int = 1,
    variant_id: str | None = None,
) -> tuple[str, Decimal]:
    """An order by this account (through the real cart, checkout and test gateway) of
    the product's default variant, or of `variant_id`: its number and total."""
    from sqlmodel import select

    from backend.accounts.models import User
    from backend.cart import owners as cart_owners
    from backend.cart import queries as cart_queries
    from backend.cart import services as carts
    from backend.core.db import session_scope
    from backend.orders import services as orders
    from backend.orders.inputs import CheckoutDetails
    from backend.orders.ownership import Shopper
    from backend.payments import services as payments
    from backend.payments.test_gateway import SUCCEEDS

    async def place() -> tuple[str, Decimal]:
        async with session_scope() as session:
            user_id = (await session.exec(select(User.id).where(User.email == email))).one()
        owner = cart_owners.user_owner(user_id)
        product = await catalog_queries.get_product_page(product_slug)
        chosen = uuid.UUID(variant_id) if variant_id else product.summary.id
        await carts.add_item(owner, chosen, quantity)
        placed = await orders.place_order(
            cart_owner=owner,
            details=CheckoutDetails(
                email=email,
                full_name="Erin Tester",
                line1="1 Market Street",
                city="Springfield",
                postal_code="12345",
                country="US",
                shipping_method="standard",
            ),
            checkout_key=uuid.uuid4().hex,
            user_id=user_id,
        )
        if paid:
            await payments.pay_order(
                placed.id,
                shopper=Shopper(user_id=user_id),
                payment_method=SUCCEEDS,
                attempt_key=uuid.uuid4().hex,
            )
            # The worker then takes the bought line out of the cart (OrderPaid): wait for
            # it, or it could take out a line the test adds next for another order.
            deadline = time.monotonic() + 30
            while product.summary.id in {
                line.product_id for line in (await cart_queries.get_cart(owner)).lines
            }:
                assert time.monotonic() < deadline, "the worker never emptied the paid line"
                await asyncio.sleep(0.1)
        return placed.number, placed.total

    return run(place)


def create_account(unique: str, *, roles: frozenset[RoleName | DefaultGroup]) -> str:
    """Returns the e-mail; the password is PASSWORD. `roles`: the account's roles and the
    built-in staff groups it joins."""
    email = f"e2e-{unique}@example.com"

    async def make() -> None:
        await registration.ensure_roles()
        await registration.create_user(
            username=f"e2e_{unique}",
            email=email,
            password=PASSWORD,
            first_name="Erin",
            last_name=f"Tester {unique[:4]}",
            status="active",
            email_verified=True,
            roles=frozenset(role for role in roles if isinstance(role, RoleName)),
            groups=frozenset(group for group in roles if isinstance(group, DefaultGroup)),
        )

    run(make)
    return email


def wait_until_searchable(text: str, *, within: float = 20) -> None:
    """The worker indexes new products moments after they are saved: wait for it."""
    import time

    from backend.search import queries as search
    from backend.search.schemas import SearchQuery

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if run(lambda: search.search_products(SearchQuery(text=text))).total:
            return
        time.sleep(0.2)
    raise AssertionError(f"“{text}” was not searchable within {within:.0f} s")


def run_cart_reminders_later(*, minutes_ahead: float) -> int:
    """Run the worker's cart-reminder job now, in the shop's own worker (which sends
    through the test SMTP server), on a clock `minutes_ahead` of the real one: carts left
    alone "that long" are due. Returns how many reminders it sent."""
    from datetime import timedelta

    from arq import create_pool
    from arq.connections import RedisSettings
    from arq.jobs import ResultNotFound

    from backend.core.clock import utcnow
    from backend.settings import get_settings

    async def enqueue() -> int:
        pool = await create_pool(RedisSettings.from_dsn(get_settings().redis_url))
        try:
            moment = utcnow() + timedelta(minutes=minutes_ahead)
            job = await pool.enqueue_job("send_cart_reminders_job", now=moment.isoformat())
            assert job is not None
            try:
                return int(await job.result(timeout=60))
            except ResultNotFound:
                # arq reads the result and the queue one after the other, not atomically: a
                # job that ends between the two reads is "not found". Its result is there.
                info = await job.result_info()
                assert info is not None
                assert info.success, info
                return int(info.result)
        finally:
            await pool.aclose()

    return run(enqueue)


def leave_account_cart_idle(email: str, *, minutes: float) -> None:
    """Make the cart of the account with this e-mail look untouched for `minutes` (its
    last change, as the cart recorded it, moved back). Running the reminder job at the
    real time then finds it due or not, and the reminder it sends is dated today, as
    the admin's figures expect (a job run on a clock hours ahead dated it tomorrow in
    the evening)."""
    from datetime import timedelta

    import redis
    from sqlmodel import select

    from backend.accounts.models import User
    from backend.cart.store import ACTIVITY_KEY
    from backend.core.clock import utcnow
    from backend.core.db import session_scope
    from backend.settings import get_settings

    async def user_id() -> str:
        async with session_scope() as session:
            found = (await session.exec(select(User.id).where(User.email == email))).one()
        return str(found)

    owner_key = f"user:{run(user_id)}"
    idle_since = utcnow() - timedelta(minutes=minutes)
    client = redis.Redis.from_url(get_settings().redis_url)
    try:
        client.zadd(ACTIVITY_KEY, {owner_key: idle_since.timestamp()})
    finally:
        client.close()


def place_paid_order_from_guest_cart(cart_cookie: str, email: str) -> Decimal:
    """Check out, as a guest, the cart behind a browser's cart cookie through the real
    checkout use case (`backend.checkout`, as the storefront's pay button does: limits,
    cart-reminder attribution) and the test gateway, not the UI: the paid order's total."""
    from backend.cart import owners as cart_owners
    from backend.checkout import services as checkout
    from backend.orders.inputs import CheckoutDetails
    from backend.orders.ownership import Shopper
    from backend.payments.test_gateway import SUCCEEDS

    owner = cart_owners.guest_owner(cart_cookie)
    assert owner is not None, "not a cart cookie"

    async def place() -> Decimal:
        done = await checkout.place_and_pay(
            cart_owner=owner,
            details=CheckoutDetails(
                email=email,
                full_name="Grace Guest",
                line1="12 Harbour Road",
                city="Springfield",
                postal_code="90210",
                country="US",
                shipping_method="standard",
            ),
            checkout_key=uuid.uuid4().hex,
            user_id=None,
            client_address="127.0.0.1",
            shopper=Shopper(),
            payment_method=SUCCEEDS,
            attempt_key=uuid.uuid4().hex,
        )
        assert done.payment.status == "succeeded", done.payment.message
        return done.order.total

    return run(place)


@contextmanager
def shop_configuration_kept() -> Iterator[None]:
    """Zones, tax rates and store settings a browser test changes are put back after."""
    from tests.fixtures.shipping_and_tax import (
        restore_shipping_and_tax_from,
        snapshot_shipping_and_tax,
    )

    saved = run(snapshot_shipping_and_tax)
    try:
        yield
    finally:
        run(lambda: restore_shipping_and_tax_from(saved))
        # The web process keeps what it read of them for a second (FRESH_FOR_SECONDS in
        # backend/shipping/quotes.py and backend/tax/rates.py): the next test meets them
        # restored.
        time.sleep(CONFIGURATION_FRESH_FOR_SECONDS)


def issue_gift_card(amount: str) -> str:
    """A gift card issued by staff with no recipient: its code, shown once."""
    from backend.giftcards import services as gift_cards
    from backend.giftcards.inputs import IssueInput

    async def issue() -> str:
        issued = await gift_cards.issue_card(
            IssueInput(amount=Decimal(amount)), actor=await catalog_manager()
        )
        assert issued.code is not None
        return issued.code

    return run(issue)
