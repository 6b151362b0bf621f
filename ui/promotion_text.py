"""What promotions did, in words, for the receipts a shopper or staff member reads: the
checkout's review, the order page, the admin's order."""

from __future__ import annotations


def multibuy_row_label(titles: tuple[str, ...]) -> str:
    """The totals row of what multi-buys took off: the one's title, or "Multi-buy offers"."""
    return titles[0] if len(titles) == 1 else "Multi-buy offers"


def line_promotions(
    sale_title: str | None, was: str, multibuy_title: str | None, multibuy_off: str
) -> str:
    """What a line got, in words: "20 % off Outerwear (was $50.00) · Buy 2, get 1 free:
    −$10.00"; "" without a promotion."""
    parts = []
    if sale_title and was:
        parts.append(f"{sale_title} (was {was})")
    if multibuy_title:
        parts.append(f"{multibuy_title}: −{multibuy_off}")
    return " · ".join(parts)
