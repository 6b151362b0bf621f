"""Store settings kept in PostgreSQL: admins change them field by field (audited); orders,
returns and e-mails follow them; a change made by another process is in force here within
a second, with no restart."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from backend.accounts.schemas import Viewer
from backend.audit.models import AuditEntry
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, PermissionDeniedError
from backend.core.money import format_money
from backend.core.validation import parse_input
from backend.notifications.models import Notification
from backend.notifications.rendering import render_email
from backend.notifications.services import send_sms
from backend.orders.models import Order
from backend.settings import get_settings
from backend.shop_settings import services, values
from backend.shop_settings.services import StoreSettingsInput
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import PlaceOrder
from tests.fixtures.sql_statements import counted_statements, engine_listener

pytestmark = pytest.mark.usefixtures("restore_shipping_and_tax")


def _with(**changes: object) -> StoreSettingsInput:
    return StoreSettingsInput(**(values.DEFAULTS.__dict__ | changes))  # type: ignore[arg-type]


async def test_orders_take_the_prefix_and_timeout_in_force(
    admin_viewer: Viewer, make_product: MakeProduct, place_order: PlaceOrder
) -> None:
    await services.update_store_settings(
        _with(order_number_prefix="ZQ", order_payment_timeout_minutes=90), actor=admin_viewer
    )
    before = utcnow()
    placed = await place_order({await make_product(): 1})

    assert placed.number.startswith("ZQ-")
    async with session_scope() as session:
        order = (await session.exec(select(Order).where(Order.id == placed.id))).one()
    assert order.expires_at is not None
    assert timedelta(minutes=89) < order.expires_at - before < timedelta(minutes=91)


async def test_each_field_is_checked_and_changes_are_audited(
    admin_viewer: Viewer, shopper_viewer: Viewer
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        parse_input(
            StoreSettingsInput,
            {
                "sender": "nobody",
                "support_email": "not an address",
                "order_number_prefix": "TOO-LONG",
                "return_window_days": "400",
                "shop_name": "   ",
                "money_locale": "xx_XX",
                "time_zone": "Mars/Olympus_Mons",
            },
        )
    assert set(refused.value.field_errors) == {
        "shop_name",
        "money_locale",
        "time_zone",
        "sender",
        "support_email",
        "order_number_prefix",
        "return_window_days",
    }
    with pytest.raises(PermissionDeniedError):
        await services.update_store_settings(_with(), actor=shopper_viewer)
    await services.update_store_settings(
        _with(legal_name="Kestrel Goods Ltd", vat_number="GB123456789"), actor=admin_viewer
    )
    async with session_scope() as session:
        entry = (
            await session.exec(
                select(AuditEntry)
                .where(AuditEntry.action == "store_settings.updated")
                .order_by(AuditEntry.created_at.desc())  # type: ignore[attr-defined]
            )
        ).first()
    assert entry is not None
    assert entry.after == {"legal_name": "Kestrel Goods Ltd", "vat_number": "GB123456789"}


def test_e_mail_footers_carry_the_legal_details() -> None:
    email = render_email(
        "account_exists",
        {
            "shop_name": "Kestrel Goods",
            "display_name": "Ann",
            "sign_in_url": "http://localhost:3000/sign-in",
            "forgot_password_url": "http://localhost:3000/forgot-password",
            "legal_name": "Kestrel Goods Ltd",
            "legal_address": "1 Market Street, Leeds",
            "vat_number": "GB123456789",
            "support_email": "help@example.com",
        },
    )
    assert "Kestrel Goods Ltd" in email.html
    assert "VAT number GB123456789" in email.html
    assert "mailto:help@example.com" in email.html


async def test_messages_carry_the_shop_name_and_number_format_in_force(
    admin_viewer: Viewer,
) -> None:
    await services.update_store_settings(
        _with(shop_name="  Corner   Store ", money_locale="de_DE"), actor=admin_viewer
    )
    sent = await send_sms(
        template="order_shipped",
        to="+447700900123",
        context={"order_number": "KG-9", "carrier": "DHL", "tracking_number": "T1"},
        idempotency_key=f"settings-test:{uuid.uuid4()}",
    )
    async with session_scope() as session:
        message = await session.get(Notification, sent.notification_id)
    assert message is not None
    assert message.body_text.startswith("Corner Store: order KG-9")
    assert format_money(Decimal("1234.5"), "EUR") == "1.234,50\xa0€"


CHANGE_ELSEWHERE = """
import asyncio
from sqlalchemy import text
from backend.core.db import session_scope

async def change() -> None:
    async with session_scope() as session:
        await session.exec(text("UPDATE shop_settings SET return_window_days = 7"))

asyncio.run(change())
"""


async def test_a_change_made_by_another_process_is_in_force_here_within_a_second() -> None:
    values.forget_cached()
    assert (await values.store_settings()).return_window_days == 30  # now cached here

    changed = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-c", CHANGE_ELSEWHERE], check=True, timeout=60
    )
    assert changed.returncode == 0
    seen_at = time.monotonic()
    while (await values.store_settings()).return_window_days != 7:
        assert time.monotonic() - seen_at < values.FRESH_FOR_SECONDS + 0.5
        await asyncio.sleep(0.05)


async def test_requests_in_flight_when_the_second_runs_out_read_the_settings_once() -> None:
    values.forget_cached()
    with counted_statements() as statements:
        read = await asyncio.gather(*(values.store_settings() for _ in range(20)))

    assert len({settings.shop_name for settings in read}) == 1
    assert len([sql for sql in statements if "shop_settings" in sql]) == 1


@dataclass
class Outage:
    settings_before: values.StoreSettings  # read while the database was there
    connection_attempts: list[object] = field(default_factory=list)


@pytest.fixture
async def outage(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Outage]:
    """The settings read once, then DATABASE_URL naming a port nobody listens on."""
    values.forget_cached()
    outage = Outage(settings_before=await values.store_settings())
    values.forget_cached()
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://shop@127.0.0.1:9/nowhere")
    get_settings.cache_clear()

    def attempt(*args: object) -> None:
        outage.connection_attempts.append(args)

    try:
        with engine_listener("do_connect", attempt):
            yield outage
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
        values.forget_cached()


async def test_an_outage_costs_one_failed_read_and_the_last_settings_stay_in_force(
    outage: Outage,
) -> None:
    read = await asyncio.gather(
        *(values.store_settings() for _ in range(10)), return_exceptions=True
    )

    assert len([result for result in read if isinstance(result, Exception)]) == 1
    assert {result for result in read if not isinstance(result, Exception)} == {
        outage.settings_before
    }
    assert len(outage.connection_attempts) == 1


async def test_before_any_read_an_outage_fails_everyone_in_flight_with_one_attempt(
    outage: Outage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(values, "_last_read", {})  # a process that has not read them yet

    read = await asyncio.gather(
        *(values.store_settings() for _ in range(10)), return_exceptions=True
    )

    assert all(isinstance(result, OSError | SQLAlchemyError) for result in read)
    assert len(outage.connection_attempts) == 1


CHANGE_FORMAT_ELSEWHERE = """
import asyncio
from sqlalchemy import text
from backend.core.db import session_scope

async def change() -> None:
    async with session_scope() as session:
        await session.exec(text("UPDATE shop_settings SET money_locale = 'fr_FR'"))

asyncio.run(change())
"""


async def test_amounts_follow_a_format_changed_elsewhere_once_a_door_refreshes() -> None:
    """What the access guard, the API and the worker call before each event, request or
    job: after it, synchronous formatting uses the format in force."""
    await values.keep_settings_fresh()
    assert format_money(Decimal("1234.5"), "EUR") == "€1,234.50"

    await asyncio.to_thread(
        subprocess.run, [sys.executable, "-c", CHANGE_FORMAT_ELSEWHERE], check=True, timeout=60
    )
    seen_at = time.monotonic()
    while format_money(Decimal("1234.5"), "EUR") != "1\u202f234,50\xa0€":
        assert time.monotonic() - seen_at < values.FRESH_FOR_SECONDS + 0.5
        await asyncio.sleep(0.05)
        await values.keep_settings_fresh()
