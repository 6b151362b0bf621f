"""The storefront's network address of a websocket caller: the peer, and a forwarded
address only behind a trusted proxy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from reflex.istate.data import HeaderData, RouterData, SessionData

from backend.settings import get_settings
from storefront.network_address import network_address


def _router(peer: str, forwarded: str | None = None) -> RouterData:
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    return RouterData(session=SessionData(client_ip=peer), headers=HeaderData(raw_headers=headers))


@pytest.fixture
def behind_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def test_without_trusted_proxies_the_peer_counts_and_a_forged_header_does_not() -> None:
    assert network_address(_router("198.51.100.7")) == "198.51.100.7"
    assert network_address(_router("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


@pytest.mark.usefixtures("behind_proxy")
def test_behind_a_trusted_proxy_the_nearest_untrusted_hop_counts() -> None:
    # The client forged the first hop; the proxy appended the real one.
    assert network_address(_router("10.0.0.2", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    assert network_address(_router("10.0.0.2", "198.51.100.7, 10.0.0.9")) == "198.51.100.7"
    assert network_address(_router("198.51.100.8", "203.0.113.9")) == "198.51.100.8"
