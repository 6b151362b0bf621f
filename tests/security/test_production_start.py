"""Production fails closed: the real worker and web processes refuse to start with a
configuration or a database that would let strangers in or let goods out unpaid.

Each test starts the processes with an otherwise complete production configuration
(`tests/security/startup.py`) and spoils one thing, as a careless deployment would:

- no payment provider keys: the built-in test gateway would take "payments" with
  4242 4242 4242 4242 and the orders would ship;
- no mail transport: every e-mail, with its one-time links, would only be stored for
  staff to read;
- a SECRET_KEY copied from `.env.example`: anyone who read the repository could sign
  access tokens and links;
- the demo accounts still in the database with the passwords the README publishes.
"""

from __future__ import annotations

import re
import subprocess

import pytest
from sqlalchemy import func, update
from sqlmodel import col

from backend.accounts import passwords
from backend.accounts.models import User
from backend.core.db import session_scope
from backend.demo.seed import seed_demo_data
from devstack.services import PROJECT_ROOT
from tests.fixtures.workers import settle_outbox
from tests.security.startup import (
    VENV_BIN,
    Outcome,
    production_env,
    start_web_backend,
    start_worker,
)

# As the README prints them for anyone to read.
PUBLISHED_DEMO_SIGN_INS = {
    "admin@example.com": "kestrel-demo-admin",
    "shopper@example.com": "kestrel-demo-shopper",
}


def assert_refused(outcome: Outcome, *, because: str) -> None:
    assert not outcome.started, f"it started:\n{outcome.output[-3000:]}"
    assert outcome.returncode not in (None, 0), outcome.output[-3000:]
    assert because in outcome.output, outcome.output[-3000:]


def test_production_without_a_real_payment_gateway_refuses_to_start() -> None:
    env = production_env(PAYMENT_GATEWAY=None)  # and no STRIPE_* keys
    assert_refused(start_worker(env, "no-gateway"), because="PAYMENT_GATEWAY")
    assert_refused(start_web_backend(env, "no-gateway"), because="PAYMENT_GATEWAY")


def test_production_without_a_mail_transport_refuses_to_start() -> None:
    env = production_env(SMTP_URL=None)
    assert_refused(start_worker(env, "no-smtp"), because="SMTP_URL")
    assert_refused(start_web_backend(env, "no-smtp"), because="SMTP_URL")


def test_production_refuses_the_secret_key_printed_in_env_example() -> None:
    example = (PROJECT_ROOT / ".env.example").read_text()
    found = re.search(r"^#?\s*SECRET_KEY=(\S+)", example, re.MULTILINE)
    assert found is not None
    env = production_env(SECRET_KEY=found.group(1))
    assert_refused(start_worker(env, "example-key"), because="SECRET_KEY")


@pytest.fixture
async def published_demo_accounts() -> dict[str, str]:
    """The demo accounts, in the database with the README's passwords (as `./shop run`
    seeds them), whatever an earlier test did to them."""
    await seed_demo_data(size=0, images=False)
    await settle_outbox()  # a worker that does start works on nothing of other tests
    async with session_scope() as session:
        for email, password in PUBLISHED_DEMO_SIGN_INS.items():
            await session.exec(
                update(User)
                .where(func.lower(col(User.email)) == email)
                .values(password_hash=passwords.hash_password(password), status="active")
            )
    return PUBLISHED_DEMO_SIGN_INS


def test_production_refuses_to_start_while_demo_accounts_keep_published_passwords(
    published_demo_accounts: dict[str, str],
) -> None:
    env = production_env()
    worker = start_worker(env, "demo-accounts")
    assert_refused(worker, because="admin@example.com")
    assert "shopper@example.com" in worker.output
    assert_refused(start_web_backend(env, "demo-accounts"), because="admin@example.com")

    # The operator's way out, without starting the shop: retire them, then it starts.
    retired = subprocess.run(
        [str(VENV_BIN / "python"), "-m", "jobs.cli", "retire-demo-accounts"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert retired.returncode == 0, retired.stdout + retired.stderr
    assert "admin@example.com" in retired.stdout
    assert start_worker(env, "demo-accounts-retired").started
