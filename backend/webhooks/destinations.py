"""Where deliveries may go: public internet addresses only (no server-side request
forgery into the shop's own network), except this machine outside production (local
test receivers).

Checked twice: an IP literal when an endpoint is registered, and every resolved address
just before each delivery (a host name can point anywhere, and can change).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from backend.settings import get_settings

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def _allowed_address(address: str, *, local_allowed: bool) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
    return ip.is_global or (local_allowed and ip.is_loopback)


def _local_allowed(hostname: str) -> bool:
    return hostname in LOCAL_HOSTS and not get_settings().is_production


def literal_address_problem(url: str) -> str | None:
    """Why an URL whose host is an IP literal may not receive deliveries, or None."""
    hostname = urlsplit(url).hostname or ""
    try:
        allowed = _allowed_address(hostname, local_allowed=_local_allowed(hostname))
    except ValueError:
        return None  # a host name: resolved at delivery time
    return None if allowed else f"{hostname} is not a public internet address."


async def destination_problem(url: str) -> str | None:
    """Why a delivery to `url` must not be sent now, or None: every address the host
    resolves to must be public."""
    parts = urlsplit(url)
    hostname = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = await asyncio.get_running_loop().getaddrinfo(
            hostname, port, type=socket.SOCK_STREAM
        )
    except OSError as error:
        return f"Cannot resolve {hostname}: {error.strerror or error}"
    local_allowed = _local_allowed(hostname)
    for *_, socket_address in found:
        if not _allowed_address(str(socket_address[0]), local_allowed=local_allowed):
            return f"{hostname} resolves to {socket_address[0]}, which is not a public address."
    return None
