"""Every table of the shop, imported in one place for Alembic and the drift test."""

from backend.accounts.models import (
    AccountToken,
    Address,
    CustomerNote,
    CustomerTag,
    RefreshToken,
    Role,
    StaffGroup,
    StaffGroupMember,
    User,
    UserRole,
    UserSession,
)
from backend.audit.models import AuditEntry
from backend.cart_recovery.models import CartReminder, CartReminderOptOut
from backend.catalog.models import Brand, Category, Product
from backend.drafts.models import DraftOrder, DraftOrderLine
from backend.events.models import EventDelivery, OutboxEvent
from backend.giftcards.models import GiftCard, GiftCardMovement
from backend.inventory.models import StockMovement
from backend.invoices.models import Document, DocumentCounter
from backend.merchandising.models import (
    Collection,
    CollectionProduct,
    Promotion,
    PromotionProduct,
)
from backend.notifications.models import Notification
from backend.orders.models import (
    Order,
    OrderLine,
    OrderPromotion,
    OrderStatusChange,
    OrderTaxLine,
)
from backend.payments.models import PaymentLink, PaymentTransaction, WebhookEvent
from backend.pricing.models import DiscountCode
from backend.returns.models import ReturnLine, ReturnRequest
from backend.reviews.models import Review, ReviewVote
from backend.shipping.models import (
    ShippingMethod,
    ShippingMethodExclusion,
    ShippingRateBand,
    ShippingZone,
)
from backend.shop_settings.models import ShopSettings
from backend.stock_notices.models import StockNoticeSubscription
from backend.tax.models import TaxClass, TaxConfiguration, TaxRate
from backend.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from backend.wishlists.models import Wishlist, WishlistItem

__all__ = [
    "AccountToken",
    "Address",
    "AuditEntry",
    "Brand",
    "CartReminder",
    "CartReminderOptOut",
    "Category",
    "Collection",
    "CollectionProduct",
    "CustomerNote",
    "CustomerTag",
    "DiscountCode",
    "Document",
    "DocumentCounter",
    "DraftOrder",
    "DraftOrderLine",
    "EventDelivery",
    "GiftCard",
    "GiftCardMovement",
    "Notification",
    "Order",
    "OrderLine",
    "OrderPromotion",
    "OrderStatusChange",
    "OrderTaxLine",
    "OutboxEvent",
    "PaymentLink",
    "PaymentTransaction",
    "Product",
    "Promotion",
    "PromotionProduct",
    "RefreshToken",
    "ReturnLine",
    "ReturnRequest",
    "Review",
    "ReviewVote",
    "Role",
    "ShippingMethod",
    "ShippingMethodExclusion",
    "ShippingRateBand",
    "ShippingZone",
    "ShopSettings",
    "StaffGroup",
    "StaffGroupMember",
    "StockMovement",
    "StockNoticeSubscription",
    "TaxClass",
    "TaxConfiguration",
    "TaxRate",
    "User",
    "UserRole",
    "UserSession",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "Wishlist",
    "WishlistItem",
]
