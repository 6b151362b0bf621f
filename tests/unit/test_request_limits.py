"""The request body limits, in-process with hand-driven ASGI messages (the live shop's
tests replay the same attacks over sockets against Granian)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send

from api.request_limits import RequestLimits
from backend.settings import get_settings


@pytest.fixture(autouse=True)
def small_limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("REQUEST_BODY_TIMEOUT_SECONDS", "0.2")
    monkeypatch.setenv("REQUEST_BODY_MAX_KB", "16")
    monkeypatch.setenv("UPLOAD_MAX_MB", "1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def echo_length(scope: Scope, receive: Receive, send: Send) -> None:
    body = await Request(scope, receive).body()
    await JSONResponse({"length": len(body)})(scope, receive, send)


def scope_for(path: str = "/api/v1/users", length: int | None = None) -> Scope:
    headers = [(b"content-type", b"application/json")]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    return {"type": "http", "method": "POST", "path": path, "headers": headers}


async def run(scope: Scope, pieces: list[bytes], *, then_silence: bool = False) -> list[Message]:
    sent: list[Message] = []
    queue = list(pieces)

    async def receive() -> Message:
        if queue:
            piece = queue.pop(0)
            return {"type": "http.request", "body": piece, "more_body": bool(queue) or then_silence}
        await asyncio.sleep(3600)  # a client that went silent
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        sent.append(message)

    await asyncio.wait_for(RequestLimits(echo_length)(scope, receive, send), 5)
    return sent


def status_and_body(sent: list[Message]) -> tuple[int, dict[str, object], dict[bytes, bytes]]:
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], json.loads(body), dict(start["headers"])


async def test_a_body_that_stops_arriving_gets_408_and_the_connection_closes() -> None:
    sent = await run(scope_for(length=1000), [b'{"'], then_silence=True)
    status, body, headers = status_and_body(sent)
    assert status == 408
    assert headers[b"content-type"] == b"application/problem+json"
    assert headers[b"connection"] == b"close"
    assert body["status"] == 408
    assert len([m for m in sent if m["type"] == "http.response.start"]) == 1


async def test_an_announced_body_over_the_cap_is_refused_unread() -> None:
    status, _, _ = status_and_body(await run(scope_for(length=17 * 1024), []))
    assert status == 413


async def test_a_streamed_body_over_the_cap_is_cut_off() -> None:
    status, body, _ = status_and_body(await run(scope_for(), [b"x" * 8192] * 3))
    assert status == 413
    assert "16 KB" in str(body["detail"])


async def test_uploads_have_their_own_cap() -> None:
    ok = await run(scope_for("/_upload"), [b"x" * 65536] * 8)
    assert status_and_body(ok)[:2] == (200, {"length": 8 * 65536})
    too_much = await run(scope_for("/_upload", length=2 * 1024 * 1024), [])
    assert status_and_body(too_much)[0] == 413


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/admin/product-imports/previews",
        "/api/v1/admin/products/6f1c2a4e-0000-4000-8000-000000000001/images",
    ],
)
async def test_the_apis_file_uploads_take_the_upload_cap(path: str) -> None:
    ok = await run(scope_for(path), [b"x" * 65536] * 8)
    assert status_and_body(ok)[:2] == (200, {"length": 8 * 65536})
    too_much = await run(scope_for(path, length=2 * 1024 * 1024), [])
    assert status_and_body(too_much)[0] == 413
    # Other API writes keep the small cap, however their path is spelt.
    for other in ("/api/v1/admin/product-imports", "/api/v1/admin/products/x/images/y"):
        refused = await run(scope_for(other), [b"x" * 65536] * 8)
        assert status_and_body(refused)[0] == 413


async def test_a_body_within_the_limits_reaches_the_app_whole() -> None:
    status, body, _ = status_and_body(await run(scope_for(length=6), [b"ab", b"cd", b"ef"]))
    assert (status, body) == (200, {"length": 6})
