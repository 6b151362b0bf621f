"""Everything the shop holds about a customer, as one JSON-ready document: account,
addresses, orders (with lines, tax and returns), reviews, wishlist, back-in-stock
requests, gift cards sent to them, cart, cart-reminder choice and the messages sent to
them. Read-only: it reads
the domains' tables directly, in one transaction (a consistent snapshot)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import col, select

from backend.accounts.models import Address, CustomerNote, CustomerTag, Role, User, UserRole
from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.cart import queries as cart_queries
from backend.cart.owners import user_owner
from backend.cart_recovery.erasure import opted_out
from backend.catalog.models import Product
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import NotFoundError
from backend.core.serialization import json_ready
from backend.drafts.models import DraftOrder
from backend.giftcards.codes import masked
from backend.giftcards.models import GiftCard
from backend.invoices.models import Document
from backend.notifications.erasure import messages_to
from backend.orders.models import Order, OrderLine, OrderTaxLine
from backend.returns.models import ReturnRequest
from backend.reviews.models import Review
from backend.shop_settings.values import store_settings
from backend.stock_notices.models import StockNoticeSubscription
from backend.wishlists.models import Wishlist, WishlistItem


async def export_my_data(viewer: Viewer) -> dict[str, Any]:
    """The signed-in customer's own data."""
    return await _export(viewer.user_id)


async def export_customer_data(user_id: uuid.UUID, *, actor: Viewer) -> dict[str, Any]:
    """A customer's data, for an administrator answering their request."""
    require_permission(actor, Permission.CUSTOMERS, "export customer data")
    return await _export(user_id)


async def _export(user_id: uuid.UUID) -> dict[str, Any]:
    async with session_scope() as session:
        user = await session.get(User, user_id)
        if user is None:
            raise NotFoundError("There is no such account.")
        roles = (
            await session.exec(
                select(Role.name)
                .join(UserRole, col(UserRole.role_id) == col(Role.id))
                .where(UserRole.user_id == user_id)
            )
        ).all()
        addresses = (await session.exec(select(Address).where(Address.user_id == user_id))).all()
        staff_notes = (
            await session.exec(
                select(CustomerNote)
                .where(col(CustomerNote.user_id) == user_id)
                .order_by(col(CustomerNote.created_at))
            )
        ).all()
        tags = (
            await session.exec(select(CustomerTag.tag).where(col(CustomerTag.user_id) == user_id))
        ).all()
        orders = (
            await session.exec(
                select(Order)
                .where(
                    or_(
                        col(Order.user_id) == user_id,
                        func.lower(Order.email) == user.email.lower(),
                    )
                )
                .order_by(col(Order.created_at))
            )
        ).all()
        order_ids = [order.id for order in orders]
        lines = (
            await session.exec(
                select(OrderLine)
                .where(col(OrderLine.order_id).in_(order_ids))
                .order_by(col(OrderLine.position))
            )
        ).all()
        tax_lines = (
            await session.exec(
                select(OrderTaxLine)
                .where(col(OrderTaxLine.order_id).in_(order_ids))
                .order_by(col(OrderTaxLine.position))
            )
        ).all()
        returns = (
            await session.exec(
                select(ReturnRequest).where(col(ReturnRequest.order_id).in_(order_ids))
            )
        ).all()
        documents = (
            await session.exec(
                select(Document)
                .where(col(Document.order_id).in_(order_ids))
                .order_by(col(Document.issued_at))
            )
        ).all()
        reviews = (
            await session.exec(
                select(Review, Product.name)
                .join(Product, col(Product.id) == col(Review.product_id))
                .where(Review.user_id == user_id)
            )
        ).all()
        saved = (
            await session.exec(
                select(WishlistItem, Product.name)
                .join(Wishlist, col(Wishlist.id) == col(WishlistItem.wishlist_id))
                .join(Product, col(Product.id) == col(WishlistItem.product_id))
                .where(Wishlist.user_id == user_id)
            )
        ).all()
        notices = (
            await session.exec(
                select(StockNoticeSubscription, Product.name)
                .join(Product, col(Product.id) == col(StockNoticeSubscription.product_id))
                .where(
                    or_(
                        col(StockNoticeSubscription.user_id) == user_id,
                        func.lower(StockNoticeSubscription.email) == user.email.lower(),
                    )
                )
            )
        ).all()
        cards = (
            await session.exec(
                select(GiftCard).where(func.lower(GiftCard.recipient_email) == user.email.lower())
            )
        ).all()
        # Orders staff started for them and never completed (a completed one is an order).
        drafts = (
            await session.exec(
                select(DraftOrder)
                .where(
                    or_(
                        col(DraftOrder.user_id) == user_id,
                        func.lower(DraftOrder.email) == user.email.lower(),
                    ),
                    col(DraftOrder.status) != "completed",
                )
                .order_by(col(DraftOrder.created_at))
            )
        ).all()
        recipients = [user.email, *(a.phone for a in addresses if a.phone)]
        messages = await messages_to(session, recipients)
        reminders_off = await opted_out(session, user.email)
    cart = await cart_queries.get_cart(user_owner(user_id))
    document = {
        "exported_at": utcnow(),
        "shop": (await store_settings()).shop_name,
        "account": {
            "username": user.username,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "status": user.status,
            "email_verified": user.email_verified,
            "roles": sorted(roles),
            "created_at": user.created_at,
            "last_login_at": user.last_login_at,
            # What staff noted about the customer is theirs to see too.
            "staff_tags": sorted(tags),
            "staff_notes": [{"written_at": n.created_at, "note": n.body} for n in staff_notes],
        },
        "addresses": [
            {
                "full_name": a.full_name,
                "line1": a.line1,
                "line2": a.line2,
                "city": a.city,
                "region": a.region,
                "postal_code": a.postal_code,
                "country": a.country,
                "phone": a.phone,
                "is_default": a.is_default,
            }
            for a in addresses
        ],
        "orders": [
            {
                "number": o.number,
                "placed_at": o.created_at,
                "status": o.status,
                "payment_status": o.payment_status,
                "email": o.email,
                "customer_name": o.customer_name,
                "phone": o.phone,
                "shipping_address": o.shipping_address,
                "shipping_method": o.shipping_method,
                "currency": o.currency,
                "subtotal": o.subtotal,
                "discount": o.discount,
                "discount_code": o.discount_code,
                "shipping": o.shipping,
                "tax": o.tax,
                "prices_include_tax": o.prices_include_tax,
                "total": o.total,
                "refunded": o.refunded_amount,
                "paid_by_gift_card": o.gift_card_amount,
                "carrier": o.carrier,
                "tracking_number": o.tracking_number,
                "lines": [
                    {
                        "name": line.name,
                        "sku": line.sku,
                        "options": line.options,
                        "quantity": line.quantity,
                        "unit_price": line.unit_price,
                        "line_total": line.line_total,
                        "gift_card": line.gift_card,
                    }
                    for line in lines
                    if line.order_id == o.id
                ],
                "tax_lines": [
                    {"name": t.name, "percent": t.percent, "base": t.base, "amount": t.amount}
                    for t in tax_lines
                    if t.order_id == o.id
                ],
                "returns": [
                    {
                        "number": r.number,
                        "status": r.status,
                        "reason": r.reason,
                        "comment": r.comment,
                        "created_at": r.created_at,
                    }
                    for r in returns
                    if r.order_id == o.id
                ],
                "invoices_and_credit_notes": [
                    {"number": d.number, "issued_at": d.issued_at, "total": d.total}
                    for d in documents
                    if d.order_id == o.id
                ],
            }
            for o in orders
        ],
        "draft_orders": [
            {
                "number": draft.label,
                "status": draft.status,
                "started_at": draft.created_at,
                "email": draft.email,
                "customer": draft.details,
                "note": draft.note,
            }
            for draft in drafts
        ],
        "reviews": [
            {
                "product": product_name,
                "rating": review.rating,
                "title": review.title,
                "body": review.body,
                "author_name": review.author_name,
                "status": review.status,
                "created_at": review.created_at,
            }
            for review, product_name in reviews
        ],
        "wishlist": [
            {"product": product_name, "saved_at": item.created_at} for item, product_name in saved
        ],
        "back_in_stock_requests": [
            {
                "product": product_name,
                "email": notice.email,
                "status": notice.status,
                "created_at": notice.created_at,
            }
            for notice, product_name in notices
        ],
        "cart": [
            {"product": line.display_name, "sku": line.sku, "quantity": line.quantity}
            for line in cart.lines
        ]
        + [
            {"product": card.display_name, "sku": "GIFT-CARD", "quantity": 1}
            for card in cart.gift_cards
        ],
        "gift_cards_received": [
            {
                "card": masked(card.last_four),
                "balance": card.balance,
                "currency": card.currency,
                "from": card.sender_name,
                "message": card.message,
                "expires_at": card.expires_at,
                "sent_at": card.delivered_at,
            }
            for card in cards
        ],
        "cart_reminders": {"opted_out": reminders_off},
        "messages": [
            {
                "channel": m.channel,
                "template": m.template,
                "subject": m.subject,
                "body_text": m.body_text,
                "status": m.status,
                "sent_at": m.sent_at,
                "created_at": m.created_at,
            }
            for m in messages
        ],
    }
    return json_ready(document)  # type: ignore[no-any-return]
