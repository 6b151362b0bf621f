"""Every table of the shop, imported in one place for Alembic and the drift test."""

from backend.accounts.models import (
    AccountToken,
    Address,
    RefreshToken,
    Role,
    User,
    UserRole,
    UserSession,
)
from backend.catalog.models import Brand, Category, Product
from backend.events.models import EventDelivery, OutboxEvent
from backend.notifications.models import Notification

__all__ = [
    "AccountToken",
    "Address",
    "Brand",
    "Category",
    "EventDelivery",
    "Notification",
    "OutboxEvent",
    "Product",
    "RefreshToken",
    "Role",
    "User",
    "UserRole",
    "UserSession",
]
