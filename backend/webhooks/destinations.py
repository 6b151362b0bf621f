"""Where deliveries may go: public internet addresses only (no server-side request
forgery into the shop's own network), except this machine outside production (local
test receivers).

Checked twice: an IP literal when an endpoint is registered, and at each delivery the
addresses the host name resolves to, once: the delivery then connects to one of exactly
those addresses (`backend/webhooks/transport.py`), so a name that answers differently the
next time (DNS rebinding) cannot redirect it.

IPv6 forms that carry an IPv4 address (IPv4-mapped, NAT64, 6to4) are judged by the IPv4
address they reach; the deprecated IPv4-compatible form and the local-use NAT64 prefix are
never a public destination.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from backend.settings import get_settings
from backend.webhooks.errors import DestinationRefusedError

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: IPv4 in the last 32 bits
NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215: a network's own
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # RFC 4291, deprecated (:: and ::1 inside)


def _reached_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, where it carries one."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in NAT64_WELL_KNOWN:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def is_allowed_address(address: IPAddress, *, local_allowed: bool) -> bool:
    """A public unicast address, or loopback when `local_allowed`."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            address = ipaddress.IPv6Address(str(address).split("%", 1)[0])
        reached = _reached_ipv4(address)
        if reached is not None:
            return is_allowed_address(reached, local_allowed=local_allowed)
        if address.is_loopback:
            return local_allowed
        if address in IPV4_COMPATIBLE or address in NAT64_LOCAL_USE or address.is_site_local:
            return False
    elif address.is_loopback:
        return local_allowed
    return address.is_global and not address.is_multicast


def local_allowed_for(hostname: str) -> bool:
    return hostname in LOCAL_HOSTS and not get_settings().is_production


def literal_address_problem(url: str) -> str | None:
    """Why an URL whose host is an IP literal may not receive deliveries, or None."""
    hostname = urlsplit(url).hostname or ""
    try:
        address = ipaddress.ip_address(hostname)
    except ValueError:
        return None  # a host name: resolved at delivery time
    if is_allowed_address(address, local_allowed=local_allowed_for(hostname)):
        return None
    return f"{hostname} is not a public internet address."


async def resolve_checked(hostname: str, port: int) -> list[IPAddress]:
    """Every address `hostname` resolves to, in the resolver's order, after checking that
    each may be delivered to. Raises DestinationRefusedError otherwise. Connect only to
    what this returns: resolving again may answer something else."""
    try:
        found = await asyncio.get_running_loop().getaddrinfo(
            hostname, port, type=socket.SOCK_STREAM
        )
    except OSError as error:
        raise DestinationRefusedError(
            f"Cannot resolve {hostname}: {error.strerror or error}"
        ) from error
    local_allowed = local_allowed_for(hostname)
    addresses: list[IPAddress] = []
    for *_, socket_address in found:
        address = ipaddress.ip_address(str(socket_address[0]).split("%", 1)[0])
        if not is_allowed_address(address, local_allowed=local_allowed):
            raise DestinationRefusedError(
                f"{hostname} resolves to {address}, which is not a public address."
            )
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise DestinationRefusedError(f"Cannot resolve {hostname}: no address")
    return addresses


async def destination_problem(url: str) -> str | None:
    """Why a delivery to `url` must not be sent now, or None: every address the host
    resolves to must be public."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        await resolve_checked(parts.hostname or "", port)
    except DestinationRefusedError as refused:
        return str(refused)
    return None
