"""Sending e-mail through a real SMTP server: once per key, recorded, retried on failure."""

from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from backend.notifications import queries, services
from backend.notifications.errors import DeliveryError
from backend.notifications.rendering import ONE_TIME_LINKS
from backend.notifications.schemas import REDACTED_TOKEN, OneTimeLink
from backend.settings import get_settings
from tests.fixtures.mail import SmtpServer, free_port
from tests.unit.test_templates import CONTEXTS as TEMPLATE_CONTEXTS

CONTEXT = {
    "order_number": "KG-7",
    "customer_name": "Ann",
    "email": "ann@example.com",
    "carrier": "DHL",
    "tracking_number": "TRACK-7",
    "order_url": "http://localhost:3100/orders/KG-7",
}


@pytest.fixture
def smtp_configured(
    smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SmtpServer]:
    monkeypatch.setenv("SMTP_URL", smtp_server.url)
    get_settings.cache_clear()
    yield smtp_server
    monkeypatch.delenv("SMTP_URL")
    get_settings.cache_clear()


async def test_an_email_is_sent_once_per_key_and_recorded(
    smtp_configured: SmtpServer, unique: str
) -> None:
    to = f"ann-{unique}@example.com"
    key = f"test:{unique}"
    first = await services.send_email(
        template="order_shipped", to=to, context=CONTEXT, idempotency_key=key
    )
    again = await services.send_email(
        template="order_shipped", to=to, context=CONTEXT, idempotency_key=key
    )

    received = smtp_configured.handler.to(to)
    assert len(received) == 1
    message = received[0]
    assert message["Subject"] == "Order KG-7 has shipped"
    assert "TRACK-7" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "TRACK-7" in message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert (first.sent_now, again.sent_now) == (True, False)

    recorded = await queries.get_message(first.notification_id)
    assert (recorded.status, recorded.attempts, recorded.channel) == ("sent", 1, "email")
    assert recorded.provider_message_id == message["Message-ID"]


async def test_without_smtp_the_message_is_stored_and_readable(unique: str) -> None:
    to = f"stored-{unique}@example.com"
    result = await services.send_email(
        template="order_shipped", to=to, context=CONTEXT, idempotency_key=f"test:{unique}"
    )
    assert result.status == "stored"
    page = await queries.list_messages(recipient=to)
    assert [m.subject for m in page.items] == ["Order KG-7 has shipped"]
    detail = await queries.get_message(result.notification_id)
    assert "TRACK-7" in detail.body_text


async def test_a_refused_send_is_recorded_and_a_retry_sends_the_same_message(
    smtp_configured: SmtpServer, monkeypatch: pytest.MonkeyPatch, unique: str
) -> None:
    to = f"retry-{unique}@example.com"
    key = f"test:{unique}"
    calls = 0

    async def context() -> dict[str, object]:
        nonlocal calls
        calls += 1
        return {**CONTEXT, "tracking_number": f"TRACK-{calls}"}

    monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{free_port()}")  # nobody listens here
    get_settings.cache_clear()
    with pytest.raises(DeliveryError):
        await services.send_email(
            template="order_shipped", to=to, context=context, idempotency_key=key
        )
    page = await queries.list_messages(recipient=to)
    assert [(m.status, m.attempts) for m in page.items] == [("failed", 1)]
    assert page.items[0].last_error

    monkeypatch.setenv("SMTP_URL", smtp_configured.url)
    get_settings.cache_clear()
    await services.send_email(template="order_shipped", to=to, context=context, idempotency_key=key)

    received = smtp_configured.handler.to(to)
    assert len(received) == 1
    assert "TRACK-1" in received[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert calls == 1
    page = await queries.list_messages(recipient=to)
    assert [(m.status, m.attempts) for m in page.items] == [("sent", 2)]


# --- one-time links: sent to the recipient, never kept readable once a transport exists ---


def _plain(message: EmailMessage) -> str:
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    return str(text).replace("\r\n", "\n")


@pytest.mark.parametrize("template", sorted(ONE_TIME_LINKS))
async def test_with_a_transport_the_kept_copy_has_the_text_but_no_token(
    smtp_configured: SmtpServer, template: str, unique: str
) -> None:
    to = f"links-{unique}@example.com"
    result = await services.send_email(
        template=template, to=to, context=TEMPLATE_CONTEXTS[template], idempotency_key=unique
    )

    [received] = smtp_configured.handler.to(to)
    assert "Tok3n-abc" in _plain(received)
    kept = await queries.get_message(result.notification_id)
    assert kept.status == "sent"
    assert kept.subject == received["Subject"]
    for part in (kept.subject, kept.body_text, kept.body_html or ""):
        assert "Tok3n" not in part
    assert REDACTED_TOKEN in kept.body_text
    assert kept.body_text.replace(REDACTED_TOKEN, "") == _plain(received).replace(
        "Tok3n-abc", ""
    ).replace("Tok3n-def", "")


async def test_without_a_transport_the_stored_message_keeps_its_links(unique: str) -> None:
    to = f"inbox-{unique}@example.com"
    result = await services.send_email(
        template="password_reset",
        to=to,
        context=TEMPLATE_CONTEXTS["password_reset"],
        idempotency_key=unique,
    )
    assert result.status == "stored"  # the row is the only copy: development's inbox
    assert (
        "reset-password?token=Tok3n-abc"
        in (await queries.get_message(result.notification_id)).body_text
    )


async def test_a_retry_of_a_message_with_a_one_time_link_sends_a_fresh_link(
    smtp_configured: SmtpServer, monkeypatch: pytest.MonkeyPatch, unique: str
) -> None:
    to = f"fresh-{unique}@example.com"
    issued: list[str] = []

    async def context() -> dict[str, object]:
        token = f"Tok3n-{len(issued)}-{unique}"
        issued.append(token)
        url = f"http://localhost:3100/reset-password?token={token}"
        return {"display_name": "Ann", "reset_url": OneTimeLink(url, token), "expires_minutes": 60}

    monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{free_port()}")  # nobody listens here
    get_settings.cache_clear()
    with pytest.raises(DeliveryError):
        await services.send_email(
            template="password_reset", to=to, context=context, idempotency_key=unique
        )
    [failed] = (await queries.list_messages(recipient=to)).items
    assert "Tok3n" not in (await queries.get_message(failed.id)).body_text

    monkeypatch.setenv("SMTP_URL", smtp_configured.url)
    get_settings.cache_clear()
    result = await services.send_email(
        template="password_reset", to=to, context=context, idempotency_key=unique
    )

    # The first link was never delivered and is nowhere to be read; the second one went out.
    assert len(issued) == 2
    [received] = smtp_configured.handler.to(to)
    assert issued[1] in _plain(received)
    kept = await queries.get_message(result.notification_id)
    assert (kept.status, kept.attempts) == ("sent", 2)
    assert not any(token in kept.body_text + (kept.body_html or "") for token in issued)
