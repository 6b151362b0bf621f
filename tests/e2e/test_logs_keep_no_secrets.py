"""After every other test of the running shop: its log lines (web, worker with its relay,
and the Stripe shop's when it ran) are JSON, and hold no secret the run handled.

Marked `scans_live_shop_logs`: tests/conftest.py runs it after all other tests of the
running shop, whatever the random order.
"""

from __future__ import annotations

import json
import os

import pytest
from sqlalchemy import text

from backend.core.db import session_scope
from backend.settings import PUBLISHED_DEMO_ADMIN_PASSWORD, PUBLISHED_DEMO_SHOPPER_PASSWORD
from tests.e2e.data import run
from tests.fixtures.log_scan import (
    find_leaks,
    lines_of_this_run,
    link_tokens,
    suite_passwords,
)
from tests.fixtures.mail import SmtpServer
from tests.fixtures.stripe import WEBHOOK_SECRET

pytestmark = pytest.mark.scans_live_shop_logs

# Every table keeping the SHA-256 of a token the shop handed out.
STORED_TOKEN_HASHES = """
    SELECT token_hash FROM user_sessions
    UNION ALL SELECT token_hash FROM account_tokens
    UNION ALL SELECT token_hash FROM refresh_tokens
    UNION ALL SELECT confirm_token_hash FROM stock_notice_subscriptions
        WHERE confirm_token_hash IS NOT NULL
    UNION ALL SELECT cancel_token_hash FROM stock_notice_subscriptions
        WHERE cancel_token_hash IS NOT NULL
"""


async def stored_token_hashes() -> set[str]:
    async with session_scope() as session:
        rows = await session.exec(text(STORED_TOKEN_HASHES))  # type: ignore[call-overload]
        return {row[0] for row in rows}


def test_the_running_shop_logged_json_lines_and_no_secret(
    live_shop: str, mailbox: SmtpServer
) -> None:
    logs = lines_of_this_run()
    everything = [line for lines in logs.values() for line in lines]
    assert everything, "the running shop wrote no log lines"

    # LOG_FORMAT=json: the shop's own lines are JSON with the request and trace context.
    records = []
    for line in everything:
        if line.startswith("{"):
            records.append(json.loads(line))
    access = [r for r in records if r.get("logger") == "shop.access"]
    assert access, "no access log lines"
    for record in access:
        assert {"time", "level", "logger", "message", "request_id", "trace_id", "span_id"} <= (
            record.keys()
        )
        assert record["request_id"]
    assert any(r.get("logger", "").startswith(("jobs", "arq")) for r in records), (
        "no JSON lines from the worker"
    )

    known = {password: "a test password" for password in suite_passwords()}
    known |= {
        PUBLISHED_DEMO_ADMIN_PASSWORD: "a demo password",
        PUBLISHED_DEMO_SHOPPER_PASSWORD: "a demo password",
        WEBHOOK_SECRET: "the Stripe webhook secret",
        "sk_test_kestrel": "the Stripe secret key",
    }
    if os.environ.get("STRIPE_SECRET_KEY"):
        known[os.environ["STRIPE_SECRET_KEY"]] = "the Stripe secret key"
    mails = [
        part.get_content()
        for message in mailbox.handler.messages
        for part in message.walk()
        if part.get_content_type() in ("text/plain", "text/html")
    ]
    known |= {token: "a one-time link token" for token in link_tokens(mails)}

    leaks = find_leaks(everything, known=known, stored_hashes=run(stored_token_hashes))
    assert not leaks, "secrets in the running shop's logs:\n" + "\n".join(
        str(leak) for leak in leaks[:20]
    )
