"""What a wishlist looks like to the pages and the API: saved products priced now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backend.catalog.schemas import ProductSummary


@dataclass(frozen=True)
class SavedProduct:
    product: ProductSummary
    saved_at: datetime

    @property
    def available(self) -> bool:
        return self.product.is_active and self.product.stock_quantity > 0

    @property
    def availability(self) -> str:
        if not self.product.is_active:
            return "No longer sold"
        return self.product.stock_display


@dataclass(frozen=True)
class WishlistView:
    items: tuple[SavedProduct, ...]
    share_token: str | None


@dataclass(frozen=True)
class MoveResult:
    moved: bool
    message: str
