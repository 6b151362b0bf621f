"""Liveness checks of the services the shop depends on."""

from sqlalchemy import text

from backend.core.db import session_scope


async def check_database() -> None:
    """Raises if PostgreSQL cannot answer a trivial query."""
    async with session_scope() as session:
        await session.exec(text("SELECT 1"))  # type: ignore[call-overload]  # SQLModel's exec() overloads take no TextClause
