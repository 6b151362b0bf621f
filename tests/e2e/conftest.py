"""One running shop for all browser tests: the real web app and worker on the test database.

Started once per test session (the frontend build is the slow part) and stopped at the
end. Pages are driven with Debian's Chromium, headless; a failing test keeps a
screenshot and a Playwright trace under var/test-results/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.settings import get_settings
from devstack.cli import Stack, child_env, start_web, start_worker, wait_until_serving
from devstack.services import VAR_DIR
from tests.e2e.data import run
from tests.fixtures.mail import SmtpServer, running_smtp_server
from tests.fixtures.workers import settle_outbox

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def _system_chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def mailbox() -> Iterator[SmtpServer]:
    """A real SMTP server receiving everything the shop under test sends."""
    with running_smtp_server() as server:
        yield server


@pytest.fixture(scope="session")
def live_shop(mailbox: SmtpServer) -> Iterator[str]:
    settings = get_settings()
    # Per port, so two test runs on different TEST_WEB_PORTs never share a build.
    e2e_dir = VAR_DIR / f"e2e-{settings.port}"
    env = child_env(
        {
            # A build folder of its own: the frontend bakes in the backend's address.
            "REFLEX_WEB_WORKDIR": str(e2e_dir / "web"),
            "REFLEX_STATES_WORKDIR": str(e2e_dir / "states"),
            "GRANIAN_WORKERS": "1",
            "SMTP_URL": mailbox.url,
        }
    )
    stack = Stack()
    e2e_dir.mkdir(parents=True, exist_ok=True)
    # The shop under test builds its search index from the database as it starts; events
    # earlier tests left behind are not part of any browser test.
    run(settle_outbox)
    stack.processes.append(start_worker(env, e2e_dir / "worker.log"))
    web = start_web(env, settings.port, log_file=e2e_dir / "web.log")
    stack.processes.append(web)
    try:
        wait_until_serving(f"http://127.0.0.1:{settings.port}/ping", web, seconds=600)
        wait_until_serving(f"http://127.0.0.1:{settings.port}/", web, seconds=120)
        yield settings.public_base_url
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def base_url(live_shop: str) -> str:
    return live_shop


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, object]) -> dict[str, object]:
    executable = _system_chromium()
    args: dict[str, object] = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    if executable:
        args["executable_path"] = executable
    return args
