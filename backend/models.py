"""Every table of the shop, imported in one place for Alembic and the drift test."""

from backend.accounts.models import Role, User, UserRole, UserSession
from backend.catalog.models import Category, Product

__all__ = ["Category", "Product", "Role", "User", "UserRole", "UserSession"]
