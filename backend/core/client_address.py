"""The visitor's network address: what every per-address limit counts against.

One rule for every door (browser sign-in, the REST API, Reflex event handlers): behind
a reverse proxy the connection comes from the proxy, and the visitor's address is in
the X-Forwarded-For header the proxy appends to. That header is believed only when the
connection comes from a proxy listed in `TRUSTED_PROXIES`, and then only as far as the
proxies go: reading it from the right, the first address that is not itself a trusted
proxy is the visitor (everything left of it was written by the client and could be
anything). Without `TRUSTED_PROXIES` the connecting address is the visitor.

Framework-free on purpose: the API passes the ASGI scope (`address_of_scope`), Reflex
handlers pass the peer and header from their router data (`client_address`, through
`SessionState.client_address` in ui/access.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import Any

from backend.settings import get_settings

UNKNOWN = "unknown"
MAX_ADDRESS_LENGTH = 64
# The network a lockout is counted for: a household's or office's block of addresses.
IPV4_NETWORK_PREFIX = 24
IPV6_NETWORK_PREFIX = 64

Network = IPv4Network | IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ip_network(entry, strict=False) for entry in entries)


def _trusted_proxies() -> tuple[Network, ...]:
    return _networks(tuple(get_settings().trusted_proxies))


def _parsed(text: str) -> IPv4Address | IPv6Address | None:
    try:
        address = ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:192.0.2.1 is 192.0.2.1
    return address


def _canonical(text: str) -> str:
    """One spelling per address (so one visitor has one counter); other text as sent,
    cut short."""
    address = _parsed(text)
    return str(address) if address is not None else text.strip()[:MAX_ADDRESS_LENGTH] or UNKNOWN


def _is_trusted(text: str, proxies: tuple[Network, ...]) -> bool:
    address = _parsed(text)
    return address is not None and any(address in network for network in proxies)


def client_address(peer: str | None, forwarded_for: Iterable[str] = ()) -> str:
    """The visitor's address, from the connecting address (`peer`) and the values of
    every X-Forwarded-For header of the request (in order)."""
    peer = (peer or "").strip() or UNKNOWN
    proxies = _trusted_proxies()
    if not proxies or not _is_trusted(peer, proxies):
        return _canonical(peer)  # a direct visitor: its headers prove nothing
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, proxies):
            return _canonical(hop)
    # Only proxies (or no header: a request the proxy made itself, or a health check).
    return _canonical(hops[0]) if hops else _canonical(peer)


def address_of_scope(scope: Mapping[str, Any]) -> str:
    """The visitor's address for an ASGI request (HTTP or websocket)."""
    client = scope.get("client")
    peer = str(client[0]) if client else None
    forwarded = [
        value.decode("latin-1")
        for name, value in scope.get("headers", ())
        if name.lower() == b"x-forwarded-for"
    ]
    return client_address(peer, forwarded)


def network_of(address: str) -> str:
    """The block a lockout counts for: the /24 of an IPv4 address, the /64 of an IPv6
    one (a subscriber gets at least that many); anything else stands for itself."""
    parsed = _parsed(address)
    if parsed is None:
        return address
    prefix = IPV4_NETWORK_PREFIX if isinstance(parsed, IPv4Address) else IPV6_NETWORK_PREFIX
    return str(ip_network(f"{parsed}/{prefix}", strict=False))
