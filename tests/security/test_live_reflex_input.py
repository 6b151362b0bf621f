"""A NUL character sent to a Reflex event handler over the real websocket (what any
browser can do, whatever the form allows): the event is refused before the handler runs,
with a message naming the field, instead of failing in the database."""

from __future__ import annotations

import json
import uuid

from admin.pages.webhooks import EVENT_CHOICES, WebhooksState
from backend.accounts import authentication
from backend.webhooks import queries as webhook_queries
from tests.fixtures.accounts import Credentials
from tests.fixtures.hostile_client import HostileBrowser, event_name


async def test_a_nul_in_an_admin_form_is_refused_before_the_handler_runs(
    live_shop: str, staff_admin: Credentials
) -> None:
    session = await authentication.sign_in(email=staff_admin.email, password=staff_admin.password)
    marker = uuid.uuid4().hex
    form = {
        "url": f"https://example.com/hooks/{marker}",
        "description": f"ops {marker}\x00",
        EVENT_CHOICES[0].field: True,
    }
    async with HostileBrowser(live_shop, session.session_token) as browser:
        await browser.hydrate("/admin/webhooks")
        replies = await browser.call(event_name(WebhooksState, "create"), {"form_data": form})

    answered = json.dumps([event for reply in replies for event in reply.events])
    assert "NUL character" in answered, browser.transcript[-3000:]
    assert "description" in answered
    endpoints = await webhook_queries.list_endpoints(session.viewer)
    assert marker not in {endpoint.url.rsplit("/", 1)[-1] for endpoint in endpoints}
