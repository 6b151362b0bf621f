"""Staff notes and tags on customers: administrators write them (audited), tags are kept
normalised, bad input writes nothing, other roles are refused, the staff orders list
finds a tagged customer's orders, and the customer's data export carries them while
erasing the account takes them away."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import col, func, select

from backend.accounts import customer_notes
from backend.accounts.models import CustomerNote, CustomerTag
from backend.accounts.permissions import DefaultGroup
from backend.accounts.roles import RoleName
from backend.accounts.schemas import Viewer
from backend.audit.models import AuditEntry
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, PermissionDeniedError
from backend.orders.filters import OrderFilters, parse_order_filters
from backend.privacy import erasure, export
from tests.fixtures.accounts import MakeUser
from tests.fixtures.catalog import MakeProduct
from tests.integration.test_customers_and_order_filters import numbers_of, place, viewer_of


@pytest.fixture
async def customer(make_user: MakeUser) -> Viewer:
    return await viewer_of(make_user, frozenset({RoleName.USER}))


async def _rows(model: type[CustomerNote] | type[CustomerTag], user_id: uuid.UUID) -> int:
    async with session_scope() as session:
        return (
            await session.exec(
                select(func.count()).select_from(model).where(col(model.user_id) == user_id)
            )
        ).one()


async def test_an_admin_notes_and_tags_a_customer(admin_viewer: Viewer, customer: Viewer) -> None:
    customer_id = customer.user_id
    assert customer_id is not None
    first = await customer_notes.add_note(
        customer_id, "  Prefers deliveries after 5 pm  ", actor=admin_viewer
    )
    await customer_notes.add_note(customer_id, "Asked for a paper invoice.", actor=admin_viewer)
    typed = "VIP, wholesale ,vip,  Trade  Fair"
    tags = await customer_notes.set_tags(customer_id, typed, actor=admin_viewer)

    assert tags == ("trade fair", "vip", "wholesale")
    remarks = await customer_notes.remarks_about(customer_id, actor=admin_viewer)
    assert remarks.tags == tags
    assert [note.body for note in remarks.notes] == [
        "Asked for a paper invoice.",
        "Prefers deliveries after 5 pm",  # trimmed; the newest note first
    ]
    assert first.author.startswith(admin_viewer.username)
    async with session_scope() as session:
        actions = (
            await session.exec(
                select(AuditEntry.action).where(col(AuditEntry.entity_id) == str(customer_id))
            )
        ).all()
    assert sorted(actions) == [
        "customer.note_added",
        "customer.note_added",
        "customer.tags_changed",
    ]

    assert await customer_notes.set_tags(customer_id, "", actor=admin_viewer) == ()
    assert await _rows(CustomerTag, customer_id) == 0  # emptied


@pytest.mark.parametrize(
    ("tags", "note"),
    [
        ("ok, not/allowed", None),
        ("x" * 41, None),
        (", ".join(f"tag{n}" for n in range(21)), None),
        (None, "   "),
        (None, "n" * 2001),
    ],
)
async def test_bad_notes_and_tags_are_refused_and_write_nothing(
    admin_viewer: Viewer, customer: Viewer, tags: str | None, note: str | None
) -> None:
    assert customer.user_id is not None
    user_id = customer.user_id
    write = (
        customer_notes.set_tags(user_id, tags, actor=admin_viewer)
        if tags is not None
        else customer_notes.add_note(user_id, note or "", actor=admin_viewer)
    )
    with pytest.raises(InvalidInputError) as refused:
        await write
    assert set(refused.value.field_errors) == {"tags" if tags is not None else "note"}
    assert await _rows(CustomerTag, customer.user_id) == 0
    assert await _rows(CustomerNote, customer.user_id) == 0


async def test_only_administrators_read_or_write_them(
    make_user: MakeUser, customer: Viewer
) -> None:
    assert customer.user_id is not None
    moderator = await viewer_of(make_user, frozenset({DefaultGroup.MODERATORS, RoleName.USER}))
    for actor in (customer, moderator):
        with pytest.raises(PermissionDeniedError):
            await customer_notes.add_note(customer.user_id, "Hello", actor=actor)
        with pytest.raises(PermissionDeniedError):
            await customer_notes.set_tags(customer.user_id, "vip", actor=actor)
        with pytest.raises(PermissionDeniedError):
            await customer_notes.remarks_about(customer.user_id, actor=actor)


async def test_the_orders_list_finds_a_tagged_customers_orders(
    admin_viewer: Viewer, make_user: MakeUser, make_product: MakeProduct, unique: str
) -> None:
    product = await make_product(stock_quantity=20)
    tagged = await viewer_of(make_user, frozenset({RoleName.USER}))
    other = await viewer_of(make_user, frozenset({RoleName.USER}))
    assert tagged.user_id is not None
    await customer_notes.set_tags(tagged.user_id, f"Wholesale {unique}", actor=admin_viewer)
    mine = await place(product, user=tagged, email=tagged.email)
    await place(product, user=other, email=other.email)
    await place(product, user=None, email=tagged.email)  # a guest order: no account, no tag

    typed = parse_order_filters({"customer_tag": f"  WHOLESALE {unique} "})
    assert typed.customer_tag == f"wholesale {unique}"
    assert await numbers_of(typed) == [mine.number]
    assert await numbers_of(OrderFilters(customer_tag=f"nobody {unique}")) == []


async def test_the_export_carries_them_and_erasure_takes_them_away(
    admin_viewer: Viewer, customer: Viewer
) -> None:
    assert customer.user_id is not None
    await customer_notes.add_note(
        customer.user_id, "Called about a lost parcel", actor=admin_viewer
    )
    await customer_notes.set_tags(customer.user_id, "vip", actor=admin_viewer)

    document = await export.export_customer_data(customer.user_id, actor=admin_viewer)
    assert document["account"]["staff_tags"] == ["vip"]
    assert [n["note"] for n in document["account"]["staff_notes"]] == ["Called about a lost parcel"]

    await erasure.erase_customer(customer.user_id, actor=admin_viewer)
    assert await _rows(CustomerNote, customer.user_id) == 0
    assert await _rows(CustomerTag, customer.user_id) == 0
