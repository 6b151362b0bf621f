"""Staff adjust stock with a reason; the history says who did it and the shop shows it."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from backend.accounts.permissions import DefaultGroup
from tests.e2e.data import PASSWORD, create_account, create_product
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.storefront import Storefront


def test_a_moderator_restocks_a_sold_out_product(page: Page, unique: str) -> None:
    slug = create_product(f"i{unique}", name=f"Restock Vase {unique}", stock=0)
    shop = Storefront(page).open(f"/products/{slug}")
    expect(page.get_by_role("button", name="Sold out")).to_be_visible()

    admin = AdminDashboard(page).open()
    admin.sign_in_form.sign_in(
        create_account("m" + unique, roles=frozenset({DefaultGroup.MODERATORS})), PASSWORD
    )
    admin.go_to("Inventory")
    page.get_by_role("textbox", name="Product SKU").fill(f"E2E-i{unique}")
    page.get_by_role("button", name="Find").click()
    page.get_by_label("Change").fill("7")
    page.get_by_role("combobox", name="Reason").click()
    page.get_by_role("option", name="Restock").click()
    page.get_by_label("Note (optional)").fill("Pallet 12")
    page.get_by_role("button", name="Save adjustment").click()

    expect(page.get_by_text("Stock is now 7.")).to_be_visible()
    history = page.get_by_role("row").filter(has_text="Pallet 12")
    expect(history).to_contain_text("+7")
    expect(history).to_contain_text(f"e2e_m{unique}")
    page.screenshot(path="var/test-results/admin-inventory.png")

    shop.open(f"/products/{slug}")
    expect(page.get_by_text("In stock")).to_be_visible()
    expect(page.get_by_role("button", name="Add to cart")).to_be_enabled()
