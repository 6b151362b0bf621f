"""State shared by every storefront page: the header's search box and cart badge."""

from __future__ import annotations

from urllib.parse import urlencode

import reflex as rx

from storefront.access import PublicState

MAX_QUERY_LENGTH = 200


class HeaderState(PublicState):
    # The cart arrives with the cart/checkout work; until then nothing can be added, so the
    # badge truthfully shows an empty cart.
    cart_item_count: int = 0

    @rx.event
    def submit_search(self, form_data: dict[str, object]) -> rx.event.EventSpec:
        query = str(form_data.get("q") or "").strip()[:MAX_QUERY_LENGTH]
        if not query:
            return rx.redirect("/search")
        return rx.redirect("/search?" + urlencode({"q": query}))
