"""Collection page: a collection's products (hand-picked in the merchant's order, or
matched by its rules), with a category page's filters, sorting and pages."""

from __future__ import annotations

import reflex as rx

from backend.core.errors import NotFoundError
from backend.merchandising import storefront_catalog
from storefront.components.breadcrumb import breadcrumb
from storefront.components.layout import shop_page
from storefront.components.listing import PAGE_SIZE, ListingState, listing_body
from ui.viewmodels import Crumb


class CollectionState(ListingState):
    title: str = ""
    description: str = ""
    image_url: str = ""
    not_found: bool = False
    breadcrumb: list[Crumb] = []

    @rx.var
    def tab_title(self) -> str:
        if self.not_found:
            return "Page not found"
        return self.title or "Collection"

    @rx.event
    async def load(self) -> None:
        slug = self.router.url.path.rstrip("/").rpartition("/")[2]
        try:
            found = await storefront_catalog.list_collection_products(
                slug,
                dict(self.router.url.query_parameters),
                strict=False,
                limit=PAGE_SIZE,
                with_facets=True,
            )
        except NotFoundError:
            self.not_found, self.title, self.products, self.filter_groups = True, "", [], []
            return
        collection = found.collection
        self.not_found = False
        self.title, self.description = collection.title, collection.description
        self.image_url = collection.image_url or ""
        self.breadcrumb = [Crumb("Home", "/"), Crumb(collection.title, "")]
        self._show_listing(
            collection.path, found.query, found.listing, default_sort=found.default_sort
        )


def _listing() -> rx.Component:
    return rx.vstack(
        breadcrumb(CollectionState.breadcrumb),
        rx.heading(CollectionState.title, size="7", as_="h1"),
        rx.cond(
            CollectionState.description != "",
            rx.text(CollectionState.description, color_scheme="gray"),
        ),
        listing_body(),
        spacing="4",
        width="100%",
    )


def collection_page() -> rx.Component:
    return shop_page(
        rx.cond(
            CollectionState.not_found,
            rx.vstack(
                rx.heading("Collection not found", size="7", as_="h1"),
                rx.text("We could not find that collection. It may have ended."),
                rx.link("Back to the home page", href="/"),
                spacing="3",
            ),
            _listing(),
        )
    )
