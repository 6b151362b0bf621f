"""Webhook deliveries go to public addresses only; this machine only outside production."""

from collections.abc import Iterator

import pytest

from backend.settings import get_settings
from backend.webhooks.destinations import destination_problem, literal_address_problem


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("SMTP_URL", "smtp://mail.example.com:587")
    monkeypatch.setenv("PAYMENT_GATEWAY", "test")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://shop.example")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.5/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data",  # cloud metadata
        "https://[fd00::1]/hook",
        "https://0.0.0.0/hook",
    ],
)
async def test_private_literals_are_refused_at_registration_and_at_sending(url: str) -> None:
    assert literal_address_problem(url)
    assert await destination_problem(url)


async def test_public_literals_pass() -> None:
    assert literal_address_problem("https://93.184.216.34/hook") is None
    assert await destination_problem("https://93.184.216.34/hook") is None


async def test_this_machine_is_allowed_outside_production_only(production: None) -> None:
    assert literal_address_problem("https://127.0.0.1/hook")
    assert await destination_problem("https://localhost:8443/hook")


async def test_this_machine_is_allowed_for_local_test_receivers() -> None:
    assert literal_address_problem("http://127.0.0.1:9999/hook") is None
    assert await destination_problem("http://localhost:9999/hook") is None


async def test_an_unresolvable_host_is_not_sent_to() -> None:
    problem = await destination_problem("https://no-such-host.invalid/hook")
    assert problem is not None
    assert problem.startswith("Cannot resolve")
