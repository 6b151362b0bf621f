"""Administrators run the catalog from the dashboard: a new product with images goes live
in the storefront and search; bulk changes; categories and brands."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import httpx
from PIL import Image
from playwright.sync_api import Page, expect

from backend.accounts.permissions import DefaultGroup
from backend.accounts.roles import RoleName
from tests.e2e.data import (
    PASSWORD,
    create_account,
    create_category,
    create_product,
    product_skus_starting_with,
    run,
    wait_until_searchable,
)
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.storefront import Storefront


def _picture(path: Path, colour: str) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:32]


def _sign_in_as_admin(page: Page, unique: str, section: str) -> AdminDashboard:
    admin = AdminDashboard(page).open_signed_in(
        create_account("a" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS, RoleName.USER})),
        PASSWORD,
    )
    admin.go_to(section)
    return admin


def test_a_new_product_with_images_is_sold_and_found(
    page: Page, unique: str, tmp_path: Path
) -> None:
    category_name = f"Ceramics {unique}"
    create_category(unique, name=category_name)
    name = f"Glazed Pitcher {unique}"
    _sign_in_as_admin(page, unique, "Products")
    page.get_by_role("link", name="New product").click()
    expect(page.get_by_label("Currency")).to_have_value("USD")  # the form is ready

    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("SKU").fill(f"PITCH-{unique}")
    page.get_by_label("Price").fill("-3")
    page.get_by_role("combobox", name="Category").click()
    page.get_by_role("option", name=category_name).click()
    page.get_by_role("textbox", name="Attribute name").fill("colour")
    page.get_by_role("textbox", name="Attribute value").fill("teal")
    page.get_by_role("button", name="Create product").click()
    expect(page.get_by_text("The price cannot be negative.")).to_be_visible()
    expect(page.get_by_label("Price")).to_have_attribute("aria-invalid", "true")

    red, blue = (
        _picture(tmp_path / "red.png", "#c0392b"),
        _picture(tmp_path / "blue.png", "#2e86c1"),
    )
    page.locator("input[type=file]").set_input_files([red, blue])
    page.get_by_role("button", name="Upload chosen images").click()
    expect(page.get_by_role("img", name=re.compile(r"^Product image \d$"))).to_have_count(2)
    page.get_by_role("button", name="Move image 2 earlier").click()
    expect(page.get_by_role("img", name="Product image 1")).to_have_attribute(
        "src", re.compile(_digest(blue))
    )  # moved before the next click picks "image 2"
    page.get_by_role("button", name="Remove image 2").click()  # red, now second
    expect(page.get_by_role("img", name=re.compile(r"^Product image \d$"))).to_have_count(1)

    page.get_by_label("Price").fill("24.50")
    page.get_by_role("button", name="Create product").click()
    expect(page).to_have_url(re.compile(r"/admin/products/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    page.screenshot(path="var/test-results/admin-product-editor.png", full_page=True)

    wait_until_searchable(name)
    shop = Storefront(page).open("/")
    shop.search(name)
    expect(shop.product_link(name)).to_be_visible()
    shop.product_link(name).click()
    expect(shop.heading(name)).to_be_visible()
    expect(page.get_by_text("$24.50").first).to_be_visible()
    expect(page.get_by_text("teal")).to_be_visible()
    picture = page.get_by_role("img", name=name).first
    expect(picture).to_have_attribute("src", re.compile(_digest(blue)))


def test_bulk_hide_and_reprice_from_the_table(page: Page, unique: str) -> None:
    category = create_category(unique, name=f"Bulk {unique}")
    for n, price in enumerate(("10.00", "19.99")):
        create_product(
            f"b{n}{unique}", name=f"Bulk Bowl {n} {unique}", price=price, category_id=category
        )
    _sign_in_as_admin(page, unique, "Products")
    page.get_by_role("textbox", name="Search products by name or SKU").fill("Bulk Bowl")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("combobox", name="Category").click()
    page.get_by_role("option", name=f"Bulk {unique}").click()
    rows = page.get_by_role("row").filter(has_text=unique)
    expect(rows).to_have_count(2)

    page.get_by_role("checkbox", name="Select every product on this page").click()
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_text("2 products hidden from the storefront.")).to_be_visible()
    expect(rows.filter(has_text="Hidden")).to_have_count(2)

    page.get_by_role("checkbox", name=f"Select Bulk Bowl 1 {unique}").click()
    page.get_by_role("textbox", name="Change prices by percent").fill("10")
    page.get_by_role("button", name="Change prices").click()
    expect(page.get_by_text("1 prices changed by +10 %.")).to_be_visible()
    expect(rows.filter(has_text="Bulk Bowl 1")).to_contain_text("$21.99")
    expect(rows.filter(has_text="Bulk Bowl 0")).to_contain_text("$10.00")
    page.screenshot(path="var/test-results/admin-products.png", full_page=True)


def test_categories_nest_and_a_used_one_cannot_be_deleted(page: Page, unique: str) -> None:
    _sign_in_as_admin(page, unique, "Categories")
    page.get_by_label("Name", exact=True).fill(f"Garden {unique}")
    page.get_by_role("button", name="Create category").click()
    expect(page.get_by_text(f"Category “Garden {unique}” created.")).to_be_visible()

    page.get_by_label("Name", exact=True).fill(f"Pots {unique}")
    page.get_by_role("combobox", name="Parent category").click()
    page.get_by_role("option", name=f"Garden {unique}").click()
    page.get_by_role("button", name="Create category").click()
    garden = page.get_by_role("row").filter(has_text=f"Garden {unique}")
    expect(garden).to_contain_text("1")  # one subcategory

    page.get_by_role("button", name=f"Delete Garden {unique}").click()
    page.get_by_role("button", name=f"Confirm delete Garden {unique}").click()
    expect(page.get_by_text(f"“Garden {unique}” still has 1 subcategory")).to_be_visible()

    page.get_by_label("New brand").fill(f"Loam {unique}")
    page.get_by_role("button", name="Add brand").click()
    expect(page.get_by_role("row").filter(has_text=f"Loam {unique}")).to_be_visible()
    page.screenshot(path="var/test-results/admin-catalog.png", full_page=True)

    page.get_by_role("button", name=f"Delete Pots {unique}").click()
    page.get_by_role("button", name=f"Confirm delete Pots {unique}").click()
    expect(page.get_by_text("Category deleted.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=f"Pots {unique}")).to_have_count(0)


def _import_file(path: Path, unique: str, category_slug: str) -> Path:
    """1,000 products; rows 101, 502 and 903 (as a spreadsheet numbers them) are bad."""
    lines = ["sku,name,price,category,stock_quantity"]
    for row in range(2, 1002):
        sku, price, category = f"IMP-{unique}-{row}", f"{row % 90 + 5}.50", category_slug
        if row == 101:
            price = "-4.00"
        elif row == 502:
            category = f"no-such-category-{unique}"
        elif row == 903:
            sku = "bad sku!"
        lines.append(f"{sku},Imported Jar {row} {unique},{price},{category},{row % 7}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_csv_import_reports_exactly_the_bad_rows_and_imports_the_rest(
    page: Page, unique: str, tmp_path: Path, base_url: str
) -> None:
    create_category(unique)  # its address is cat-<unique>
    csv_file = _import_file(tmp_path / "products.csv", unique, f"cat-{unique}")
    _sign_in_as_admin(page, unique, "Products")
    page.get_by_role("link", name="Import / export").click()
    page.locator("input[type=file]").set_input_files(csv_file)
    page.get_by_role("button", name="Preview import").click()

    expect(page.get_by_role("group", name="To create")).to_contain_text("997")
    expect(page.get_by_role("group", name="Rejected")).to_contain_text("3")
    rejected = page.get_by_role("row").filter(has_text=re.compile(r"Row \d+: "))
    expect(rejected).to_have_count(3)
    expect(rejected.nth(0)).to_contain_text("Row 101: price — The price cannot be negative.")
    expect(rejected.nth(1)).to_contain_text("Row 502: category")
    expect(rejected.nth(2)).to_contain_text("Row 903: sku")
    page.screenshot(path="var/test-results/admin-import-preview.png", full_page=True)

    page.get_by_role("button", name="Confirm import").click()
    expect(page.get_by_text("997 created, 0 updated, 0 unchanged, 3 rejected.")).to_be_visible(
        timeout=60_000
    )
    imported = run(lambda: product_skus_starting_with(f"IMP-{unique}-"))
    assert len(imported) == 997
    assert {f"IMP-{unique}-{row}" for row in (101, 502, 903)}.isdisjoint(imported)
    # The worker indexes the batches (997 products: up to a minute on a loaded machine).
    wait_until_searchable(f"Imported Jar 1001 {unique}", within=60)

    download = page.request.get("/admin/download/products.csv")
    assert download.status == 200
    assert f"IMP-{unique}-2," in download.text()
    assert httpx.get(f"{base_url}/admin/download/products.csv").status_code == 401
