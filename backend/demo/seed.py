"""Seed the demo catalog and demo accounts. Safe to run on every start: nothing is added twice.

python -m backend.demo.seed
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from backend.accounts import services as accounts
from backend.accounts.errors import DuplicateAccountError
from backend.accounts.roles import RoleName
from backend.catalog import queries as catalog_queries
from backend.catalog import services as catalog
from backend.catalog.errors import DuplicateSkuError
from backend.catalog.inputs import CategoryCreate, ProductCreate
from backend.core.db import dispose_engine
from backend.demo.catalog import DEMO_CATEGORIES, demo_products
from backend.settings import get_settings


@dataclass(frozen=True)
class DemoAccount:
    email: str
    username: str
    first_name: str
    last_name: str
    roles: frozenset[RoleName]


DEMO_ADMIN = DemoAccount(
    "admin@example.com", "admin", "Ada", "Admin", frozenset({RoleName.ADMIN, RoleName.USER})
)
DEMO_SHOPPER = DemoAccount(
    "shopper@example.com", "shopper", "Sam", "Shopper", frozenset({RoleName.USER})
)


@dataclass(frozen=True)
class SeedReport:
    categories_created: int
    products_created: int
    accounts_created: int


async def seed_demo_data() -> SeedReport:
    settings = get_settings()
    if settings.is_production:
        msg = "refusing to seed demo accounts and products into a production database"
        raise RuntimeError(msg)
    await accounts.ensure_roles()

    categories_created = 0
    category_ids = {}
    for position, category in enumerate(DEMO_CATEGORIES):
        existing = await catalog_queries.find_category_id(category.slug)
        if existing is None:
            existing = await catalog.create_category(
                CategoryCreate(
                    name=category.name,
                    slug=category.slug,
                    description=category.description,
                    position=position,
                )
            )
            categories_created += 1
        category_ids[category.slug] = existing

    products_created = 0
    for product in demo_products():
        try:
            await catalog.create_product(
                ProductCreate(
                    name=product.name,
                    description=product.description,
                    sku=product.sku,
                    price=product.price,
                    category_id=category_ids[product.category_slug],
                    brand=product.brand,
                    stock_quantity=product.stock_quantity,
                    attributes=product.attributes,
                )
            )
            products_created += 1
        except DuplicateSkuError:
            continue

    accounts_created = 0
    for account, password in (
        (DEMO_ADMIN, settings.demo_admin_password.get_secret_value()),
        (DEMO_SHOPPER, settings.demo_shopper_password.get_secret_value()),
    ):
        try:
            await accounts.create_user(
                username=account.username,
                email=account.email,
                password=password,
                first_name=account.first_name,
                last_name=account.last_name,
                status="active",
                email_verified=True,
                roles=account.roles,
            )
            accounts_created += 1
        except DuplicateAccountError:
            continue
    return SeedReport(categories_created, products_created, accounts_created)


async def _main() -> None:
    report = await seed_demo_data()
    await dispose_engine()
    print(  # noqa: T201
        f"Demo data: {report.categories_created} categories, {report.products_created} products, "
        f"{report.accounts_created} accounts added."
    )


if __name__ == "__main__":
    asyncio.run(_main())
