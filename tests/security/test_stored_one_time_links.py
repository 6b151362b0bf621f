"""An admin cannot take over another account with a link read in Admin → Messages.

The attack: ask for a password reset for someone else's address (the public "Forgot your
password?" form), wait for the worker to e-mail it, read the message's stored copy as any
admin can (Admin → Messages, `python -m jobs.cli messages --show`), open its link and choose
a new password. With a mail transport configured, the stored copy must say which link was
sent without carrying a token that works; the recipient's own e-mail still does.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import httpx
import pytest

from api.app import build_http_app
from backend.accounts import email_links
from backend.accounts.errors import InvalidTokenError
from backend.core.pagination import Page
from backend.notifications import queries as messages
from backend.settings import get_settings
from tests.fixtures.accounts import MakeUser
from tests.fixtures.mail import SmtpServer
from tests.fixtures.waiting import eventually
from tests.fixtures.workers import FAST_RETRIES, running_worker, settle_outbox

ATTACKER_PASSWORD = "admin chose this one"
RESET_LINK = re.compile(r"https?://[^\s\"<>]+/reset-password\?token=[^\s\"<>]*")


def links_in(text: str) -> set[str]:
    return {html.unescape(link) for link in RESET_LINK.findall(text)}


def token_of(link: str) -> str:
    return link.partition("?token=")[2]


async def signs_in(email: str, password: str) -> bool:
    base = get_settings().public_base_url
    transport = httpx.ASGITransport(app=build_http_app(), client=("198.51.100.9", 123))
    async with httpx.AsyncClient(transport=transport, base_url=base) as client:
        response = await client.post(
            "/auth/sign-in",
            data={"email": email, "password": password},
            headers={"origin": base},
        )
    return get_settings().session_cookie_name + "=" in response.headers.get("set-cookie", "")


async def test_a_reset_link_read_in_admin_messages_does_not_work(
    make_user: MakeUser, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    victim = await make_user()
    await settle_outbox()

    # The public form calls exactly this; its answer is the same for any address.
    await email_links.request_password_reset(victim.email, ip="198.51.100.7")

    # What an admin reads under Admin → Messages. The worker records the message in the
    # transaction that sends it, which commits just after the mail server has it.
    async def listed_messages() -> Page[messages.MessageSummary] | None:
        page = await messages.list_messages(recipient=victim.email)
        return page if page.items else None

    with running_worker(tmp_path / "worker.log", SMTP_URL=smtp_server.url, **FAST_RETRIES):
        await eventually(lambda: smtp_server.handler.to(victim.email), within=30)
        listed = await eventually(listed_messages, within=10)
    assert [m.status for m in listed.items] == ["sent"]
    stored = await messages.get_message(listed.items[0].id)
    stored_links = links_in(stored.body_text) | links_in(stored.body_html or "")
    assert stored_links, stored.body_text  # the stored copy still says what was sent

    for link in stored_links:
        with pytest.raises(InvalidTokenError):
            await email_links.reset_password(token_of(link), ATTACKER_PASSWORD)
    assert not await signs_in(victim.email, ATTACKER_PASSWORD)
    assert await signs_in(victim.email, victim.password)

    # The shopper's own e-mail carries the working link.
    received = smtp_server.handler.to(victim.email)[0]
    body = received.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    (sent_link,) = links_in(body)
    assert sent_link not in stored_links
    new_password = "a brand new passphrase"
    await email_links.reset_password(token_of(sent_link), new_password)
    assert await signs_in(victim.email, new_password)
