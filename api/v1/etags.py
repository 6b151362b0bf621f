"""ETags on every successful JSON read of /api/v1.

A GET (or HEAD) answered 200 with a JSON body gets a strong `ETag` (a digest of the body)
unless the route set one itself (the product reads do, from their cached bytes). A client
that sends it back as `If-None-Match` gets an empty 304 when the body would be the same:
the route still runs (the answer depends on the caller and on data that changes), but
nothing is sent again. `Cache-Control: no-cache` asks caches to revalidate each time;
answers to a signed-in caller are `private` as well, so no shared cache keeps them.
Answers marked `no-store` (tokens, codes) get no ETag.

ASGI middleware, so a new route is covered without anyone remembering it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_READS = frozenset({"GET", "HEAD"})


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/ is ignored."""
    if not if_none_match:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag.removeprefix("W/") in candidates


def _is_json(content_type: str | None) -> bool:
    media_type = (content_type or "").partition(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


class ETagMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _READS:
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffered(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await _answer(start, b"".join(chunks), request_headers, send)
            else:
                await send(message)

        await self.app(scope, receive, buffered)


async def _answer(start: Message, body: bytes, request_headers: Headers, send: Send) -> None:
    headers = MutableHeaders(raw=list(start["headers"]))
    cache_control = headers.get("cache-control", "")
    if start["status"] != 200 or not _is_json(headers.get("content-type")):
        await _send(start, body, send)
        return
    if "no-store" in cache_control:
        await _send(start, body, send)
        return
    etag = headers.get("etag")
    if etag is None:
        etag = etag_of(body)
        headers["ETag"] = etag
        if not cache_control:
            private = "authorization" in request_headers
            headers["Cache-Control"] = "private, no-cache" if private else "no-cache"
    if matches(request_headers.get("if-none-match"), etag):
        for name in ("content-length", "content-type"):
            if name in headers:
                del headers[name]
        await send({"type": "http.response.start", "status": 304, "headers": headers.raw})
        await send({"type": "http.response.body", "body": b""})
        return
    await _send({**start, "headers": headers.raw}, body, send)


async def _send(start: Message, body: bytes, send: Send) -> None:
    await send(start)
    await send({"type": "http.response.body", "body": body})


def document_not_modified(app: FastAPI) -> None:
    """Every read documents the `If-None-Match` header and its empty 304 answer."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for operations in schema.get("paths", {}).values():
                if "get" in operations:
                    _document_read(operations["get"])
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way


def _document_read(read: dict[str, Any]) -> None:
    parameters = read.setdefault("parameters", [])
    if not any(parameter.get("name", "").lower() == "if-none-match" for parameter in parameters):
        parameters.append(_IF_NONE_MATCH)
    read.setdefault("responses", {}).setdefault("304", _NOT_MODIFIED)


_IF_NONE_MATCH: dict[str, Any] = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "The `ETag` of the answer you hold: an empty 304 if it is still current.",
    "schema": {"type": "string", "maxLength": 1000},
}
_NOT_MODIFIED: dict[str, Any] = {
    "description": "Not modified: the answer you hold (If-None-Match) is still current.",
    "headers": {"ETag": {"schema": {"type": "string"}}},
}
