"""The shop's name and legal line as the store settings say now (Admin → Settings): in the
header, the footer, the admin's sidebar and every tab title, loaded with each page, so a
rename shows on the next page anyone opens, without a rebuild or restart."""

from __future__ import annotations

import reflex as rx

from backend.shop_settings.values import store_settings
from ui.access import PublicState


class ShopIdentityState(PublicState):
    shop_name: str = ""
    legal_line: str = ""  # "Kestrel Goods Ltd · 1 Market Street, Leeds · VAT number GB…"

    @rx.event
    async def load(self) -> None:
        shop = await store_settings()
        vat = f"VAT number {shop.vat_number}" if shop.vat_number else ""
        self.shop_name = shop.shop_name
        self.legal_line = " · ".join(
            part for part in (shop.legal_name, shop.legal_address.replace("\n", ", "), vat) if part
        )


def shop_title(page: str | rx.Var[str] | None = None) -> rx.Var[str]:
    """A tab title: "Cart · Kestrel Goods", or the shop's name alone for `None`. Until the
    name has loaded (a few hundred milliseconds), the page's part alone."""
    name = ShopIdentityState.shop_name
    if page is None:
        return name
    part = page if isinstance(page, rx.Var) else rx.Var.create(page)
    return rx.cond(name != "", part + " · " + name, part).to(str)
