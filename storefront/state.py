"""State shared by every storefront page: the header's search box (with suggestions as
you type) and the cart badge."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

import reflex as rx
from redis.exceptions import RedisError

from backend.cart import services as carts
from backend.search import queries as search
from storefront.access import PublicState
from storefront.viewmodels import product_url

MAX_QUERY_LENGTH = 200
MIN_SUGGEST_LENGTH = 2


@dataclasses.dataclass(frozen=True)
class SuggestionLink:
    name: str
    url: str


class HeaderState(PublicState):
    cart_item_count: int = 0
    suggestions: list[SuggestionLink] = []

    @rx.event
    async def load_cart_count(self) -> None:
        """Every page load: the badge counts this viewer's cart (Redis only, no SQL)."""
        try:
            self.cart_item_count = await carts.item_count(self._cart_owner())
        except RedisError:
            self.cart_item_count = 0  # the badge is not worth an error page

    @rx.event
    async def suggest(self, text: str) -> None:
        prefix = str(text or "").strip()[:MAX_QUERY_LENGTH]
        if len(prefix) < MIN_SUGGEST_LENGTH:
            self.suggestions = []
            return
        found = await search.suggest(prefix, limit=8)
        self.suggestions = [SuggestionLink(s.name, product_url(s.slug)) for s in found]

    @rx.event
    def close_suggestions(self) -> None:
        self.suggestions = []

    @rx.event
    def submit_search(self, form_data: dict[str, object]) -> rx.event.EventSpec:
        self.suggestions = []
        query = str(form_data.get("q") or "").strip()[:MAX_QUERY_LENGTH]
        if not query:
            return rx.redirect("/search")
        return rx.redirect("/search?" + urlencode({"q": query}))
