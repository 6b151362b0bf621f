"""From a committed change to an e-mail at a real SMTP server, through Redis and a real worker."""

import asyncio
import re
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import func, select

from backend.accounts import authentication, email_links, registration
from backend.accounts.errors import DuplicateAccountError
from backend.accounts.permissions import DefaultGroup
from backend.core.db import session_scope
from backend.events import deliveries
from backend.events.models import OutboxEvent
from backend.events.outbox import record_event
from backend.events.schemas import DeadLetter
from backend.inventory.events import LowStock
from backend.notifications import queries
from backend.notifications.schemas import MessageSummary
from backend.orders.events import OrderFulfilled, OrderLineSummary, OrderPlaced
from backend.payments.events import PaymentRefunded
from backend.settings import get_settings
from tests.fixtures.accounts import MakeUser
from tests.fixtures.mail import SmtpServer
from tests.fixtures.waiting import eventually
from tests.fixtures.workers import FAST_RETRIES, running_worker, settle_outbox

PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
async def worker(
    smtp_server: SmtpServer, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Path]:
    """The worker process, running; its log file."""
    await settle_outbox()
    log = tmp_path_factory.mktemp("pipeline") / "worker.log"
    with running_worker(log, SMTP_URL=smtp_server.url, **FAST_RETRIES):
        yield log


async def register(username: str, email: str) -> str:
    user_id = await registration.create_user(
        username=username, email=email, password=PASSWORD, status="pending"
    )
    return str(user_id)


async def test_a_committed_registration_reaches_the_smtp_server_as_one_email(
    worker: None, smtp_server: SmtpServer, unique: str
) -> None:
    email = f"new-{unique}@example.com"
    await register(f"new_{unique}", email)

    received = await eventually(lambda: smtp_server.handler.to(email))
    message = received[0]
    assert message["Subject"] == "Confirm your e-mail address for Kestrel Goods"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(r"(\S+/verify-email\?token=(\S+))", text)
    assert link is not None
    assert link.group(1).startswith(get_settings().public_base_url)

    # The link in the e-mail works, once.
    assert await email_links.verify_email(link.group(2)) is True
    assert await email_links.verify_email(link.group(2)) is False
    signed_in = await authentication.sign_in(email=email, password=PASSWORD)
    assert signed_in.viewer.email == email

    await asyncio.sleep(1.0)
    assert len(smtp_server.handler.to(email)) == 1


async def test_a_rolled_back_change_sends_nothing(
    worker: None, smtp_server: SmtpServer, unique: str
) -> None:
    await register(f"taken_{unique}", f"first-{unique}@example.com")
    second = f"second-{unique}@example.com"
    with pytest.raises(DuplicateAccountError):
        await register(f"taken_{unique}", second)  # username taken: the whole change rolls back

    async with session_scope() as session:
        events = (
            await session.exec(
                select(func.count()).where(OutboxEvent.payload["email"].astext == second)
            )
        ).one()
    assert events == 0
    await eventually(lambda: smtp_server.handler.to(f"first-{unique}@example.com"))
    await asyncio.sleep(1.0)
    assert smtp_server.handler.to(second) == []


async def test_a_handler_that_always_fails_is_dead_lettered_while_others_flow(
    worker: Path, smtp_server: SmtpServer, unique: str
) -> None:
    bouncing = await register(f"bounce_{unique}", f"bounce-{unique}@example.com")
    healthy = f"fine-{unique}@example.com"
    await register(f"fine_{unique}", healthy)

    await eventually(lambda: smtp_server.handler.to(healthy))

    async def dead_letter() -> list[DeadLetter]:
        return [d for d in await deliveries.list_dead_letters() if d.aggregate_id == bouncing]

    dead = await eventually(dead_letter, within=30)
    assert dead[0].handler == "send_email_verification"
    assert dead[0].attempts == int(FAST_RETRIES["EVENT_MAX_ATTEMPTS"])
    assert "550" in dead[0].last_error
    # Each failed attempt was in the log before the last one dead-lettered it.
    attempts = [
        line
        for line in (await asyncio.to_thread(worker.read_text)).splitlines()
        if "send_email_verification failed (attempt" in line and "550" in line
    ]
    assert len(attempts) == int(FAST_RETRIES["EVENT_MAX_ATTEMPTS"]) - 1


async def test_order_and_stock_events_reach_customers_and_staff(
    worker: None, smtp_server: SmtpServer, make_user: MakeUser, unique: str
) -> None:
    customer = f"buyer-{unique}@example.com"
    # The low-stock alert goes to every active account with the inventory permission, one
    # message each, in e-mail order: in the shared test database, hundreds of staff made by
    # earlier tests. An address that sorts first gets its message first (one CI run on a
    # slow machine waited more than 120 s for an address in the middle).
    admin = await make_user(
        roles=frozenset({DefaultGroup.ADMINISTRATORS}), username=f"aaa_staff_{unique}"
    )
    line = OrderLineSummary(name="Enamel Mug", sku="MUG-1", quantity=2, line_total=Decimal("25.00"))
    events = [
        OrderPlaced(
            aggregate_id=unique,
            order_number=f"KG-{unique}",
            email=customer,
            customer_name="Bea Buyer",
            lines=(line,),
            currency="USD",
            subtotal=Decimal("25.00"),
            shipping=Decimal("4.95"),
            tax=Decimal("2.00"),
            discount=Decimal("0.00"),
            total=Decimal("31.95"),
        ),
        OrderFulfilled(
            aggregate_id=unique,
            order_number=f"KG-{unique}",
            email=customer,
            customer_name="Bea Buyer",
            carrier="DHL",
            tracking_number=f"TRK{unique}",
            phone="+15550100",
        ),
        PaymentRefunded(
            aggregate_id=unique,
            order_number=f"KG-{unique}",
            email=customer,
            customer_name="Bea Buyer",
            amount=Decimal("10.00"),
            currency="USD",
            full_refund=False,
        ),
        LowStock(
            aggregate_id=unique, sku="MUG-1", product_name="Enamel Mug", quantity=2, threshold=5
        ),
    ]
    async with session_scope() as session:
        for event in events:
            await record_event(session, event)

    received = await eventually(
        lambda: len(smtp_server.handler.to(customer)) == 3 and smtp_server.handler.to(customer)
    )
    subjects = sorted(m["Subject"] for m in received)
    assert subjects == sorted(
        [
            f"Order KG-{unique} received",
            f"Order KG-{unique} has shipped",
            f"Refund of $10.00 for order KG-{unique}",
        ]
    )
    shipped = next(m for m in received if "shipped" in m["Subject"])
    assert f"TRK{unique}" in shipped.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    alert = await eventually(lambda: smtp_server.handler.to(admin.email), within=120)
    assert alert[0]["Subject"] == "Low stock: Enamel Mug (2 left)"

    sms = await eventually(lambda: sms_to("+15550100"))
    assert sms[0].status == "stored"  # no SMS provider configured: kept, not dropped


async def sms_to(recipient: str) -> list[MessageSummary]:
    page = await queries.list_messages(recipient=recipient, limit=100)
    return [m for m in page.items if m.channel == "sms"]
