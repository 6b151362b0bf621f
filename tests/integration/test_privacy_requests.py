"""Privacy requests: a customer's data export holds every kind of data the shop keeps
about them; erasing them leaves no personal data in any table or Redis key, ends their
sessions, keeps the sales figures, and is refused while an order is under way."""

from __future__ import annotations

import json
import secrets
import string
import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlmodel import func, select

from backend.accounts import addresses, authentication
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.audit.models import AuditEntry
from backend.cart import owners as cart_owners
from backend.cart import services as carts
from backend.catalog.variant_queries import variant_for_product
from backend.core.db import session_scope
from backend.core.errors import PermissionDeniedError
from backend.drafts import services as drafts
from backend.events.base import event_from_row
from backend.events.models import OutboxEvent
from backend.orders import fulfilment
from backend.orders import services as orders
from backend.orders.models import Order
from backend.payments import services as payments
from backend.payments import test_gateway as cards
from backend.privacy import erasure, export
from backend.reviews import services as reviews
from backend.settings import get_settings
from backend.stock_notices import services as stock_notices
from backend.wishlists import services as wishlists
from jobs.handlers import EVENT_HANDLERS
from tests.fixtures.accounts import PASSWORD, Credentials, MakeUser, catalog_manager
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import checkout_details, tab_that_placed


@dataclass(frozen=True)
class Person:
    """Values no other test uses, so a scan finds only this person's traces."""

    first: str
    last: str
    street: str
    phone: str

    @classmethod
    def new(cls) -> Person:
        tag = "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
        digits = "".join(secrets.choice(string.digits) for _ in range(6))
        return cls(
            f"Wilhelmina{tag}",
            f"Zabriskie{tag}",
            f"77 Quintessence Lane {tag}",
            f"+44 7700 {digits}",
        )

    @property
    def full_name(self) -> str:
        return f"{self.first} {self.last}"


async def _customer(make_user: MakeUser, person: Person) -> tuple[Credentials, Viewer]:
    credentials = await make_user()
    async with session_scope() as session:
        await session.exec(  # type: ignore[call-overload]  # SQLModel's exec() takes no TextClause
            text("UPDATE users SET first_name = :f, last_name = :l WHERE email = :e"),
            params={"f": person.first, "l": person.last, "e": credentials.email},
        )
    signed_in = await authentication.sign_in(email=credentials.email, password=PASSWORD)
    return credentials, signed_in.viewer


async def _run_handlers(order_id: uuid.UUID) -> None:
    """The worker's handlers of the order's events (e-mails among them)."""
    async with session_scope() as session:
        rows = (
            await session.exec(select(OutboxEvent).where(OutboxEvent.aggregate_id == str(order_id)))
        ).all()
    for row in rows:
        event = event_from_row(
            event_type=row.event_type,
            event_id=row.id,
            occurred_at=row.occurred_at,
            aggregate_id=row.aggregate_id,
            payload=row.payload,
        )
        for handler in EVENT_HANDLERS[type(event)]:
            if handler.__name__.startswith("send_"):
                await handler(event)


async def _delivered_order(
    viewer: Viewer, product: uuid.UUID, person: Person
) -> orders.PlacedOrder:
    owner = cart_owners.user_owner(viewer.user_id)
    await carts.add_item(owner, product, 1)
    placed = await orders.place_order(
        cart_owner=owner,
        details=checkout_details(
            email=viewer.email,
            full_name=person.full_name,
            line1=person.street,
            phone=person.phone,
        ),
        checkout_key=uuid.uuid4().hex,
        user_id=viewer.user_id,
    )
    await payments.pay_order(
        placed.id,
        shopper=tab_that_placed(placed.id),
        payment_method=cards.SUCCEEDS,
        attempt_key="pay",
    )
    staff = await catalog_manager()
    await fulfilment.fulfil_order(placed.id, carrier="UPS", tracking_number="1Z", actor=staff)
    await fulfilment.mark_delivered(placed.id, actor=staff)
    await _run_handlers(placed.id)
    return placed


async def _a_customer_with_everything(
    make_user: MakeUser, make_product: MakeProduct, admin_viewer: Viewer, person: Person
) -> tuple[Credentials, Viewer, orders.PlacedOrder]:
    credentials, viewer = await _customer(make_user, person)
    await addresses.add_address(
        viewer.user_id,
        {
            "full_name": person.full_name,
            "line1": person.street,
            "city": "Leeds",
            "postal_code": "LS1 4AB",
            "country": "GB",
            "phone": person.phone,
        },
    )
    teapot = await make_product(price=Decimal("30.00"))
    placed = await _delivered_order(viewer, teapot, person)
    review = await reviews.write_review(
        teapot, {"rating": 5, "title": "Pours well", "body": "No drips at all."}, author=viewer
    )
    assert review
    await wishlists.save_product(viewer, teapot)
    sold_out = await make_product(stock_quantity=0)
    await stock_notices.subscribe_viewer(sold_out, viewer)
    mug = await make_product(name=f"Mug {uuid.uuid4().hex[:8]}")
    await carts.add_item(cart_owners.user_owner(viewer.user_id), mug, 2)
    # Staff started a phone order for them (their default address filled in).
    phone_order = await drafts.create_draft(by=admin_viewer, email=credentials.email)
    await drafts.add_variant(phone_order.id, await variant_for_product(mug), 1, by=admin_viewer)
    async with session_scope() as session:  # staff noted something about them
        audit.record(
            session,
            actor=admin_viewer,
            action="account.updated",
            entity_type="user",
            entity_id=viewer.user_id,
            before={"email": credentials.email, "name": person.full_name},
            after={"email": credentials.email, "note": f"Called {person.first} back"},
        )
    return credentials, viewer, placed


async def test_the_export_holds_every_kind_of_data(
    make_user: MakeUser, make_product: MakeProduct, admin_viewer: Viewer
) -> None:
    person = Person.new()
    credentials, viewer, placed = await _a_customer_with_everything(
        make_user, make_product, admin_viewer, person
    )

    data = await export.export_my_data(viewer)

    assert json.loads(json.dumps(data)) == data  # plain JSON
    assert data["account"]["email"] == credentials.email
    assert data["account"]["last_name"] == person.last
    assert [a["line1"] for a in data["addresses"]] == [person.street]
    (order,) = data["orders"]
    assert order["number"] == placed.number
    assert order["total"] == "34.95"  # 30 + 4.95 shipping, no US tax
    assert order["lines"][0]["quantity"] == 1
    assert order["shipping_address"]["line1"] == person.street
    assert [r["title"] for r in data["reviews"]] == ["Pours well"]
    (draft,) = data["draft_orders"]  # the phone order staff started for them
    assert draft["customer"]["line1"] == person.street
    assert len(data["wishlist"]) == 1
    assert len(data["back_in_stock_requests"]) == 1
    assert [line["quantity"] for line in data["cart"] if "Mug" in line["product"]] == [2]
    assert data["cart_reminders"] == {"opted_out": False}
    assert any(m["template"] == "order_confirmation" for m in data["messages"]), data["messages"]
    for_staff = await export.export_customer_data(viewer.user_id, actor=admin_viewer)
    assert for_staff | {"exported_at": None} == data | {"exported_at": None}
    with pytest.raises(PermissionDeniedError):
        await export.export_customer_data(viewer.user_id, actor=viewer)


async def _tables_holding(needles: list[str]) -> list[str]:
    """Every table.column whose text (or JSON) holds one of the needles."""
    async with session_scope() as session:
        columns = (
            await session.exec(  # type: ignore[call-overload]
                text(
                    "SELECT table_name, column_name FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND data_type IN "
                    "('text', 'character varying', 'jsonb', 'json', 'ARRAY')"
                )
            )
        ).all()
        found = []
        for table, column in columns:
            for needle in needles:
                hit = (
                    await session.exec(  # type: ignore[call-overload]
                        text(
                            f'SELECT count(*) FROM "{table}" '  # names from the catalog
                            f'WHERE "{column}"::text ILIKE :pattern'
                        ),
                        params={"pattern": f"%{needle}%"},
                    )
                ).scalar_one()
                if hit:
                    found.append(f"{table}.{column} ~ {needle}")
    return found


async def _redis_holding(needles: list[str]) -> list[str]:
    """Every Redis key whose name or value holds one of the needles (values read as bytes:
    some are binary, such as the worker's queued jobs)."""
    redis = Redis.from_url(get_settings().redis_url)
    found = []
    async for raw in redis.scan_iter(count=1000):
        key = raw.decode(errors="replace")
        kind = (await redis.type(raw)).decode()
        value = ""
        if kind == "string":
            value = repr(await redis.get(raw))
        elif kind == "hash":
            value = repr(await redis.hgetall(raw))  # type: ignore[misc]
        elif kind == "list":
            value = repr(await redis.lrange(raw, 0, -1))  # type: ignore[misc]
        elif kind == "set":
            value = repr(await redis.smembers(raw))  # type: ignore[misc]
        elif kind == "zset":
            value = repr(await redis.zrange(raw, 0, -1))
        for needle in needles:
            if needle.lower() in key.lower() or needle.lower() in value.lower():
                found.append(f"{key} ~ {needle}")
    await redis.aclose()
    return found


async def test_erasure_leaves_no_personal_data_and_keeps_the_sales(
    make_user: MakeUser, make_product: MakeProduct, admin_viewer: Viewer
) -> None:
    person = Person.new()
    credentials, viewer, placed = await _a_customer_with_everything(
        make_user, make_product, admin_viewer, person
    )
    needles = [
        credentials.email,
        credentials.username,
        person.first,
        person.last,
        person.street,
        person.phone,
    ]
    assert await _tables_holding(needles)  # the scan sees them before
    async with session_scope() as session:
        sales_before = (await session.exec(select(func.sum(Order.total)))).one()

    erased = await erasure.erase_my_account(viewer, password=PASSWORD)

    assert erased.orders_anonymised == 1
    assert await _tables_holding(needles) == []
    assert await _redis_holding(needles) == []
    async with session_scope() as session:
        order = (await session.exec(select(Order).where(Order.number == placed.number))).one()
        sales_after = (await session.exec(select(func.sum(Order.total)))).one()
        entry = (
            await session.exec(
                select(AuditEntry).where(
                    AuditEntry.action == "customer.erased",
                    AuditEntry.entity_id == str(viewer.user_id),
                )
            )
        ).one()
    assert sales_after == sales_before
    assert (order.total, order.tax, order.shipping_address) == (
        Decimal("34.95"),
        Decimal("0.00"),
        {"country": "US"},
    )
    assert entry.actor == "system"
    assert entry.after == {"asked_by": "the customer", "orders_anonymised": 1}
    with pytest.raises(Exception, match="do not match"):
        await authentication.sign_in(email=credentials.email, password=PASSWORD)


async def test_erasure_needs_the_password_and_waits_for_open_orders(
    make_user: MakeUser, make_product: MakeProduct, admin_viewer: Viewer
) -> None:
    _, viewer = await _customer(make_user, Person.new())
    with pytest.raises(Exception, match="not your password"):
        await erasure.erase_my_account(viewer, password="wrong password")
    owner = cart_owners.user_owner(viewer.user_id)
    await carts.add_item(owner, await make_product(), 1)
    placed = await orders.place_order(
        cart_owner=owner,
        details=checkout_details(email=viewer.email),
        checkout_key=uuid.uuid4().hex,
        user_id=viewer.user_id,
    )
    with pytest.raises(erasure.ErasureRefusedError, match=placed.number):
        await erasure.erase_customer(viewer.user_id, actor=admin_viewer)
    with pytest.raises(PermissionDeniedError):
        await erasure.erase_customer(viewer.user_id, actor=viewer)
    await orders.cancel_unpaid_order(placed.id, shopper=tab_that_placed(placed.id))
    done = await erasure.erase_customer(viewer.user_id, actor=admin_viewer)
    assert done.orders_anonymised == 1
