"""Whose cart: a signed-in shopper's (`user:<uuid>`) or a guest cookie's (`guest:<token>`)."""

from __future__ import annotations

import re
import secrets
import uuid

from backend.cart.schemas import CartOwner

_GUEST_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
_USER_KEY = re.compile(r"^user:[0-9a-f-]{36}$")


def new_guest_token() -> str:
    return secrets.token_urlsafe(32)


def guest_owner(token: str | None) -> CartOwner | None:
    """The cart of a guest cookie token; None for a missing or malformed token."""
    if not token or not _GUEST_TOKEN.match(token):
        return None
    return CartOwner(f"guest:{token}")


def user_owner(user_id: uuid.UUID) -> CartOwner:
    return CartOwner(f"user:{user_id}")


def owner_from_key(key: str) -> CartOwner | None:
    """The owner behind a stored key (`user:<uuid>` or `guest:<token>`), if well formed."""
    if key.startswith("guest:"):
        return guest_owner(key.removeprefix("guest:"))
    return CartOwner(key) if _USER_KEY.match(key) else None
