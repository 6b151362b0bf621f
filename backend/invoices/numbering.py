"""Document numbers without gaps: "INV-2026-00001", "CN-2026-00001", counting from 1 each
year (the shop's time zone) and per series.

`take` raises the series' counter with one `INSERT … ON CONFLICT DO UPDATE … RETURNING`,
which holds the counter's row lock until the caller's transaction ends: a second document
waits, and a document that is not written after all (its transaction rolls back) gives
its number back. So numbers are consecutive whatever runs at once, and never repeat.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

Series = Literal["invoice", "credit_note"]
PREFIXES: dict[str, str] = {"invoice": "INV", "credit_note": "CN"}

_TAKE = text(
    "INSERT INTO document_counters (series, year, last_number) VALUES (:series, :year, 1) "
    "ON CONFLICT (series, year) DO UPDATE SET last_number = document_counters.last_number + 1 "
    "RETURNING last_number"
)


async def take(session: AsyncSession, series: Series, year: int) -> int:
    """The series' next number in `year`, held by the caller's transaction."""
    result = await session.exec(_TAKE, params={"series": series, "year": year})  # type: ignore[call-overload]  # SQLModel's exec() overloads take no TextClause
    return int(result.scalar_one())


def document_number(series: Series, year: int, sequence: int) -> str:
    return f"{PREFIXES[series]}-{year}-{sequence:05d}"
