"""DNS rebinding against webhook deliveries: a host name that resolves to a public address
when the shop checks it and to this machine when it connects must never reach this
machine. The delivery connects to exactly the address it checked.

No traffic leaves this machine: the name service is scripted (socket.getaddrinfo) and
every outgoing connect is recorded; a connect to anything but loopback is refused as if
the network had no route there, or handed to a local server standing in for it.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import socket
import ssl
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlmodel import select

from backend.accounts.schemas import Viewer
from backend.core.db import session_scope
from backend.core.errors import NotFoundError
from backend.events.outbox import record_event
from backend.orders.events import OrderPaid
from backend.webhooks import delivery
from backend.webhooks import services as webhooks
from backend.webhooks.models import WebhookAttempt, WebhookDelivery

PUBLIC_ADDRESS = "93.184.216.34"  # what the attacker's name server answers first
OK_RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect


@dataclass
class FakeNetwork:
    """Scripted name answers and a record of every TCP connect this process starts."""

    answers: dict[str, list[str]] = field(default_factory=dict)
    lookups: list[str] = field(default_factory=list)
    connects: list[tuple[str, int]] = field(default_factory=list)
    # (public address, port) → local port of a server standing in for that host
    routes: dict[tuple[str, int], int] = field(default_factory=dict)

    def answer(self, name: str, *addresses: str) -> None:
        """`name` resolves to each address in turn, the last one from then on."""
        self.answers[name] = list(addresses)

    def getaddrinfo(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in self.answers:
            return _real_getaddrinfo(host, port, *args, **kwargs)
        self.lookups.append(name)
        queued = self.answers[name]
        address = queued.pop(0) if len(queued) > 1 else queued[0]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port or 0)))]

    def connect(self, sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host, port = str(address[0]), int(address[1])
            self.connects.append((host, port))
            local = self.routes.get((host, port))
            if local is not None:
                return _real_connect(sock, ("127.0.0.1", local))
            if not ipaddress.ip_address(host).is_loopback:
                raise ConnectionRefusedError(f"test network: no route to {host}")
        return _real_connect(sock, address)


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> FakeNetwork:
    fake = FakeNetwork()
    monkeypatch.setattr(socket, "getaddrinfo", fake.getaddrinfo)

    def connect(sock: socket.socket, address: Any) -> None:  # bound as a method
        fake.connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return fake


@dataclass
class Listener:
    """A TCP server on 127.0.0.1 that records every connection it accepts."""

    port: int
    accepted: list[tuple[str, int]]


@pytest.fixture
def loopback_listener() -> Iterator[Listener]:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    listener = Listener(port=server.getsockname()[1], accepted=[])
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, peer = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            listener.accepted.append(peer)
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener
    stop.set()
    thread.join(timeout=2)
    server.close()


@pytest.fixture
async def endpoint_ids(admin_viewer: Viewer) -> AsyncIterator[list[uuid.UUID]]:
    created: list[uuid.UUID] = []
    yield created
    for endpoint_id in created:
        with contextlib.suppress(NotFoundError):
            await webhooks.delete_endpoint(admin_viewer, endpoint_id)


async def _deliver_once(
    admin: Viewer, endpoint_ids: list[uuid.UUID], url: str, unique: str
) -> WebhookAttempt:
    """Register `url` for order.paid, record an OrderPaid, fan it out and run the
    worker's sender once. Returns the logged attempt."""
    from jobs.event_handlers.webhook_deliveries import deliver_to_webhooks

    created = await webhooks.create_endpoint(admin, url=url, event_types=["order.paid"])
    endpoint_ids.append(created.endpoint.id)
    event = OrderPaid(
        aggregate_id=str(uuid.uuid4()),
        order_number=f"KG-{unique}",
        email=f"buyer-{unique}@example.com",
        customer_name="Buyer",
        amount=Decimal("42.00"),
        currency="USD",
    )
    async with session_scope() as session:
        await record_event(session, event)
    await deliver_to_webhooks(event)
    await delivery.send_due_deliveries()
    async with session_scope() as session:
        row = (
            await session.exec(
                select(WebhookDelivery).where(
                    WebhookDelivery.event_id == event.event_id,
                    WebhookDelivery.endpoint_id == created.endpoint.id,
                )
            )
        ).one()
        return (
            await session.exec(select(WebhookAttempt).where(WebhookAttempt.delivery_id == row.id))
        ).one()


async def test_a_name_rebound_to_this_machine_after_the_check_never_reaches_it(
    admin_viewer: Viewer,
    endpoint_ids: list[uuid.UUID],
    network: FakeNetwork,
    loopback_listener: Listener,
    unique: str,
) -> None:
    host = f"hooks-{unique}.rebind.test"
    # Public when the shop checks, this machine from the next lookup on (a TTL-0 record).
    network.answer(host, PUBLIC_ADDRESS, "127.0.0.1")

    attempt = await _deliver_once(
        admin_viewer, endpoint_ids, f"https://{host}:{loopback_listener.port}/hook", unique
    )

    assert loopback_listener.accepted == [], "the delivery reached this machine"
    to_port = [address for address in network.connects if address[1] == loopback_listener.port]
    assert to_port == [(PUBLIC_ADDRESS, loopback_listener.port)], (
        "the delivery must connect to the address it checked, and only to it"
    )
    assert attempt.response_status is None
    assert attempt.error


async def test_a_name_that_answers_a_private_address_is_not_connected_to(
    admin_viewer: Viewer,
    endpoint_ids: list[uuid.UUID],
    network: FakeNetwork,
    loopback_listener: Listener,
    unique: str,
) -> None:
    host = f"hooks-{unique}.private.test"
    network.answer(host, "64:ff9b::7f00:1")  # 127.0.0.1 behind a NAT64 gateway

    attempt = await _deliver_once(
        admin_viewer, endpoint_ids, f"https://{host}:{loopback_listener.port}/hook", unique
    )

    assert loopback_listener.accepted == []
    assert [a for a in network.connects if a[1] == loopback_listener.port] == []
    assert attempt.error is not None
    assert attempt.error.startswith("Not sent:")
    assert "64:ff9b::7f00:1" in attempt.error


# ---------------------------------------------------------------- TLS on the pinned address


@dataclass(frozen=True)
class ThrowawayAuthority:
    """A throw-away CA; `server_context(name)` serves a certificate it signed for `name`."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @classmethod
    def create(cls) -> ThrowawayAuthority:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kestrel test CA")])
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .sign(key, hashes.SHA256())
        )
        return cls(key=key, certificate=certificate)

    def client_context(self) -> ssl.SSLContext:
        pem = self.certificate.public_bytes(serialization.Encoding.PEM).decode()
        return ssl.create_default_context(cadata=pem)

    def server_context(self, name: str, tmp_path: Any) -> ssl.SSLContext:
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        leaf = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
            .sign(self.key, hashes.SHA256())
        )
        chain = tmp_path / f"{name}.pem"
        chain.write_bytes(
            leaf.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(chain)
        return context


@dataclass
class TlsReceiver:
    port: int
    server_names: list[str | None]


def _read_request(connection: ssl.SSLSocket) -> None:
    """Reads one HTTP/1.1 request with a Content-Length body (all a delivery sends)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            return
        body += chunk


@contextlib.contextmanager
def tls_receiver(context: ssl.SSLContext) -> Iterator[TlsReceiver]:
    """An HTTPS server on 127.0.0.1 answering 200 to anything; records the SNI it gets."""
    receiver = TlsReceiver(port=0, server_names=[])

    def remember_name(sock: ssl.SSLObject | ssl.SSLSocket, name: str | None, _: Any) -> None:
        receiver.server_names.append(name)

    context.sni_callback = remember_name  # type: ignore[assignment]
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    receiver.port = server.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                raw, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with contextlib.suppress(OSError), raw:
                raw.settimeout(5)
                with context.wrap_socket(raw, server_side=True) as tls:
                    _read_request(tls)
                    tls.sendall(OK_RESPONSE)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        stop.set()
        thread.join(timeout=2)
        server.close()


async def test_the_pinned_connection_still_verifies_the_certificate_for_the_host_name(
    network: FakeNetwork, tmp_path: Any, unique: str
) -> None:
    authority = ThrowawayAuthority.create()
    host = f"hooks-{unique}.tls.test"
    network.answer(host, PUBLIC_ADDRESS)

    # The right certificate for the name: the request goes through, the name was sent (SNI).
    with tls_receiver(authority.server_context(host, tmp_path)) as receiver:
        network.routes[(PUBLIC_ADDRESS, 443)] = receiver.port
        async with delivery.delivery_client(verify=authority.client_context()) as client:
            response = await client.post(f"https://{host}/hook", content=b"{}")
        assert response.status_code == 200
        assert receiver.server_names == [host]
    assert network.connects[-1] == (PUBLIC_ADDRESS, 443)

    # A certificate for another name at that address is refused.
    with tls_receiver(authority.server_context("elsewhere.test", tmp_path)) as receiver:
        network.routes[(PUBLIC_ADDRESS, 443)] = receiver.port
        async with delivery.delivery_client(verify=authority.client_context()) as client:
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                await client.post(f"https://{host}/hook", content=b"{}")
