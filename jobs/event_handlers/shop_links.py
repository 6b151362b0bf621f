"""Links to the shop's own pages, as they go into messages."""

from __future__ import annotations

from backend.notifications.schemas import OneTimeLink
from backend.settings import get_settings


def shop_url(path: str) -> str:
    return get_settings().public_base_url + path


def one_time_link(path: str, token: str) -> OneTimeLink:
    """A link whose token is a credential: sent to the recipient, never kept readable."""
    return OneTimeLink(shop_url(f"{path}?token={token}"), token)
