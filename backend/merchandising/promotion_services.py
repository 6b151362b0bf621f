"""Use cases for automatic promotions: list them with their status, save one whole
(create or replace), delete one, preview what a cart would cost at a given moment.
Administrators only; changes are audited in their transaction, in force in this process
at once and everywhere within a second (`promotions.py` reads the live ones at most
once a second)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.catalog.models import Product
from backend.catalog.schemas import VariantSummary
from backend.catalog.variant_queries import find_variant_by_sku, get_variant_summaries
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError
from backend.core.validation import parse_input
from backend.merchandising.locks import PROMOTION_NOT_FOUND, lock_promotion_for_update
from backend.merchandising.models import Promotion, PromotionProduct
from backend.merchandising.order_offers import best_order_offer
from backend.merchandising.promotion_inputs import PromotionInput
from backend.merchandising.promotions import forget_cached, live_order_offers, priced_items

MANAGE_PROMOTIONS = "manage promotions"


@dataclass(frozen=True)
class PromotionRow:
    promotion: Promotion
    status: str  # "scheduled", "active", "ended" or "off"
    product_ids: tuple[uuid.UUID, ...] = ()  # target "products": the products chosen


def status_of(promotion: Promotion, now: datetime) -> str:
    if not promotion.is_active:
        return "off"
    if promotion.starts_at is not None and promotion.starts_at > now:
        return "scheduled"
    if promotion.ends_at is not None and promotion.ends_at <= now:
        return "ended"
    return "active"


async def list_promotions(actor: Viewer) -> list[PromotionRow]:
    """Every promotion: the highest priority first, then the newest."""
    require_permission(actor, Permission.PROMOTIONS, MANAGE_PROMOTIONS)
    now = datetime.now(UTC)
    async with session_scope() as session:
        rows = (
            await session.exec(
                select(Promotion).order_by(
                    col(Promotion.priority).desc(), col(Promotion.created_at).desc()
                )
            )
        ).all()
        chosen: dict[uuid.UUID, list[uuid.UUID]] = {}
        for promotion_id, product_id in (
            await session.exec(
                select(PromotionProduct.promotion_id, PromotionProduct.product_id).order_by(
                    col(PromotionProduct.product_id)
                )
            )
        ).all():
            chosen.setdefault(promotion_id, []).append(product_id)
    return [PromotionRow(row, status_of(row, now), tuple(chosen.get(row.id, ()))) for row in rows]


async def promotion_row(promotion_id: uuid.UUID, *, actor: Viewer) -> PromotionRow:
    """One promotion with its status and chosen products (raises NotFoundError)."""
    promotion = await get_promotion(promotion_id, actor=actor)
    products = await chosen_products(promotion_id, actor=actor)
    return PromotionRow(
        promotion,
        status_of(promotion, datetime.now(UTC)),
        tuple(sorted((p.id for p in products), key=str)),
    )


async def get_promotion(promotion_id: uuid.UUID, *, actor: Viewer) -> Promotion:
    require_permission(actor, Permission.PROMOTIONS, MANAGE_PROMOTIONS)
    async with session_scope() as session:
        found = await session.get(Promotion, promotion_id)
    if found is None:
        raise NotFoundError(PROMOTION_NOT_FOUND)
    return found


def _audited(promotion: Promotion) -> dict[str, Any]:
    return {
        "title": promotion.title,
        "kind": promotion.kind,
        "value": str(promotion.value),
        "target": promotion.target,
        "category_id": str(promotion.category_id) if promotion.category_id else None,
        "collection_id": str(promotion.collection_id) if promotion.collection_id else None,
        "starts_at": promotion.starts_at.isoformat() if promotion.starts_at else None,
        "ends_at": promotion.ends_at.isoformat() if promotion.ends_at else None,
        "priority": promotion.priority,
        "is_active": promotion.is_active,
        "applies_to": promotion.applies_to,
        "min_subtotal": str(promotion.min_subtotal) if promotion.min_subtotal is not None else None,
        "zone_id": str(promotion.zone_id) if promotion.zone_id else None,
        "combines_with_codes": promotion.combines_with_codes,
        "limit_per_customer": promotion.limit_per_customer,
        "buy_quantity": promotion.buy_quantity,
        "discounted_quantity": promotion.discounted_quantity,
        "stacks": promotion.stacks,
    }


def _missing_target(error: IntegrityError) -> Exception:
    text = str(error.orig)
    if "promotions_category_id_fkey" in text:
        return InvalidInputError(
            "That category no longer exists.", {"category_id": "Choose another category."}
        )
    if "promotions_collection_id_fkey" in text:
        return InvalidInputError(
            "That collection no longer exists.", {"collection_id": "Choose another collection."}
        )
    if "promotion_products_product_id_fkey" in text:
        return InvalidInputError(
            "A chosen product no longer exists.", {"product_ids": "Choose the products again."}
        )
    if "promotions_zone_id_fkey" in text:
        return InvalidInputError(
            "That shipping zone no longer exists.", {"zone_id": "Choose another zone."}
        )
    return error


async def save_promotion(
    promotion_id: uuid.UUID | None,
    data: PromotionInput | dict[str, Any],
    *,
    actor: Viewer,
) -> uuid.UUID:
    """Create a promotion (`promotion_id` None) or replace one with `data`."""
    require_permission(actor, Permission.PROMOTIONS, MANAGE_PROMOTIONS)
    wanted = data if isinstance(data, PromotionInput) else parse_input(PromotionInput, data)
    order_wide = wanted.applies_to in ("order", "shipping")
    multibuy = wanted.applies_to == "multibuy"
    target = "all" if order_wide else wanted.target
    values: dict[str, Any] = {
        "title": wanted.title,
        "kind": wanted.kind,
        "value": wanted.value,
        "target": target,
        "category_id": wanted.category_id if target == "category" else None,
        "collection_id": wanted.collection_id if target == "collection" else None,
        "applies_to": wanted.applies_to,
        "min_subtotal": (wanted.min_subtotal or Decimal(0)) if order_wide else None,
        "zone_id": wanted.zone_id if wanted.applies_to == "shipping" else None,
        "combines_with_codes": wanted.combines_with_codes,
        "limit_per_customer": wanted.limit_per_customer if order_wide else None,
        "buy_quantity": wanted.buy_quantity if multibuy else None,
        "discounted_quantity": (
            wanted.discounted_quantity if multibuy and wanted.kind == "percent" else None
        ),
        "stacks": wanted.stacks and not order_wide,
        "starts_at": wanted.starts_at,
        "ends_at": wanted.ends_at,
        "priority": wanted.priority,
        "is_active": wanted.is_active,
    }
    try:
        async with session_scope() as session:
            before: dict[str, Any] | None = None
            if promotion_id is None:
                promotion = Promotion(**values)
            else:
                promotion = await lock_promotion_for_update(session, promotion_id)
                before = _audited(promotion)
                for name, value in values.items():
                    setattr(promotion, name, value)
                promotion.updated_at = func.now()  # type: ignore[assignment]  # SQL expression, evaluated by the UPDATE
            session.add(promotion)
            await session.flush()
            await session.refresh(promotion)
            chosen = list(dict.fromkeys(wanted.product_ids)) if target == "products" else []
            await _replace_chosen_products(session, promotion.id, chosen)
            audit.record(
                session,
                actor=actor,
                action="promotion.created" if before is None else "promotion.updated",
                entity_type="promotion",
                entity_id=promotion.id,
                before=before,
                after=_audited(promotion) | {"product_ids": [str(p) for p in chosen]},
            )
            saved_id = promotion.id
    except IntegrityError as exc:
        raise _missing_target(exc) from exc
    forget_cached()
    return saved_id


async def _replace_chosen_products(
    session: AsyncSession, promotion_id: uuid.UUID, product_ids: list[uuid.UUID]
) -> None:
    await session.exec(
        delete(PromotionProduct).where(col(PromotionProduct.promotion_id) == promotion_id)
    )
    session.add_all(
        PromotionProduct(promotion_id=promotion_id, product_id=product_id)
        for product_id in product_ids
    )
    await session.flush()


@dataclass(frozen=True)
class ChosenProduct:
    id: uuid.UUID
    name: str
    sku: str


async def chosen_products(promotion_id: uuid.UUID, *, actor: Viewer) -> list[ChosenProduct]:
    """The products a promotion on chosen products covers, by name."""
    require_permission(actor, Permission.PROMOTIONS, MANAGE_PROMOTIONS)
    async with session_scope() as session:
        rows = (
            await session.exec(
                select(Product.id, Product.name, Product.sku)
                .join(PromotionProduct, col(PromotionProduct.product_id) == col(Product.id))
                .where(col(PromotionProduct.promotion_id) == promotion_id)
                .order_by(col(Product.name))
            )
        ).all()
    return [ChosenProduct(*row) for row in rows]


async def products_by_sku(
    skus: Sequence[str], *, actor: Viewer
) -> tuple[list[uuid.UUID], list[str]]:
    """The products of these SKUs (any variant's SKU names its product), and the SKUs no
    product has: the editor's "chosen products" typed as SKUs."""
    require_permission(actor, Permission.PROMOTIONS, MANAGE_PROMOTIONS)
    found: list[uuid.UUID] = []
    unknown: list[str] = []
    for sku in skus:
        ids = await find_variant_by_sku(sku)
        if ids is None:
            unknown.append(sku)
        elif ids[0] not in found:
            found.append(ids[0])
    return found, unknown


async def delete_promotion(promotion_id: uuid.UUID, *, actor: Viewer) -> None:
    """Prices go back at once; orders placed under it keep what they got."""
    require_permission(actor, Permission.PROMOTIONS, MANAGE_PROMOTIONS)
    async with session_scope() as session:
        promotion = await lock_promotion_for_update(session, promotion_id)
        audit.record(
            session,
            actor=actor,
            action="promotion.deleted",
            entity_type="promotion",
            entity_id=promotion_id,
            before=_audited(promotion),
        )
        await session.delete(promotion)
    forget_cached()


MAX_PREVIEW_LINES = 20


@dataclass(frozen=True)
class PreviewLine:
    sku: str
    name: str  # "" for a SKU the catalog does not have
    quantity: int
    list_price: Decimal
    price: Decimal  # under the sales applying at that moment
    promotion_title: str  # the sale's, "" without one
    multibuy_title: str = ""  # the multi-buy it counts towards, "" without one
    multibuy_off: Decimal = Decimal("0.00")  # what that takes off the line

    @property
    def line_total(self) -> Decimal:
        """After the sale and the multi-buy."""
        return self.price * self.quantity - self.multibuy_off


@dataclass(frozen=True)
class CartPreview:
    at: datetime
    lines: tuple[PreviewLine, ...]
    unknown_skus: tuple[str, ...]
    order_promotion: str = ""  # the order-wide promotion that would apply
    order_promotion_off: Decimal = Decimal("0.00")
    # The shipping promotions the goods would qualify for (by their minimum; a zone's
    # only to that zone).
    shipping_promotions: tuple[str, ...] = ()

    @property
    def goods(self) -> Decimal:
        """After sales and multi-buys."""
        return sum((line.line_total for line in self.lines), Decimal("0.00"))

    @property
    def subtotal(self) -> Decimal:
        """What the goods would cost, the order promotion taken off."""
        return self.goods - self.order_promotion_off

    @property
    def subtotal_before(self) -> Decimal:
        return sum((line.list_price * line.quantity for line in self.lines), Decimal("0.00"))


async def preview_cart(
    items: Sequence[tuple[str, int]], at: datetime, *, actor: Viewer
) -> CartPreview:
    """What a cart of (SKU, quantity) would cost at the moment `at` under the promotions
    switched on then: sales, multi-buys and the order promotion, and which shipping
    promotions it would get (today's catalog prices; discount codes, limits per
    customer, shipping prices and tax aside)."""
    require_permission(actor, Permission.PROMOTIONS, MANAGE_PROMOTIONS)
    if at.tzinfo is None:
        raise InvalidInputError("Give the moment with its time zone.", {"at": "Choose a time."})
    wanted = [(sku.strip(), quantity) for sku, quantity in items if sku.strip()]
    if not wanted or len(wanted) > MAX_PREVIEW_LINES:
        raise InvalidInputError(
            f"List 1 to {MAX_PREVIEW_LINES} SKUs, one per line.", {"items": "One SKU per line."}
        )
    found: list[tuple[str, int, VariantSummary]] = []
    unknown: list[str] = []
    for sku, quantity in wanted:
        ids = await find_variant_by_sku(sku)
        variant = (await get_variant_summaries([ids[1]])).get(ids[1]) if ids else None
        if variant is None:
            unknown.append(sku)
        else:
            found.append((sku, quantity, variant))
    priced = await priced_items(
        [(str(v.id), v.product_id, v.price, quantity) for _, quantity, v in found], at=at
    )
    lines = tuple(
        PreviewLine(
            sku=variant.sku,
            name=variant.display_name,
            quantity=quantity,
            list_price=variant.price,
            price=item.unit_price,
            promotion_title=item.sale.title if item.sale else "",
            multibuy_title=item.multibuy.offer.title if item.multibuy else "",
            multibuy_off=item.multibuy_off,
        )
        for (_, quantity, variant), item in zip(found, priced, strict=True)
    )
    goods = sum((line.line_total for line in lines), Decimal("0.00"))
    offers = await live_order_offers(at)
    order_offer = best_order_offer(offers, "order", base=goods, goods_subtotal=goods)
    return CartPreview(
        at=at,
        lines=lines,
        unknown_skus=tuple(unknown),
        order_promotion=order_offer.title if order_offer else "",
        order_promotion_off=order_offer.amount_off(goods) if order_offer else Decimal("0.00"),
        shipping_promotions=tuple(
            offer.title
            for offer in offers
            if offer.applies_to == "shipping" and offer.min_subtotal <= goods
        ),
    )
