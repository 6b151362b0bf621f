"""The HTTP transport of webhook deliveries: it connects to exactly the address it checked.

httpx (through httpcore) would resolve the host name itself when it connects, after the
shop had checked it: a name that answered a public address to the check and this machine
to the connect (DNS rebinding) would get past the check. Here the name is resolved once,
in `connect_tcp`, every address is checked (`destinations.resolve_checked`), and the
socket is opened to one of those addresses. TLS is unchanged: httpcore starts it on that
socket with the URL's host name, so SNI and certificate verification use the real name.

No proxies (they would connect on our behalf to anything) and no Unix sockets.
"""

from __future__ import annotations

import ssl
import typing

import httpcore
import httpx

from backend.webhooks.destinations import resolve_checked
from backend.webhooks.errors import DestinationRefusedError

LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)


class CheckedAddressBackend(httpcore.AsyncNetworkBackend):
    """Connects a host name only to addresses it resolved and checked itself."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await resolve_checked(host, port)
        failure: httpcore.ConnectError | None = None
        for address in addresses:  # the next checked one if one is unreachable
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as error:
                failure = error
        assert failure is not None  # resolve_checked returns at least one address
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise DestinationRefusedError("Deliveries go over TCP only.")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class CheckedAddressTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (its request/response handling and error mapping) over a
    connection pool that connects through CheckedAddressBackend."""

    def __init__(self, *, verify: ssl.SSLContext | bool = True) -> None:
        context = httpx.create_ssl_context(verify=verify, trust_env=False)
        super().__init__(verify=context, limits=LIMITS, trust_env=False)
        # The pool httpx built, again with the same settings and our network backend.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=LIMITS.max_connections,
            max_keepalive_connections=LIMITS.max_keepalive_connections,
            keepalive_expiry=LIMITS.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=CheckedAddressBackend(),
        )
