"""Rate limits for every /api/v1 request, in Redis, per caller and route group.

ASGI middleware rather than a per-route dependency, so a route nobody remembered to
limit is limited anyway. The caller is the account of a valid Bearer access token (its
signature and expiry checked here; an unverified token's claims are never a key), else
the visitor's address (`backend.core.client_address`: X-Forwarded-For only from
`TRUSTED_PROXIES`). Each request costs one entry in a moving window (the `limits`
library, through `backend.core.rate_limits`); every response carries the IETF
`RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` headers, and a refused
one is a 429 problem with `Retry-After`.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from functools import lru_cache

from redis.exceptions import RedisError
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.v1.problems import problem_response
from backend.accounts import tokens
from backend.accounts.errors import InvalidTokenError
from backend.core import rate_limits
from backend.core.client_address import address_of_scope
from backend.core.rate_limits import RateLimit
from backend.settings import get_settings

logger = logging.getLogger(__name__)

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Public look-ups answered by a secret pair (a guest order's number and e-mail address):
# what guessing them costs is the strict limit of sign-ins, per address.
GUESSABLE_POSTS = frozenset({"/orders/lookup"})
_CALLER_STATE_KEY = "api_caller"


@dataclass(frozen=True)
class Caller:
    """Who is calling, as far as limits and idempotency keys are concerned."""

    address: str
    user_id: str | None  # the subject of a verified access token

    @property
    def key(self) -> str:
        return f"user:{self.user_id}" if self.user_id else f"ip:{self.address}"


def route_path(scope: Scope) -> str:
    """The path inside the API app ("/products/1"), without the mount's "/api/v1"."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root) :] or "/"
    return path


def route_group(method: str, path: str) -> str:
    """Which limit a request counts against. Every request falls in one group."""
    if method == "POST" and (path.startswith("/auth/") or path in GUESSABLE_POSTS):
        return "auth"  # password and refresh grants, e-mailed links: strict, per address
    return "read" if method in READ_METHODS else "write"


def _limit_for(group: str) -> RateLimit:
    settings = get_settings()
    rules = {
        "read": settings.api_rate_limit_read,
        "write": settings.api_rate_limit_write,
        "auth": settings.api_rate_limit_auth,
    }
    return _rate_limit(f"api-{group}", rules[group])


@lru_cache(maxsize=16)
def _rate_limit(name: str, rule: str) -> RateLimit:
    # One object per rule, so its parsed form is kept. Checked on every request: counted
    # approximately (a constant cost in Redis), except guessable look-ups and sign-ins.
    return RateLimit(name, rule, approximate=name != "api-auth")


def _verified_subject(scope: Scope) -> str | None:
    authorization = Headers(scope=scope).get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    try:
        return str(tokens.verify_access_token(token.strip()).user_id)
    except InvalidTokenError:
        return None  # a bad token counts against its address (the route answers 401)


def caller_of(scope: Scope) -> Caller:
    """The caller of this request, worked out once and kept in the request state."""
    state = scope.setdefault("state", {})
    caller = state.get(_CALLER_STATE_KEY)
    if not isinstance(caller, Caller):
        caller = Caller(address=address_of_scope(scope), user_id=_verified_subject(scope))
        state[_CALLER_STATE_KEY] = caller
    return caller


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }


async def check(group: str, caller: Caller) -> Verdict:
    """Count one request of `caller` in `group` (a refused one is not counted)."""
    limit = _limit_for(group)
    key = caller.address if group == "auth" else caller.key
    # Counted, and how many are left and when one more is allowed again, in one call.
    allowed, stats = await rate_limits.hit_reporting(limit, key)
    return Verdict(
        allowed=allowed,
        limit=limit.item.amount,
        remaining=max(0, stats.remaining),
        reset_seconds=max(1, math.ceil(stats.reset_time - time.time())),
    )


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        group = route_group(scope["method"], route_path(scope))
        try:
            verdict = await check(group, caller_of(scope))
        except (RedisError, OSError) as error:
            # Fail open: without Redis nobody can be counted, and refusing every request
            # would turn a Redis outage into an API outage. The sign-in lockouts still hold.
            logger.warning("API rate limits skipped, Redis unavailable: %s", error)
            await self.app(scope, receive, send)
            return

        if not verdict.allowed:
            response = problem_response(
                429,
                f"Too many requests; try again in {verdict.reset_seconds} seconds.",
                code="rate_limited",
                headers={**verdict.headers(), "Retry-After": str(verdict.reset_seconds)},
            )
            await response(scope, receive, send)
            return

        extra = [
            (name.lower().encode(), value.encode()) for name, value in verdict.headers().items()
        ]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
