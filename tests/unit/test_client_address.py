"""The one rule for a visitor's address: X-Forwarded-For only from trusted proxies, read
from the right; and the network a sign-in lockout counts for."""

from collections.abc import Iterator

import pytest

from backend.core.client_address import address_of_scope, client_address, network_of
from backend.settings import get_settings

FORWARDED = "6.6.6.6, 203.0.113.7, 10.0.0.9"


@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def trust(monkeypatch: pytest.MonkeyPatch, proxies: str) -> None:
    monkeypatch.setenv("TRUSTED_PROXIES", proxies)
    get_settings.cache_clear()


def test_without_trusted_proxies_the_connecting_address_is_the_visitor(
    trusting: pytest.MonkeyPatch,
) -> None:
    trusting.delenv("TRUSTED_PROXIES", raising=False)
    get_settings.cache_clear()
    assert client_address("10.0.0.5", [FORWARDED]) == "10.0.0.5"


def test_behind_trusted_proxies_the_nearest_untrusted_hop_is_the_visitor(
    trusting: pytest.MonkeyPatch,
) -> None:
    trust(trusting, "10.0.0.0/8")
    # Whatever the client wrote before that hop is not believed.
    assert client_address("10.0.0.5", [FORWARDED]) == "203.0.113.7"
    # Several headers count as one list, in order.
    assert client_address("10.0.0.5", ["6.6.6.6", "203.0.113.8 , 10.0.0.9"]) == "203.0.113.8"


def test_a_peer_that_is_not_a_trusted_proxy_is_the_visitor_whatever_it_forwards(
    trusting: pytest.MonkeyPatch,
) -> None:
    trust(trusting, "127.0.0.1")
    assert client_address("192.0.2.1", ["198.51.100.4"]) == "192.0.2.1"


def test_only_proxies_or_no_header_fall_back_sensibly(trusting: pytest.MonkeyPatch) -> None:
    trust(trusting, "127.0.0.1, 10.0.0.0/8")
    assert client_address("127.0.0.1", []) == "127.0.0.1"
    assert client_address("127.0.0.1", ["10.1.1.1, 10.2.2.2"]) == "10.1.1.1"
    assert client_address(None, []) == "unknown"


def test_one_address_has_one_spelling(trusting: pytest.MonkeyPatch) -> None:
    trust(trusting, "127.0.0.1")
    assert client_address("127.0.0.1", ["::ffff:198.51.100.4"]) == "198.51.100.4"
    assert client_address("127.0.0.1", ["2001:DB8:0:0::1"]) == "2001:db8::1"
    # Not an address: kept as text (cut short), so it still has a counter of its own.
    assert client_address("127.0.0.1", ["x" * 100]) == "x" * 64


def test_an_asgi_scope_gives_the_same_answer(trusting: pytest.MonkeyPatch) -> None:
    trust(trusting, "10.0.0.0/8")
    scope = {
        "type": "websocket",
        "client": ("10.0.0.5", 1234),
        "headers": [(b"x-forwarded-for", FORWARDED.encode()), (b"host", b"shop")],
    }
    assert address_of_scope(scope) == "203.0.113.7"
    assert address_of_scope({**scope, "client": ("192.0.2.1", 1)}) == "192.0.2.1"
    assert address_of_scope({"type": "http", "client": None, "headers": []}) == "unknown"


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("198.51.100.77", "198.51.100.0/24"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("unknown", "unknown"),
    ],
)
def test_a_lockout_counts_for_the_visitors_network(address: str, network: str) -> None:
    assert network_of(address) == network
