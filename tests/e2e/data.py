"""Test data for browser tests, made through the backend services (not through the UI).

Playwright's sync API keeps an event loop running in the test's thread, so each backend
call runs on a thread of its own, in a fresh event loop, and closes its pooled connections
before that loop ends.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import TypeVar

from backend.accounts import services as accounts
from backend.accounts.roles import RoleName
from backend.catalog import services as catalog
from backend.catalog.inputs import CategoryCreate, ProductCreate
from backend.core.db import dispose_engine, forget_engine
from backend.core.redis import close_redis, forget_redis

T = TypeVar("T")

PASSWORD = "correct horse battery staple"


def run(call: Callable[[], Awaitable[T]]) -> T:
    async def once() -> T:
        # Connections made in other event loops cannot be used (or closed) from this one.
        forget_engine()
        forget_redis()
        try:
            return await call()
        finally:
            await dispose_engine()
            await close_redis()

    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, once()).result()


def create_category(unique: str) -> uuid.UUID:
    return run(
        lambda: catalog.create_category(CategoryCreate(name=f"Cat {unique}", slug=f"cat-{unique}"))
    )


def create_product(
    unique: str, *, price: str = "19.99", stock: int = 10, name: str = ""
) -> uuid.UUID:
    category_id = create_category(unique)
    return run(
        lambda: catalog.create_product(
            ProductCreate(
                name=name or f"Product {unique}",
                sku=f"E2E-{unique}",
                price=Decimal(price),
                category_id=category_id,
                stock_quantity=stock,
            )
        )
    )


def create_account(unique: str, *, roles: frozenset[RoleName]) -> str:
    """Returns the e-mail; the password is PASSWORD."""
    email = f"e2e-{unique}@example.com"

    async def make() -> None:
        await accounts.ensure_roles()
        await accounts.create_user(
            username=f"e2e_{unique}",
            email=email,
            password=PASSWORD,
            first_name="Erin",
            last_name=f"Tester {unique[:4]}",
            status="active",
            email_verified=True,
            roles=roles,
        )

    run(make)
    return email
