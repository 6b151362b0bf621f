"""State shared by every storefront page: the header's search box (with suggestions as
you type), the cart badge, and which products the signed-in viewer saved (the hearts)."""

from __future__ import annotations

import dataclasses
import uuid
from urllib.parse import urlencode

import reflex as rx
from redis.exceptions import RedisError

from backend.cart import queries as cart_queries
from backend.core.errors import DomainError
from backend.search import queries as search
from backend.wishlists import queries as wishlist_queries
from backend.wishlists import services as wishlists
from ui.access import PublicState, SignedInState
from ui.viewmodels import product_url

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
            self.cart_item_count = await cart_queries.item_count(self._cart_owner())
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


class SavedProductsState(SignedInState):
    """The viewer's saved product ids, loaded once per page with product cards (one query,
    never one per card); every heart on the page reads this list. Signed-in only, so the
    access guard resets it when the viewer signs out."""

    saved_ids: list[str] = []

    @rx.event
    async def load(self) -> None:
        viewer = self.viewer
        if viewer is not None:
            self.saved_ids = sorted(
                str(found) for found in await wishlist_queries.saved_product_ids(viewer)
            )

    @rx.event
    async def toggle(self, product_id: str) -> rx.event.EventSpec | None:
        viewer = self.viewer
        try:
            found = uuid.UUID(str(product_id))
        except ValueError:
            return None
        if viewer is None:
            return None
        try:
            if str(found) in self.saved_ids:
                await wishlists.remove_product(viewer, found)
                message = "Removed from your wishlist."
            else:
                await wishlists.save_product(viewer, found)
                message = "Saved to your wishlist."
        except DomainError as error:
            return rx.toast.error(error.message)
        self.saved_ids = sorted(
            str(saved) for saved in await wishlist_queries.saved_product_ids(viewer)
        )
        return rx.toast(message, duration=2000)
