"""Category page: products of a category and its subcategories, with filters, sorting and
pages (storefront/components/listing.py)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from backend.catalog import category_queries
from backend.catalog.listing import parse_listing_query
from backend.catalog.retired_slugs import find_renamed_category
from backend.core.errors import NotFoundError
from backend.merchandising import storefront_catalog
from storefront.components.breadcrumb import breadcrumb
from storefront.components.layout import shop_page
from storefront.components.listing import PAGE_SIZE, ListingState, listing_body
from ui.viewmodels import Crumb, category_url


class CategoryState(ListingState):
    slug: str = ""
    title: str = ""
    description: str = ""
    not_found: bool = False
    breadcrumb: list[Crumb] = []
    subcategories: list[Crumb] = []

    @rx.var
    def tab_title(self) -> str:
        if self.not_found:
            return "Page not found"
        return self.title or "Category"

    @rx.event
    async def load(self) -> rx.event.EventSpec | None:
        slug = self.router.url.path.rstrip("/").rpartition("/")[2]
        query = dataclasses.replace(
            parse_listing_query(dict(self.router.url.query_parameters), strict=False),
            category=slug,
            limit=PAGE_SIZE,
        )
        tree = await category_queries.get_category_tree()
        node = tree.by_slug(slug)
        if node is None:
            renamed = await find_renamed_category(slug)
            if renamed is not None:  # an old address: the category's new one
                return rx.redirect(category_url(renamed), replace=True)
            self.not_found, self.title, self.products, self.filter_groups = True, "", [], []
            return None
        try:
            listing = await storefront_catalog.list_products(query, with_facets=True)
        except NotFoundError:
            self.not_found = True
            return None
        if listing.items == () and query.page > listing.page_count:
            # A page past the end (an old link): show the last page instead.
            query = query.with_page(listing.page_count)
            listing = await storefront_catalog.list_products(query, with_facets=True)
        self.not_found, self.slug = False, slug
        self.title, self.description = node.name, node.description
        self.breadcrumb = [Crumb("Home", "/")] + [
            Crumb(ancestor.name, category_url(ancestor.slug) if ancestor.id != node.id else "")
            for ancestor in tree.ancestors(node.id)
        ]
        self.subcategories = [
            Crumb(child.name, category_url(child.slug)) for child in tree.children(node.id)
        ]
        self._show_listing(category_url(slug), query, listing)
        return None


def _listing() -> rx.Component:
    return rx.vstack(
        breadcrumb(CategoryState.breadcrumb),
        rx.heading(CategoryState.title, size="7", as_="h1"),
        rx.cond(
            CategoryState.description != "", rx.text(CategoryState.description, color_scheme="gray")
        ),
        rx.cond(
            CategoryState.subcategories.length() > 0,
            rx.hstack(
                rx.foreach(
                    CategoryState.subcategories,
                    lambda sub: rx.link(
                        rx.badge(sub.name, size="3", variant="surface"), href=sub.url
                    ),
                ),
                wrap="wrap",
                spacing="2",
            ),
        ),
        listing_body(),
        spacing="4",
        width="100%",
    )


def category_page() -> rx.Component:
    return shop_page(
        rx.cond(
            CategoryState.not_found,
            rx.vstack(
                rx.heading("Category not found", size="7", as_="h1"),
                rx.text("We could not find that category. It may have been renamed."),
                rx.link("Back to the home page", href="/"),
                spacing="3",
            ),
            _listing(),
        )
    )
