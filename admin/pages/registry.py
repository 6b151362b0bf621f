"""Every admin page and its route, registered on the app in one place."""

from __future__ import annotations

import reflex as rx

from admin.pages.accounts import AccountsState, accounts_page
from admin.pages.analytics import AnalyticsState, analytics_page
from admin.pages.audit import AuditState, audit_page
from admin.pages.catalog_structure import CatalogStructureState
from admin.pages.catalog_structure_view import catalog_structure_page
from admin.pages.collections import CollectionsState
from admin.pages.collections_view import collections_page
from admin.pages.customer import CustomerState, customer_page
from admin.pages.demand import DemandState, demand_page
from admin.pages.discounts import DiscountsState, discounts_page
from admin.pages.drafts import DraftEditorState, DraftsState
from admin.pages.drafts_view import draft_editor_page, drafts_page
from admin.pages.gift_cards import GiftCardsState, gift_cards_page
from admin.pages.inventory import InventoryState, inventory_page
from admin.pages.locations import LocationsState, locations_page
from admin.pages.messages import MessagesState, messages_page
from admin.pages.order_actions import OrderAdminState
from admin.pages.order_detail import order_admin_page
from admin.pages.order_editor import OrderEditorState
from admin.pages.order_editor_view import order_editor_page
from admin.pages.order_returns import OrderReturnsAdminState
from admin.pages.orders import OrdersTableState, orders_page
from admin.pages.overview import OverviewState, SalesState, overview_page
from admin.pages.product_editor import ProductEditorState
from admin.pages.product_editor_view import product_editor_page
from admin.pages.product_import import ProductImportState, product_import_page
from admin.pages.product_variants import ProductVariantsState
from admin.pages.product_variants_view import product_variants_page
from admin.pages.products import ProductsTableState
from admin.pages.products_view import products_page
from admin.pages.promotions import PromotionsState
from admin.pages.promotions_view import promotions_page
from admin.pages.returns import ReturnsTableState, returns_page
from admin.pages.reviews import ReviewsModerationState, reviews_page
from admin.pages.shipping import ShippingAdminState, shipping_page
from admin.pages.staff import StaffGroupsState, staff_page
from admin.pages.store_settings import StoreSettingsState, store_settings_page
from admin.pages.taxes import TaxesAdminState, taxes_page
from admin.pages.webhooks import WebhooksState
from admin.pages.webhooks_view import webhooks_page
from ui.shop_identity import ShopIdentityState
from ui.sign_in import SignInState

ADMIN_TITLE = "Admin"

# (page, route, title, its loads). SignInState.load shows a failed sign-in's message on the
# gate; each page's own loads are refused by the access guard for anyone without the role
# (so a moderator's overview gets the catalog figures but not the sales).
ADMIN_PAGES = (
    (overview_page, "/admin", "Overview", (OverviewState.load, SalesState.load)),
    (products_page, "/admin/products", "Products", (ProductsTableState.load,)),
    (product_editor_page, "/admin/products/new", "New product", (ProductEditorState.load,)),
    (product_import_page, "/admin/products/import", "Import products", (ProductImportState.load,)),
    (product_editor_page, "/admin/products/[id]", "Product", (ProductEditorState.load,)),
    (
        product_variants_page,
        "/admin/products/[id]/variants",
        "Options and variants",
        (ProductVariantsState.load,),
    ),
    (
        catalog_structure_page,
        "/admin/catalog",
        "Categories & brands",
        (CatalogStructureState.load,),
    ),
    (collections_page, "/admin/collections", "Collections", (CollectionsState.load,)),
    (inventory_page, "/admin/inventory", "Inventory", (InventoryState.load,)),
    (locations_page, "/admin/locations", "Stock locations", (LocationsState.load,)),
    (reviews_page, "/admin/reviews", "Reviews", (ReviewsModerationState.load,)),
    (demand_page, "/admin/demand", "Demand", (DemandState.load,)),
    (orders_page, "/admin/orders", "Orders", (OrdersTableState.load,)),
    (
        order_admin_page,
        "/admin/orders/[number]",
        "Order",
        (OrderAdminState.load, OrderReturnsAdminState.load),
    ),
    (
        order_editor_page,
        "/admin/orders/[number]/edit",
        "Change order",
        (OrderEditorState.load,),
    ),
    (drafts_page, "/admin/drafts", "Draft orders", (DraftsState.load,)),
    (draft_editor_page, "/admin/drafts/[id]", "Draft order", (DraftEditorState.load,)),
    (returns_page, "/admin/returns", "Returns", (ReturnsTableState.load,)),
    (promotions_page, "/admin/promotions", "Promotions", (PromotionsState.load,)),
    (discounts_page, "/admin/discounts", "Discount codes", (DiscountsState.load,)),
    (gift_cards_page, "/admin/gift-cards", "Gift cards", (GiftCardsState.load,)),
    (shipping_page, "/admin/shipping", "Shipping", (ShippingAdminState.load,)),
    (taxes_page, "/admin/taxes", "Taxes", (TaxesAdminState.load,)),
    (store_settings_page, "/admin/settings", "Settings", (StoreSettingsState.load,)),
    (analytics_page, "/admin/analytics", "Analytics", (AnalyticsState.load,)),
    (messages_page, "/admin/messages", "Messages", (MessagesState.load,)),
    (webhooks_page, "/admin/webhooks", "Webhooks", (WebhooksState.load,)),
    (staff_page, "/admin/staff", "Staff", (StaffGroupsState.load,)),
    (audit_page, "/admin/audit", "Audit log", (AuditState.load,)),
    (accounts_page, "/admin/accounts", "Accounts", (AccountsState.load,)),
    (customer_page, "/admin/accounts/[user_id]", "Customer", (CustomerState.load,)),
)


def register_admin_pages(app: rx.App) -> None:
    for page, route, title, loads in ADMIN_PAGES:
        app.add_page(
            page,
            route=route,
            title=f"{title} · {ADMIN_TITLE}",
            on_load=[SignInState.load, ShopIdentityState.load, *loads],
        )
