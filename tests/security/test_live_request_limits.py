"""Attacks on the HTTP edge of the running shop (`live_shop`: Granian, as `./shop run`
serves it), replayed over raw sockets where timing or a half-sent body is the attack.

- Reflex's `/_upload` stores the whole multipart body before its access guard runs: an
  anonymous client could fill the disk. Uploads are refused before the body is read
  unless the session may run the upload's handler, and bodies are capped (Content-Length
  at once, a streamed body when it passes the cap).
- A client that announces a body and then goes silent held the connection for minutes:
  bodies must keep arriving (408 otherwise), and one over the size cap is refused at once.
- Errors of the API keep their shape whatever the path holds (an encoded line break), and
  the `Vary` header names Origin once.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from admin.pages.product_editor import ProductEditorState
from backend.settings import get_settings
from tests.fixtures.accounts import Credentials
from tests.fixtures.hostile_client import event_name

UPLOAD_HANDLER = event_name(ProductEditorState, "upload_images")
BOUNDARY = "kestrelboundary"


@dataclass(frozen=True)
class Answer:
    status: int
    head: str
    body: bytes
    seconds: float

    def header(self, name: str) -> str | None:
        for line in self.head.split("\r\n")[1:]:
            key, _, value = line.partition(":")
            if key.strip().lower() == name:
                return value.strip()
        return None


async def _read_answer(reader: asyncio.StreamReader, started: float) -> Answer:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    status = int(head.split(" ", 2)[1])
    body = b""
    length = next(
        (
            int(line.split(":", 1)[1])
            for line in head.split("\r\n")
            if line.lower().startswith("content-length:")
        ),
        None,
    )
    with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
        body = await (reader.readexactly(length) if length is not None else reader.read(65536))
    return Answer(status, head, body, time.monotonic() - started)


@contextlib.asynccontextmanager
async def raw_connection() -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", get_settings().port)
    try:
        yield reader, writer
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()


def request_head(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: localhost:{get_settings().port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def upload_headers(cookie: str | None, **extra: str) -> dict[str, str]:
    headers = {
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "Reflex-Client-Token": str(uuid.uuid4()),
        "Reflex-Event-Handler": UPLOAD_HANDLER,
        **extra,
    }
    if cookie:
        headers["Cookie"] = cookie
    return headers


async def answer_without_body(headers: dict[str, str], *, wait: float = 10) -> Answer:
    """Send only the request head of an upload; the answer must come before any body."""
    async with raw_connection() as (reader, writer):
        started = time.monotonic()
        writer.write(request_head("POST", "/_upload", headers))
        await writer.drain()
        try:
            return await asyncio.wait_for(_read_answer(reader, started), wait)
        except TimeoutError:
            pytest.fail(f"no answer within {wait} s: the server is waiting to store the body")


async def session_cookie(credentials: Credentials) -> str:
    settings = get_settings()
    async with httpx.AsyncClient(base_url=settings.public_base_url) as client:
        response = await client.post(
            "/auth/sign-in",
            data={"email": credentials.email, "password": credentials.password},
            headers={"origin": settings.public_origin},
        )
    assert response.status_code == 303, response.text
    value = response.cookies[settings.session_cookie_name]
    return f"{settings.session_cookie_name}={value}"


# --- uploads ---------------------------------------------------------------------------


async def test_an_anonymous_upload_is_refused_before_its_body_is_read(live_shop: str) -> None:
    announced = str(20 * 1024 * 1024)
    answer = await answer_without_body(upload_headers(None, **{"Content-Length": announced}))
    assert answer.status == 403, answer.head
    assert answer.header("content-type") == "application/problem+json"


async def test_a_shopper_may_not_upload_either(live_shop: str, shopper: Credentials) -> None:
    cookie = await session_cookie(shopper)
    answer = await answer_without_body(upload_headers(cookie, **{"Content-Length": "4096"}))
    assert answer.status == 403, answer.head


async def test_an_admin_upload_announcing_too_much_is_refused_at_once(
    live_shop: str, staff_admin: Credentials
) -> None:
    cookie = await session_cookie(staff_admin)
    too_much = get_settings().upload_max_bytes + 1
    answer = await answer_without_body(upload_headers(cookie, **{"Content-Length": str(too_much)}))
    assert answer.status == 413, answer.head
    assert answer.header("content-type") == "application/problem+json"


async def test_an_admin_upload_streaming_past_the_cap_is_cut_off(
    live_shop: str, staff_admin: Credentials
) -> None:
    """No Content-Length (chunked): the cap applies to what arrives."""
    cookie = await session_cookie(staff_admin)
    cap = get_settings().upload_max_bytes
    chunk = 1024 * 1024
    part_head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; '
        'filename="big.png"\r\nContent-Type: image/png\r\n\r\n'
    ).encode()
    headers = upload_headers(cookie, **{"Transfer-Encoding": "chunked"})
    async with raw_connection() as (reader, writer):
        started = time.monotonic()
        writer.write(request_head("POST", "/_upload", headers))
        answer_task = asyncio.ensure_future(_read_answer(reader, started))
        sent = 0
        pieces = [part_head] + [b"\x89" * chunk] * (cap // chunk + 8)
        for piece in pieces:
            if answer_task.done():
                break
            try:
                writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                await writer.drain()
            except ConnectionError:
                break
            sent += len(piece)
            await asyncio.sleep(0.01)  # lets the answer, if any, be read before going on
        else:
            with contextlib.suppress(ConnectionError):
                writer.write(f"--{BOUNDARY}--\r\n".encode())
                writer.write(b"0\r\n\r\n")
                await writer.drain()
        answer = await asyncio.wait_for(answer_task, 60)
    assert answer.status == 413, (answer.head, sent)
    assert sent < cap + 8 * chunk  # it was refused while the body was still coming


async def test_an_admin_upload_within_the_limits_still_reaches_reflex(
    live_shop: str, staff_admin: Credentials
) -> None:
    cookie = await session_cookie(staff_admin)
    body = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; '
        'filename="tiny.txt"\r\nContent-Type: text/plain\r\n\r\nnot an image\r\n'
        f"--{BOUNDARY}--\r\n"
    ).encode()
    headers = upload_headers(cookie, **{"Content-Length": str(len(body))})
    async with raw_connection() as (reader, writer):
        writer.write(request_head("POST", "/_upload", headers) + body)
        await writer.drain()
        answer = await asyncio.wait_for(_read_answer(reader, time.monotonic()), 30)
    assert answer.status == 200, answer.head  # Reflex's streamed answer of the handler


# --- slow and oversized bodies ------------------------------------------------------------


async def test_a_body_that_stops_arriving_is_answered_408(live_shop: str) -> None:
    timeout = get_settings().request_body_timeout_seconds
    headers = {"Content-Type": "application/json", "Content-Length": "1000"}
    async with raw_connection() as (reader, writer):
        started = time.monotonic()
        writer.write(request_head("POST", "/api/v1/users", headers) + b'{"')
        await writer.drain()
        try:
            answer = await asyncio.wait_for(_read_answer(reader, started), timeout + 15)
        except TimeoutError:
            pytest.fail(f"the connection was still held after {timeout + 15:.0f} s")
        assert answer.status == 408, answer.head
        assert answer.header("content-type") == "application/problem+json"
        assert timeout - 1 <= answer.seconds <= timeout + 10
        assert answer.header("connection") == "close"
        assert await asyncio.wait_for(reader.read(), 10) == b""  # and the server hung up


async def test_a_body_announced_larger_than_any_request_may_be_is_refused_at_once(
    live_shop: str,
) -> None:
    """The reported attack: Content-Length 5 MiB, 2 bytes, silence."""
    headers = {"Content-Type": "application/json", "Content-Length": "5242880"}
    async with raw_connection() as (reader, writer):
        started = time.monotonic()
        writer.write(request_head("POST", "/api/v1/users", headers) + b'{"')
        await writer.drain()
        try:
            answer = await asyncio.wait_for(_read_answer(reader, started), 5)
        except TimeoutError:
            pytest.fail("a 5 MiB body was awaited")
    assert answer.status == 413, answer.head


# --- the API's answers through the whole stack --------------------------------------------


async def test_an_encoded_line_break_in_an_api_path_still_gets_a_problem(
    live_shop: str,
) -> None:
    async with httpx.AsyncClient(base_url=live_shop) as client:
        for path in ("/api/v1/users/abc%0Adef", "/api/v1/products/a%0Db", "/api/v1/x%0A"):
            response = await client.get(path)
            assert response.headers["content-type"].startswith("application/problem+json"), (
                path,
                response.status_code,
                response.text,
            )


async def test_vary_names_origin_once(live_shop: str) -> None:
    origin = get_settings().public_origin
    async with httpx.AsyncClient(base_url=live_shop) as client:
        for path in ("/api/v1/products?limit=1", "/api/v1/nothing-here", "/ping"):
            response = await client.get(path, headers={"origin": origin})
            names = [
                token.strip().lower()
                for value in response.headers.get_list("vary")
                for token in value.split(",")
            ]
            assert names.count("origin") == 1, (path, response.headers.get_list("vary"))
