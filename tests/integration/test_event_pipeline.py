"""From a committed change to an e-mail at a real SMTP server, through Redis and a real worker."""

import asyncio
import re
from collections.abc import Iterator

import pytest
from sqlmodel import func, select

from backend.accounts import services as accounts
from backend.accounts.errors import DuplicateAccountError
from backend.core.db import session_scope
from backend.events import deliveries
from backend.events.models import OutboxEvent
from backend.settings import get_settings
from tests.fixtures.mail import SmtpServer
from tests.fixtures.waiting import eventually
from tests.fixtures.workers import FAST_RETRIES, running_worker

PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def worker(smtp_server: SmtpServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    log = tmp_path_factory.mktemp("pipeline") / "worker.log"
    with running_worker(log, SMTP_URL=smtp_server.url, **FAST_RETRIES):
        yield


async def register(username: str, email: str) -> str:
    user_id = await accounts.create_user(
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
    assert await accounts.verify_email(link.group(2)) is True
    assert await accounts.verify_email(link.group(2)) is False
    signed_in = await accounts.sign_in(email=email, password=PASSWORD)
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
    worker: None, smtp_server: SmtpServer, unique: str
) -> None:
    bouncing = await register(f"bounce_{unique}", f"bounce-{unique}@example.com")
    healthy = f"fine-{unique}@example.com"
    await register(f"fine_{unique}", healthy)

    await eventually(lambda: smtp_server.handler.to(healthy))

    async def dead_letter() -> list[deliveries.DeadLetter]:
        return [d for d in await deliveries.list_dead_letters() if d.aggregate_id == bouncing]

    dead = await eventually(dead_letter, within=30)
    assert dead[0].handler == "send_email_verification"
    assert dead[0].attempts == int(FAST_RETRIES["EVENT_MAX_ATTEMPTS"])
    assert "550" in dead[0].last_error
