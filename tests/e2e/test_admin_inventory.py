"""Staff adjust stock with a reason; the history says who did it and the shop shows it."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from backend.accounts.permissions import DefaultGroup
from backend.accounts.roles import RoleName
from tests.e2e.data import PASSWORD, create_account, create_product, place_order_for
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.storefront import Storefront


def test_a_moderator_restocks_a_sold_out_product(page: Page, unique: str) -> None:
    slug = create_product(f"i{unique}", name=f"Restock Vase {unique}", stock=0)
    shop = Storefront(page).open(f"/products/{slug}")
    expect(page.get_by_role("button", name="Sold out")).to_be_visible()

    admin = AdminDashboard(page).open_signed_in(
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

    expect(page.get_by_text("Stock at Main warehouse is now 7.")).to_be_visible()
    history = page.get_by_role("row").filter(has_text="Pallet 12")
    expect(history).to_contain_text("+7")
    expect(history).to_contain_text(f"e2e_m{unique}")
    page.screenshot(path="var/test-results/admin-inventory.png")

    shop.open(f"/products/{slug}")
    expect(page.get_by_text("In stock")).to_be_visible()
    expect(page.get_by_role("button", name="Add to cart")).to_be_enabled()


def test_stock_moved_to_a_second_location_is_sold_and_shipped_from_there(
    page: Page, unique: str
) -> None:
    slug = create_product(f"l{unique}", name=f"Moved Lamp {unique}", stock=4)
    store = f"Riverside {unique}"
    admin = AdminDashboard(page).open_signed_in(
        create_account("l" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS})), PASSWORD
    )
    admin.go_to("Locations")
    page.get_by_label("Name").fill(store)
    page.get_by_label("Street").fill("2 River Road")
    page.get_by_label("City").fill("Springfield")
    page.get_by_label("Priority").fill("2")
    page.get_by_role("button", name="Add location").click()
    expect(page.get_by_text(f"{store} added.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=store)).to_contain_text("Sells online")
    page.screenshot(path="var/test-results/admin-locations.png", full_page=True)

    admin.go_to("Inventory")
    page.get_by_role("textbox", name="Product SKU").fill(f"E2E-l{unique}")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("combobox", name="From").click()
    page.get_by_role("option", name="Main warehouse").click()
    page.get_by_role("combobox", name="To").click()
    page.get_by_role("option", name=store).click()
    page.get_by_label("Quantity").fill("3")
    page.get_by_role("button", name="Move stock").click()
    expect(page.get_by_text(f"Moved 3 from Main warehouse to {store}.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=store).first).to_contain_text("3")
    expect(page.get_by_test_id("stock")).to_have_text("4")  # both sell online
    page.screenshot(path="var/test-results/admin-inventory-locations.png", full_page=True)

    # Two lamps: the main warehouse's last one (priority 1), then one from the store.
    number, _ = place_order_for(
        create_account("lb" + unique, roles=frozenset({RoleName.USER})),
        slug,
        paid=True,
        quantity=2,
    )

    page.goto(f"/admin/orders/{number}")
    expect(page.get_by_test_id("ships-from")).to_have_text(
        [f"Main warehouse: 1 × E2E-l{unique}", f"{store}: 1 × E2E-l{unique}"]
    )
    page.get_by_label("Carrier").fill("DHL")
    page.get_by_label("Tracking number, parcel from Main warehouse").fill("JD1")
    page.get_by_label(f"Tracking number, parcel from {store}").fill("JD2")
    page.screenshot(path="var/test-results/admin-order-two-parcels.png", full_page=True)
    page.get_by_role("button", name="Mark shipped").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Order: shipped")
    expect(page.get_by_label("Order timeline")).to_contain_text(
        f"DHL JD1 (from Main warehouse), JD2 (from {store})"
    )
