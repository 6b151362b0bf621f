"""Admin promotions: the list with each one's status (scheduled, active, ended, off), and
the editor: what it takes off, what it covers (everything, a category, a collection),
when (in the shop's time zone) and its priority. Admins only; the promotion service
checks the role again and writes the audit log. A saved change is in force on every
page within a second."""

from __future__ import annotations

import dataclasses
import uuid
from decimal import Decimal
from typing import Any, ClassVar

import reflex as rx

from admin.components.catalog_pickers import Choice, category_choices
from admin.state import AdminState
from backend.accounts.permissions import Permission
from backend.catalog.category_queries import get_category_tree
from backend.core.clock import moment_from_wall_clock, wall_clock_text
from backend.core.errors import DomainError
from backend.core.money import format_money
from backend.merchandising import promotion_services as promotions
from backend.merchandising import queries as collections
from backend.merchandising.models import Promotion
from backend.merchandising.promotions import multibuy_of
from backend.settings import get_settings
from backend.shipping import services as shipping
from backend.shop_settings.values import store_settings
from ui.promotion_text import line_promotions

STATUS_LABELS = {"scheduled": "Scheduled", "active": "Active", "ended": "Ended", "off": "Off"}


@dataclasses.dataclass(frozen=True)
class PreviewRow:
    name: str
    quantity: str
    price: str  # "$96.00 (was $120.00)" under a promotion
    promotion: str
    line_total: str


def _preview_items(text: str) -> list[tuple[str, int]]:
    """ "KG-MUG-1 2" or "KG-MUG-1 × 2" per line: a SKU and a quantity (1 when left out)."""
    items = []
    for raw in text.splitlines()[:50]:
        parts = raw.replace("×", " ").split()
        if not parts:
            continue
        quantity = parts[-1] if len(parts) > 1 and parts[-1].isdigit() else "1"
        items.append((parts[0][:50], max(1, min(int(quantity), 999))))
    return items


@dataclasses.dataclass(frozen=True)
class PromotionListRow:
    id: str
    title: str
    discount: str  # "20 % off", "$5.00 off"
    covers: str  # "Everything", "Category: Outerwear", "Collection: Summer"
    when: str  # "from 27 Nov 2026, 00:00 to 30 Nov 2026, 23:59" in the shop's zone
    priority: str
    status: str


def _discount(promotion: Promotion) -> str:
    """ "20 % off", "$5.00 off", "10 % off orders from $100.00", "Free shipping", "Buy 2,
    get 1 free", "3 for $50.00"; "(adds up)" for one that combines with others."""
    currency = get_settings().shop_currency
    adds_up = " (adds up)" if promotion.stacks else ""
    if promotion.applies_to == "multibuy":
        return multibuy_of(promotion).describe(currency) + adds_up
    if promotion.kind == "percent":
        amount = f"{promotion.value.normalize():f} % off"
    else:
        amount = format_money(promotion.value, currency) + " off"
    minimum = promotion.min_subtotal or Decimal(0)
    above = f" from {format_money(minimum, currency)}" if minimum else ""
    if promotion.applies_to == "order":
        return f"{amount} orders{above}"
    if promotion.applies_to == "shipping":
        free = promotion.kind == "percent" and promotion.value >= 100
        return ("Free shipping" if free else f"{amount} shipping") + (
            f" on orders{above}" if above else ""
        )
    return amount + adds_up


KINDS = ("percent", "fixed", "bundle")
APPLIES_TO = ("items", "multibuy", "order", "shipping")


class PromotionsState(AdminState):
    permission: ClassVar[Permission] = Permission.PROMOTIONS

    rows: list[PromotionListRow] = []
    editing: bool = False
    editing_id: str = ""
    values: dict[str, str] = {}
    kind: str = "percent"
    applies_to: str = "items"  # items | multibuy | order | shipping
    stacks: bool = False
    zone_id: str = ""  # a shipping promotion's zone ("": everywhere)
    combines_with_codes: bool = True
    zones: list[Choice] = []
    target: str = "all"
    target_id: str = ""
    is_active: bool = True
    categories: list[Choice] = []
    collections: list[Choice] = []
    time_zone: str = "UTC"
    errors: dict[str, str] = {}
    message: str = ""
    done: str = ""
    form_version: int = 0
    preview_rows: list[PreviewRow] = []
    preview_summary: str = ""
    preview_message: str = ""

    async def _reload(self) -> None:
        tree = await get_category_tree()
        named = {choice.value: choice.label.strip() for choice in self.collections}
        zone = (await store_settings()).zone

        zones = {choice.value: choice.label for choice in self.zones}

        def covers(promotion: Promotion) -> str:
            if promotion.applies_to == "shipping" and promotion.zone_id:
                return "Shipping to " + zones.get(str(promotion.zone_id), "(deleted zone)")
            if promotion.applies_to in ("order", "shipping"):
                return "The whole order"
            if promotion.target == "category":
                node = tree.by_id(promotion.category_id) if promotion.category_id else None
                return "Category: " + (node.name if node else "(deleted)")
            if promotion.target == "collection":
                return "Collection: " + named.get(str(promotion.collection_id), "(deleted)")
            if promotion.target == "products":
                return "Chosen products"
            return "Everything"

        def when(promotion: Promotion) -> str:
            start = wall_clock_text(promotion.starts_at, zone).replace("T", " ")
            end = wall_clock_text(promotion.ends_at, zone).replace("T", " ")
            parts = ([f"from {start}"] if start else []) + ([f"until {end}"] if end else [])
            return " ".join(parts) or "always"

        self.rows = [
            PromotionListRow(
                id=str(row.promotion.id),
                title=row.promotion.title,
                discount=_discount(row.promotion),
                covers=covers(row.promotion),
                when=when(row.promotion),
                priority=str(row.promotion.priority),
                status=STATUS_LABELS[row.status],
            )
            for row in await promotions.list_promotions(self.staff_viewer)
        ]

    @rx.event
    async def load(self) -> None:
        self.errors, self.message, self.done, self.editing = {}, "", "", False
        self.categories = category_choices(await get_category_tree())
        self.collections = [
            Choice(str(row.collection.id), row.collection.title)
            for row in await collections.list_collections(self.staff_viewer)
        ]
        self.time_zone = (await store_settings()).time_zone
        self.zones = [
            Choice(str(zone.id), zone.name) for zone in await shipping.list_zones(self.staff_viewer)
        ]
        await self._reload()

    async def _open(self, promotion: Promotion | None) -> None:
        zone = (await store_settings()).zone
        self.editing, self.errors, self.message, self.done = True, {}, "", ""
        self.editing_id = str(promotion.id) if promotion else ""
        self.values = {
            "title": promotion.title if promotion else "",
            "value": f"{promotion.value.normalize():f}" if promotion else "",
            "starts_at": wall_clock_text(promotion.starts_at if promotion else None, zone),
            "ends_at": wall_clock_text(promotion.ends_at if promotion else None, zone),
            "priority": str(promotion.priority) if promotion else "0",
            "min_subtotal": (
                f"{promotion.min_subtotal:f}"
                if promotion and promotion.min_subtotal is not None
                else ""
            ),
            "limit_per_customer": (
                str(promotion.limit_per_customer)
                if promotion and promotion.limit_per_customer
                else ""
            ),
            "product_skus": (
                "\n".join(
                    p.sku
                    for p in await promotions.chosen_products(promotion.id, actor=self.staff_viewer)
                )
                if promotion and promotion.target == "products"
                else ""
            ),
            "buy_quantity": str(promotion.buy_quantity or "") if promotion else "",
            "discounted_quantity": str(promotion.discounted_quantity or "") if promotion else "",
        }
        self.kind = promotion.kind if promotion else "percent"
        self.applies_to = promotion.applies_to if promotion else "items"
        self.stacks = promotion.stacks if promotion else False
        self.zone_id = str(promotion.zone_id) if promotion and promotion.zone_id else ""
        self.combines_with_codes = promotion.combines_with_codes if promotion else True
        self.target = promotion.target if promotion else "all"
        target_id = promotion.category_id or promotion.collection_id if promotion else None
        self.target_id = str(target_id) if target_id else ""
        self.is_active = promotion.is_active if promotion else True
        self.form_version += 1

    @rx.event
    async def new(self) -> None:
        await self._open(None)

    @rx.event
    async def edit(self, promotion_id: str) -> None:
        try:
            promotion = await promotions.get_promotion(
                uuid.UUID(str(promotion_id)), actor=self.staff_viewer
            )
        except (ValueError, DomainError):
            self.message = "That promotion no longer exists."
            return
        await self._open(promotion)

    @rx.event
    def cancel(self) -> None:
        self.editing, self.errors, self.message = False, {}, ""

    @rx.event
    def set_kind(self, kind: str) -> None:
        self.kind = kind if kind in KINDS else "percent"
        if self.kind == "bundle" and self.applies_to != "multibuy":
            self.kind = "percent"

    @rx.event
    def set_applies_to(self, applies_to: str) -> None:
        self.applies_to = applies_to if applies_to in APPLIES_TO else "items"
        if self.applies_to in ("order", "shipping"):
            self.target, self.target_id, self.stacks = "all", "", False
        if self.kind == "bundle" and self.applies_to != "multibuy":
            self.kind = "percent"

    @rx.event
    def set_stacks(self, stacks: bool) -> None:
        self.stacks = stacks is True

    @rx.event
    def set_zone_id(self, zone_id: str) -> None:
        self.zone_id = "" if zone_id == "any" else str(zone_id)[:40]

    @rx.event
    def set_combines_with_codes(self, combines: bool) -> None:
        self.combines_with_codes = combines is True

    @rx.event
    def set_target(self, target: str) -> None:
        self.target = target if target in ("all", "category", "collection", "products") else "all"
        self.target_id = ""

    @rx.event
    def set_target_id(self, target_id: str) -> None:
        self.target_id = str(target_id)[:40]

    @rx.event
    def set_is_active(self, active: bool) -> None:
        self.is_active = bool(active)

    @rx.event
    async def save(self, form_data: dict[str, Any]) -> None:
        self.errors, self.message, self.done = {}, "", ""
        fields = {
            key: str(form_data.get(key) or "")[: 20_000 if key == "product_skus" else 200]
            for key in self.values
        }
        self.values = fields
        product_ids: list[str] = []
        if self.target == "products" and self.applies_to in ("items", "multibuy"):
            skus = [sku.strip() for sku in fields["product_skus"].splitlines() if sku.strip()]
            found, unknown = await promotions.products_by_sku(skus[:500], actor=self.staff_viewer)
            if unknown:
                self.errors = {"product_skus": "No product has the SKU " + ", ".join(unknown[:5])}
                return
            product_ids = [str(product_id) for product_id in found]
        zone = (await store_settings()).zone
        moments: dict[str, str | None] = {}
        for name in ("starts_at", "ends_at"):
            try:
                moment = moment_from_wall_clock(fields[name], zone)
            except ValueError:
                self.errors = {name: "Choose a date and time."}
                return
            moments[name] = moment.isoformat() if moment else None
        priority = fields["priority"].strip() or "0"
        order_wide = self.applies_to in ("order", "shipping")
        multibuy = self.applies_to == "multibuy"
        data: dict[str, Any] = {
            "title": fields["title"],
            "kind": self.kind,
            "value": fields["value"].strip().replace(",", "") or "0",
            "target": self.target,
            "category_id": self.target_id if self.target == "category" and self.target_id else None,
            "collection_id": (
                self.target_id if self.target == "collection" and self.target_id else None
            ),
            "product_ids": product_ids,
            "priority": priority if priority.lstrip("-").isdigit() else "x",
            "is_active": self.is_active,
            "applies_to": self.applies_to,
            "min_subtotal": (
                fields["min_subtotal"].strip().replace(",", "") or None if order_wide else None
            ),
            "zone_id": self.zone_id or None if self.applies_to == "shipping" else None,
            "combines_with_codes": self.combines_with_codes,
            "limit_per_customer": (
                fields["limit_per_customer"].strip() or None if order_wide else None
            ),
            "buy_quantity": fields["buy_quantity"].strip() or None if multibuy else None,
            "discounted_quantity": (
                fields["discounted_quantity"].strip() or None
                if multibuy and self.kind == "percent"
                else None
            ),
            "stacks": self.stacks and not order_wide,
            **moments,
        }
        existing = uuid.UUID(self.editing_id) if self.editing_id else None
        try:
            await promotions.save_promotion(existing, data, actor=self.staff_viewer)
        except DomainError as error:
            errors = dict(getattr(error, "field_errors", {}) or {})
            if "product_ids" in errors:  # the field shows them as SKUs
                errors["product_skus"] = errors.pop("product_ids")
            self.errors = errors
            self.message = self.errors.pop("form", "") or error.message
            return
        self.done = f"“{fields['title'].strip()}” saved: in force on every page within a second."
        self.editing = False
        await self._reload()

    @rx.event
    async def preview(self, form_data: dict[str, Any]) -> None:
        self.preview_rows, self.preview_summary, self.preview_message = [], "", ""
        zone = (await store_settings()).zone
        try:
            at = moment_from_wall_clock(str(form_data.get("at") or "")[:25], zone)
        except ValueError:
            at = None
        if at is None:
            self.preview_message = "Choose the moment to preview."
            return
        items = _preview_items(str(form_data.get("skus") or "")[:5000])
        try:
            preview = await promotions.preview_cart(items, at, actor=self.staff_viewer)
        except DomainError as error:
            self.preview_message = error.message
            return
        currency = get_settings().shop_currency

        def money(amount: Decimal) -> str:
            return format_money(amount, currency)

        self.preview_rows = [
            PreviewRow(
                name=line.name,
                quantity=str(line.quantity),
                price=money(line.price)
                + (f" (was {money(line.list_price)})" if line.price < line.list_price else ""),
                promotion=line_promotions(
                    line.promotion_title, "", line.multibuy_title, money(line.multibuy_off)
                )
                or "—",
                line_total=money(line.line_total),
            )
            for line in preview.lines
        ]
        order_part = (
            f"{preview.order_promotion} takes {money(preview.order_promotion_off)} off the order. "
            if preview.order_promotion
            else ""
        )
        shipping_part = (
            "Shipping promotions it qualifies for: " + ", ".join(preview.shipping_promotions) + ". "
            if preview.shipping_promotions
            else ""
        )
        self.preview_summary = (
            f"{order_part}Subtotal {money(preview.subtotal)} "
            f"(before promotions {money(preview.subtotal_before)}), "
            f"at {wall_clock_text(at, zone).replace('T', ' ')} {self.time_zone}. {shipping_part}"
        ).strip()
        if preview.unknown_skus:
            self.preview_message = "No product has the SKU " + ", ".join(preview.unknown_skus)

    @rx.event
    async def delete(self, promotion_id: str) -> None:
        self.message, self.done = "", ""
        try:
            await promotions.delete_promotion(uuid.UUID(str(promotion_id)), actor=self.staff_viewer)
        except (ValueError, DomainError):
            self.message = "That promotion no longer exists."
        else:
            self.done = "Promotion deleted: prices are back; orders keep what they got."
            self.editing = False
        await self._reload()
