"""`Idempotency-Key` on every state-changing /api/v1 request (POST, PUT, PATCH, DELETE).

When a client sends the header, the first response (status, headers, body) is kept in
Redis for 24 hours under (caller, guest credentials, method, path, key), with a SHA-256
fingerprint of the request (query string and body):

- a retry with the same key and request gets that response again, marked
  `Idempotent-Replayed: true`, and nothing runs twice;
- the same key with a different request is a 422 problem;
- a retry while the first is still running waits up to 2 s for its response, then is a
  409 problem with `Retry-After: 1` (the first holds an in-flight lock, SET NX with a
  TTL, so a crashed process frees it);
- only 2xx and 4xx other than 429 are kept: after a 5xx or a 429 the client may retry.

Without the header a request runs as usual. ASGI middleware, so a new route is covered
without anyone remembering it; it buffers the request body (JSON APIs: at most 1 MB).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import time
import uuid
from typing import Any

from fastapi.responses import JSONResponse
from redis.exceptions import RedisError
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.v1.guests import guest_credentials_fingerprint
from api.v1.problems import problem_response
from api.v1.rate_limiting import caller_of
from backend.core.redis import get_redis

logger = logging.getLogger(__name__)

HEADER = "idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"
STATE_CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_KEY_LENGTH = 255
MAX_BODY_BYTES = 1024 * 1024  # requests with a key are buffered; JSON bodies are small
MAX_STORED_RESPONSE_BYTES = 1024 * 1024
RESPONSE_TTL_SECONDS = 24 * 3600
# Longer than any request should take: a crashed process blocks its key this long at most.
IN_FLIGHT_TTL_SECONDS = 60
# How long a duplicate waits for the first request's response before a 409.
IN_FLIGHT_WAIT_SECONDS = 2.0
IN_FLIGHT_POLL_SECONDS = 0.05
KEY_PREFIX = "api-idempotency:"

# Headers that belong to one delivery of a response, not to the response itself.
_NOT_REPLAYED = frozenset(
    {
        b"content-length",
        b"date",
        b"server",
        b"set-cookie",
        b"x-request-id",
        b"ratelimit-limit",
        b"ratelimit-remaining",
        b"ratelimit-reset",
        b"connection",
        b"transfer-encoding",
    }
)

# Replace (or, with an empty replacement, delete) the record only while it is still this
# request's lock: after a lock expired, another request's record stays untouched.
_FINISH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
    return 0
end
if ARGV[2] == '' then
    redis.call('DEL', KEYS[1])
else
    redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
end
return 1
"""


class _BodyTooLargeError(Exception):
    pass


def valid_key(key: str) -> bool:
    """1 to 255 printable ASCII characters (space to tilde)."""
    return 1 <= len(key) <= MAX_KEY_LENGTH and all(" " <= char <= "~" for char in key)


def _storable(status: int) -> bool:
    return 200 <= status < 300 or (400 <= status < 500 and status != 429)


def _redis_key(scope: Scope, key: str) -> str:
    # A guest is the network address and the guest credentials sent (api.v1.guests), so
    # two guests behind one address never get each other's replies.
    caller = caller_of(scope).key
    identity = "\n".join(
        (caller, guest_credentials_fingerprint(scope), scope["method"], scope["path"], key)
    )
    return KEY_PREFIX + hashlib.sha256(identity.encode()).hexdigest()


def _fingerprint(scope: Scope, body: bytes) -> str:
    digest = hashlib.sha256(scope.get("query_string", b""))
    digest.update(b"\n")
    digest.update(body)
    return digest.hexdigest()


async def _read_body(scope: Scope, receive: Receive) -> bytes:
    declared = Headers(scope=scope).get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _BodyTooLargeError
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away; the app will see the disconnect too
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _BodyTooLargeError
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying_receive(body: bytes, receive: Receive) -> Receive:
    """The buffered body once, then whatever the client sends (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _replay(record: dict[str, Any]) -> ASGIApp:
    """The stored response, as it was, marked as a replay."""
    body = base64.b64decode(record["body"])
    headers = [
        (name.encode("latin-1"), value.encode("latin-1")) for name, value in record["headers"]
    ]
    headers.append((REPLAYED_HEADER.lower().encode(), b"true"))
    headers.append((b"content-length", str(len(body)).encode()))

    async def replay(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": record["status"], "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return replay


def _in_flight() -> JSONResponse:
    return problem_response(
        409,
        "A request with this Idempotency-Key is still being processed; retry in a second.",
        code="idempotency_key_in_flight",
        headers={"Retry-After": "1"},
    )


def _answer_to_retry(record: dict[str, Any], fingerprint: str) -> ASGIApp:
    if record["fingerprint"] != fingerprint:
        return problem_response(
            422,
            "This Idempotency-Key was used with a different request.",
            code="idempotency_key_reused",
        )
    if record["state"] == "in_flight":
        return _in_flight()
    return _replay(record)


async def _claim(record_key: str, fingerprint: str, lock: str) -> ASGIApp | None:
    """None when this request holds the key now; else what to answer instead of running it.

    A duplicate of a request still running waits a moment for its response (a double
    click then gets the same answer twice) before being told to retry.
    """
    redis = get_redis()
    deadline = time.monotonic() + IN_FLIGHT_WAIT_SECONDS
    while True:
        if await redis.set(record_key, lock, nx=True, ex=IN_FLIGHT_TTL_SECONDS):
            return None
        stored = await redis.get(record_key)
        if stored is not None:
            record = json.loads(stored)
            if record["fingerprint"] != fingerprint or record["state"] != "in_flight":
                return _answer_to_retry(record, fingerprint)
        # else: the lock was released between SET NX and GET (a 5xx); try to take it.
        if time.monotonic() >= deadline:
            return _in_flight()
        await asyncio.sleep(IN_FLIGHT_POLL_SECONDS)


async def _finish(record_key: str, lock: str, record: dict[str, Any] | None) -> None:
    """Replace the lock with the record to replay, or release it (record None)."""
    try:
        finish = get_redis().register_script(_FINISH)  # EVALSHA, loading it when missing
        replacement = "" if record is None else json.dumps(record)
        await finish(keys=[record_key], args=[lock, replacement, RESPONSE_TTL_SECONDS])
    except RedisError as error:
        # The response is on its way already; the lock's TTL frees the key later.
        logger.warning("Idempotency-Key record not written, Redis unavailable: %s", error)


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in STATE_CHANGING_METHODS:
            await self.app(scope, receive, send)
            return
        raw_key = dict(scope.get("headers") or []).get(HEADER.encode())
        if raw_key is None:
            await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1")
        if not valid_key(key):
            response = problem_response(
                400,
                "An Idempotency-Key is 1 to 255 printable ASCII characters.",
                code="invalid_idempotency_key",
                errors={"Idempotency-Key": "Use 1 to 255 printable ASCII characters."},
            )
            await response(scope, receive, send)
            return
        try:
            body = await _read_body(scope, receive)
        except _BodyTooLargeError:
            response = problem_response(
                413,
                f"A request with an Idempotency-Key may carry at most {MAX_BODY_BYTES} bytes.",
                code="content-too-large",
            )
            await response(scope, receive, send)
            return

        record_key = _redis_key(scope, key)
        fingerprint = _fingerprint(scope, body)
        lock = json.dumps(
            {"state": "in_flight", "fingerprint": fingerprint, "id": uuid.uuid4().hex}
        )
        try:
            answer = await _claim(record_key, fingerprint, lock)
        except RedisError as error:
            # Unlike rate limits this cannot fail open: running the request without its
            # record could do twice what the client meant to do once. 503: retry later.
            logger.warning("Idempotency-Key refused, Redis unavailable: %s", error)
            answer = problem_response(
                503,
                "Requests with an Idempotency-Key cannot be processed now; retry soon.",
                code="idempotency-unavailable",
                headers={"Retry-After": "5"},
            )
        if answer is not None:
            await answer(scope, receive, send)
            return
        await self._run_and_keep(
            scope,
            receive,
            send,
            body=body,
            record_key=record_key,
            lock=lock,
            fingerprint=fingerprint,
        )

    async def _run_and_keep(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        body: bytes,
        record_key: str,
        lock: str,
        fingerprint: str,
    ) -> None:
        status = 0
        headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []
        size = 0

        async def capture(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
                headers.extend(
                    (name.decode("latin-1"), value.decode("latin-1"))
                    for name, value in message.get("headers", [])
                    if name.lower() not in _NOT_REPLAYED
                )
            elif message["type"] == "http.response.body":
                chunk = message.get("body", b"")
                size += len(chunk)
                if size <= MAX_STORED_RESPONSE_BYTES:
                    chunks.append(chunk)
            await send(message)

        try:
            await self.app(scope, _replaying_receive(body, receive), capture)
        except BaseException:
            await _finish(record_key, lock, None)  # nothing to replay: the client may retry
            raise
        if not _storable(status):
            await _finish(record_key, lock, None)
            return
        if size > MAX_STORED_RESPONSE_BYTES:
            logger.warning(
                "response to %s too large to keep for its Idempotency-Key", scope["path"]
            )
            await _finish(record_key, lock, None)
            return
        record = {
            "state": "done",
            "fingerprint": fingerprint,
            "status": status,
            "headers": headers,
            "body": base64.b64encode(b"".join(chunks)).decode("ascii"),
        }
        await _finish(record_key, lock, record)
