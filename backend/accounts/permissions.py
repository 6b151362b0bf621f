"""What staff may do: the permissions, the built-in groups, and the one check services make.

Staff are the members of staff groups; a member may do what any of their groups allows.
Every service that changes or shows back-office data calls `require_permission` itself,
whatever the page or the API route already checked (deny by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from backend.core.errors import PermissionDeniedError

if TYPE_CHECKING:
    from backend.accounts.schemas import Viewer


class Permission(StrEnum):
    CATALOG = "catalog"  # products, variants, categories, brands, collections, imports
    INVENTORY = "inventory"  # stock levels and restock demand
    ORDERS_VIEW = "orders.view"  # orders, returns and documents, read only
    ORDERS_FULFIL = "orders.fulfil"  # ship, deliver, receive returned goods
    ORDERS_REFUND = "orders.refund"  # cancel, refund, decide returns
    ORDERS_EDIT = "orders.edit"  # draft and phone orders, payments taken by hand, payment links
    CUSTOMERS = "customers"  # accounts, notes and tags, privacy requests
    PROMOTIONS = "promotions"  # promotions, discount codes, gift cards
    REVIEWS = "reviews"  # review moderation
    SETTINGS = "settings"  # store settings, shipping, taxes
    STAFF = "staff"  # staff groups and their members, locking accounts, the audit log
    WEBHOOKS = "webhooks"
    ANALYTICS = "analytics"  # sales, funnels, cart recovery figures


PERMISSION_LABELS: dict[Permission, str] = {
    Permission.CATALOG: "Catalog",
    Permission.INVENTORY: "Inventory",
    Permission.ORDERS_VIEW: "Orders: view",
    Permission.ORDERS_FULFIL: "Orders: fulfil",
    Permission.ORDERS_REFUND: "Orders: refund",
    Permission.ORDERS_EDIT: "Orders: create and edit",
    Permission.CUSTOMERS: "Customers",
    Permission.PROMOTIONS: "Promotions",
    Permission.REVIEWS: "Reviews",
    Permission.SETTINGS: "Settings",
    Permission.STAFF: "Staff",
    Permission.WEBHOOKS: "Webhooks",
    Permission.ANALYTICS: "Analytics",
}

PERMISSION_DESCRIPTIONS: dict[Permission, str] = {
    Permission.CATALOG: "Products, variants, categories, brands, collections and imports",
    Permission.INVENTORY: "Stock levels and restock demand",
    Permission.ORDERS_VIEW: "Orders, returns and their documents, read only",
    Permission.ORDERS_FULFIL: "Ship and deliver orders, receive returned goods",
    Permission.ORDERS_REFUND: "Cancel orders, refund payments, decide returns",
    Permission.ORDERS_EDIT: "Draft and phone orders, payments taken by hand, payment links",
    Permission.CUSTOMERS: "Customer accounts, notes and tags, privacy requests",
    Permission.PROMOTIONS: "Promotions, discount codes and gift cards",
    Permission.REVIEWS: "Moderate product reviews",
    Permission.SETTINGS: "Store settings, shipping and taxes",
    Permission.STAFF: "Staff groups and members, locking accounts, the audit log",
    Permission.WEBHOOKS: "Webhook endpoints and their deliveries",
    Permission.ANALYTICS: "Sales, funnel and cart recovery figures",
}

ALL_PERMISSIONS: frozenset[Permission] = frozenset(Permission)

# Acting on orders means seeing them first: a group is never given one without the other.
IMPLIED: dict[Permission, frozenset[Permission]] = {
    Permission.ORDERS_FULFIL: frozenset({Permission.ORDERS_VIEW}),
    Permission.ORDERS_REFUND: frozenset({Permission.ORDERS_VIEW}),
    Permission.ORDERS_EDIT: frozenset({Permission.ORDERS_VIEW}),
}


def with_implied(permissions: frozenset[Permission]) -> frozenset[Permission]:
    implied = [IMPLIED.get(permission, frozenset()) for permission in permissions]
    return permissions.union(*implied)


class DefaultGroup(StrEnum):
    """The groups every shop starts with (the roles of old): their keys never change."""

    ADMINISTRATORS = "administrators"
    MODERATORS = "moderators"
    FULFILMENT = "fulfilment"


@dataclass(frozen=True)
class GroupPreset:
    name: str
    description: str
    permissions: frozenset[Permission]


DEFAULT_GROUPS: dict[DefaultGroup, GroupPreset] = {
    DefaultGroup.ADMINISTRATORS: GroupPreset(
        "Administrators", "Everything in the admin dashboard", ALL_PERMISSIONS
    ),
    DefaultGroup.MODERATORS: GroupPreset(
        "Moderators",
        "Moderate reviews and keep stock levels",
        frozenset({Permission.INVENTORY, Permission.REVIEWS}),
    ),
    DefaultGroup.FULFILMENT: GroupPreset(
        "Fulfilment",
        "See orders, ship and deliver them, receive returns",
        frozenset({Permission.ORDERS_VIEW, Permission.ORDERS_FULFIL}),
    ),
}


def require_permission(actor: Viewer | None, permission: Permission, what: str) -> Viewer:
    """The actor, if one of their staff groups allows `permission`."""
    if actor is None or permission not in actor.permissions:
        raise PermissionDeniedError(
            f"You need the “{PERMISSION_LABELS[permission]}” permission to {what}."
        )
    return actor
