"""Which addresses webhook deliveries may go to: IPv6 forms that carry an IPv4 address
(NAT64, IPv4-mapped, IPv4-compatible, 6to4) are judged by the IPv4 address they reach, so
a private network cannot be named in IPv6 clothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.settings import get_settings
from backend.webhooks.destinations import destination_problem, literal_address_problem

REFUSED = [
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254 (cloud metadata)
    "64:ff9b:1::a00:1",  # local-use NAT64 prefix (RFC 8215)
    "::ffff:10.0.0.1",  # IPv4-mapped
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "::10.0.0.1",  # IPv4-compatible (deprecated)
    "::127.0.0.1",
    "::5db8:d822",  # IPv4-compatible form of a public address: deprecated, never routed
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "fec0::1",  # site-local (deprecated)
    "ff02::1",  # multicast
    "224.0.0.1",
    "100.64.0.1",  # carrier-grade NAT
    "fd00::1",
    "fe80::1",
    "::",
    "0.0.0.0",
]
ALLOWED = [
    "93.184.216.34",
    "2606:4700:4700::1111",
    "64:ff9b::5db8:d822",  # NAT64 of 93.184.216.34: a public host through a gateway
    "::ffff:93.184.216.34",
    "2002:5db8:d822::1",  # 6to4 of a public address
]


def _url(address: str) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"https://{host}/hook"


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://shop.example")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize("address", REFUSED)
async def test_private_addresses_in_any_form_are_refused(address: str) -> None:
    assert literal_address_problem(_url(address)), "registering it"
    assert await destination_problem(_url(address)), "sending to it"


@pytest.mark.parametrize("address", ALLOWED)
async def test_public_addresses_pass(address: str) -> None:
    assert literal_address_problem(_url(address)) is None
    assert await destination_problem(_url(address)) is None


@pytest.mark.parametrize("address", ["::ffff:127.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1"])
async def test_this_machine_in_ipv6_clothing_is_refused_in_production(
    production: None, address: str
) -> None:
    assert literal_address_problem(_url(address))
    assert await destination_problem(_url(address))
