"""Category and search result pages: a grid of products with a pager."""

from __future__ import annotations

from urllib.parse import urlencode

import reflex as rx

from backend.catalog import queries as catalog
from storefront.access import PublicState
from storefront.components.layout import shop_page
from storefront.components.product_card import product_grid
from storefront.state import MAX_QUERY_LENGTH
from storefront.viewmodels import ProductCard, product_card

PAGE_SIZE = 24


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or "1"))
    except ValueError:
        return 1


class ListingState(PublicState):
    title: str = ""
    summary: str = ""
    products: list[ProductCard] = []
    page: int = 1
    page_count: int = 1
    previous_url: str = ""
    next_url: str = ""
    not_found: bool = False
    empty_message: str = ""

    def _show(
        self,
        items: list[ProductCard],
        *,
        total: int,
        page: int,
        page_count: int,
        base: str,
        params: dict[str, str],
    ) -> None:
        self.products = items
        self.page, self.page_count = page, page_count
        self.previous_url = base + "?" + urlencode({**params, "page": page - 1}) if page > 1 else ""
        self.next_url = (
            base + "?" + urlencode({**params, "page": page + 1}) if page < page_count else ""
        )
        self.summary = f"{total} product" + ("" if total == 1 else "s")
        self.empty_message = ""

    @rx.event
    async def load_search(self) -> None:
        query = (self.router.url.query_parameters.get("q") or "").strip()[:MAX_QUERY_LENGTH]
        page = _page_number(self.router.url.query_parameters.get("page"))
        self.not_found = False
        if not query:
            self.title, self.summary, self.products = (
                "Search",
                "Type what you are looking for in the search box.",
                [],
            )
            self.previous_url = self.next_url = self.empty_message = ""
            self.page = self.page_count = 1
            return
        result = await catalog.find_active_products(text=query, page=page, limit=PAGE_SIZE)
        self.title = f"Results for “{query}”"
        self._show(
            [product_card(p) for p in result.items],
            total=result.total,
            page=result.page,
            page_count=result.page_count,
            base="/search",
            params={"q": query},
        )
        if result.total == 0:
            self.empty_message = (
                f"No products match “{query}”. Check the spelling or try a more general word."
            )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.cond(
            ListingState.previous_url != "", rx.link("← Previous", href=ListingState.previous_url)
        ),
        rx.text(
            "Page ",
            ListingState.page,
            " of ",
            ListingState.page_count,
            size="2",
            color_scheme="gray",
        ),
        rx.cond(ListingState.next_url != "", rx.link("Next →", href=ListingState.next_url)),
        spacing="4",
        justify="center",
        width="100%",
        padding_top="16px",
    )


def listing_page() -> rx.Component:
    return shop_page(
        rx.vstack(
            rx.heading(ListingState.title, size="7", as_="h1"),
            rx.text(ListingState.summary, color_scheme="gray"),
            rx.cond(
                ListingState.not_found,
                rx.vstack(
                    rx.text("We could not find that category. It may have been renamed."),
                    rx.link("Back to the home page", href="/"),
                ),
                rx.fragment(
                    rx.cond(ListingState.empty_message != "", rx.text(ListingState.empty_message)),
                    product_grid(ListingState.products),
                    rx.cond(ListingState.page_count > 1, _pager()),
                ),
            ),
            spacing="4",
            width="100%",
        )
    )
