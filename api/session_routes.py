"""Browser sign-in and sign-out: plain HTTP form posts that set or clear the HttpOnly cookie.

They are HTTP routes, not Reflex event handlers, because only an HTTP response can set an
HttpOnly cookie. After either, the browser follows a redirect with a full page load, so the
new websocket carries the new cookie.
"""

from __future__ import annotations

import contextlib
from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from redis.exceptions import RedisError

from backend.accounts import authentication, browser_sessions
from backend.cart import merge as cart_merge
from backend.cart import owners as cart_owners
from backend.core.client_address import address_of_scope
from backend.core.errors import DomainError
from backend.settings import get_settings

router = APIRouter(prefix="/auth", tags=["browser session"])

SIGN_IN_PAGES = ("/sign-in", "/admin")


def _safe_next(next_path: str | None, default: str = "/") -> str:
    """Only same-site paths: an open redirect would let a link send people anywhere."""
    if not next_path:
        return default
    parts = urlsplit(next_path)
    if parts.scheme or parts.netloc or not next_path.startswith("/") or next_path.startswith("//"):
        return default
    return next_path


def _same_origin(request: Request) -> bool:
    """Form posts must come from the shop's own pages (a cross-site form cannot sign you in/out)."""
    origin = request.headers.get("origin")
    if origin is None:
        referer = request.headers.get("referer")
        if referer is None:
            return False
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    return origin.rstrip("/") in get_settings().allowed_origins


def _back_to_form(form_page: str, next_path: str, error: str) -> RedirectResponse:
    page = form_page if form_page in SIGN_IN_PAGES else "/sign-in"
    query = urlencode({"error": error, "next": next_path})
    return RedirectResponse(f"{page}?{query}", status_code=303)


@router.post("/sign-in")
async def sign_in(
    request: Request,
    email: Annotated[str, Form(max_length=255)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
    form_page: Annotated[str, Form(max_length=50)] = "/sign-in",
) -> Response:
    next_path = _safe_next(next)
    if not _same_origin(request):
        return _back_to_form(form_page, next_path, "origin")
    if not email.strip() or not password:
        return _back_to_form(form_page, next_path, "missing")
    try:
        signed_in = await authentication.sign_in(
            email=email,
            password=password,
            user_agent=request.headers.get("user-agent"),
            ip=address_of_scope(request.scope),
        )
    except DomainError as error:
        return _back_to_form(form_page, next_path, error.code)
    settings = get_settings()
    guest_cart = cart_owners.guest_owner(request.cookies.get(settings.cart_cookie_name))
    if guest_cart is not None:
        # What the shopper put in the cart before signing in joins their own cart.
        with contextlib.suppress(RedisError):
            await cart_merge.merge_guest_cart(
                guest_cart, cart_owners.user_owner(signed_in.viewer.user_id)
            )
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        settings.session_cookie_name,
        signed_in.session_token,
        max_age=settings.session_max_age_seconds,
        httponly=True,
        secure=settings.uses_https,
        samesite="lax",
        path="/",
    )
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    cookie_name = get_settings().session_cookie_name
    if _same_origin(request):
        await browser_sessions.sign_out(request.cookies.get(cookie_name))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(cookie_name, path="/", secure=get_settings().uses_https, httponly=True)
    return response
