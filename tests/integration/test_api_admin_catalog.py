"""The catalog's admin API (issue #25): categories and brands, the staff products table
and its bulk actions, a product's options and variants, picture uploads and the two-step
CSV import, through the same services as the admin pages, for staff with the catalog
permission only."""

from __future__ import annotations

import io
import uuid
from decimal import Decimal

import httpx
import pytest
from PIL import Image

from backend.accounts.permissions import Permission
from backend.accounts.schemas import Viewer
from backend.catalog import queries
from backend.catalog.inputs import CategoryCreate
from backend.core.errors import InvalidInputError
from backend.core.validation import parse_input
from tests.fixtures.api_client import StaffWith, assert_problem, bearer
from tests.fixtures.catalog import MakeProduct


def png(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 90, 40)).save(out, "PNG")
    return out.getvalue()


async def tree(api: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, object]]:
    response = await api.get("/admin/categories", headers=headers)
    assert response.status_code == 200, response.text
    rows: list[dict[str, object]] = response.json()
    return rows


# --- categories ---------------------------------------------------------------------------


async def test_catalog_staff_build_nest_reorder_and_delete_categories(
    api: httpx.AsyncClient, staff_with: StaffWith, unique: str
) -> None:
    staff = await staff_with(Permission.CATALOG)
    made = await api.post(
        "/admin/categories",
        json={"name": f"Outerwear {unique}", "description": "Coats"},
        headers=staff,
    )
    assert made.status_code == 201, made.text
    parent = made.json()
    assert parent["slug"] == f"outerwear-{unique}"
    assert (parent["parent_id"], parent["depth"], parent["product_count"]) == (None, 0, 0)
    assert made.headers["location"] == f"/api/v1/admin/categories/{parent['id']}"

    children = []
    for name in ("Jackets", "Coats"):
        child = await api.post(
            "/admin/categories",
            json={"name": f"{name} {unique}", "parent_id": parent["id"]},
            headers=staff,
        )
        assert child.status_code == 201, child.text
        children.append(child.json())
    assert [c["position"] for c in children] == [0, 1]

    moved = await api.post(
        f"/admin/categories/{children[1]['id']}/move", json={"offset": -1}, headers=staff
    )
    assert moved.status_code == 200, moved.text
    order = [row["id"] for row in moved.json() if row["parent_id"] == parent["id"]]
    assert order == [children[1]["id"], children[0]["id"]]

    renamed = await api.put(
        f"/admin/categories/{children[0]['id']}",
        json={"name": f"Rain jackets {unique}", "description": "Dry", "parent_id": None},
        headers=staff,
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == f"Rain jackets {unique}"
    assert renamed.json()["parent_id"] is None
    assert renamed.json()["slug"] == f"jackets-{unique}"  # its address is kept
    seen = await api.get(f"/admin/categories/{children[0]['id']}", headers=staff)
    assert (seen.json()["description"], seen.json()["depth"]) == ("Dry", 0)
    parent_now = await api.get(f"/admin/categories/{parent['id']}", headers=staff)
    assert parent_now.json()["child_count"] == 1

    in_use = await api.delete(f"/admin/categories/{parent['id']}", headers=staff)
    assert "1 subcategory" in assert_problem(in_use, 409)["detail"]
    assert (await api.get(f"/admin/categories/{parent['id']}", headers=staff)).status_code == 200

    for category in (children[1], parent, children[0]):
        gone = await api.delete(f"/admin/categories/{category['id']}", headers=staff)
        assert gone.status_code == 204, gone.text
    assert_problem(await api.get(f"/admin/categories/{parent['id']}", headers=staff), 404)


async def test_category_input_is_checked_and_nothing_is_half_written(
    api: httpx.AsyncClient, staff_with: StaffWith, unique: str, make_product: MakeProduct
) -> None:
    staff = await staff_with(Permission.CATALOG)
    empty = await api.post("/admin/categories", json={"name": ""}, headers=staff)
    assert "name" in assert_problem(empty, 400)["errors"]
    bad_slug = await api.post(
        "/admin/categories", json={"name": "Hats", "slug": "Not A Slug!"}, headers=staff
    )
    assert "slug" in assert_problem(bad_slug, 400)["errors"]
    # The admin page's form too: an address longer than the column holds is refused.
    with pytest.raises(InvalidInputError) as too_long:
        parse_input(CategoryCreate, {"name": "Hats", "slug": "h" * 121})
    assert "slug" in too_long.value.field_errors

    parent = (
        await api.post("/admin/categories", json={"name": f"Bags {unique}"}, headers=staff)
    ).json()
    child = (
        await api.post(
            "/admin/categories",
            json={"name": f"Totes {unique}", "parent_id": parent["id"]},
            headers=staff,
        )
    ).json()
    loop = await api.put(
        f"/admin/categories/{parent['id']}",
        json={"name": f"Bags renamed {unique}", "parent_id": child["id"]},
        headers=staff,
    )
    assert "parent_id" in assert_problem(loop, 400)["errors"]
    still = (await api.get(f"/admin/categories/{parent['id']}", headers=staff)).json()
    assert (still["name"], still["parent_id"]) == (f"Bags {unique}", None)

    taken = await api.post(
        "/admin/categories", json={"name": "Other", "slug": parent["slug"]}, headers=staff
    )
    assert assert_problem(taken, 409)["errors"] == {"slug": taken.json()["detail"]}
    assert not [row for row in await tree(api, staff) if row["name"] == "Other"]

    unknown = uuid.uuid4()
    assert_problem(
        await api.put(f"/admin/categories/{unknown}", json={"name": "X"}, headers=staff), 404
    )
    assert_problem(await api.delete(f"/admin/categories/{unknown}", headers=staff), 404)
    assert_problem(
        await api.post(f"/admin/categories/{unknown}/move", json={"offset": 1}, headers=staff),
        404,
    )

    # A category with products is refused, with the count.
    product_id = await make_product()
    record = await queries.get_product(product_id)
    used = await api.delete(f"/admin/categories/{record.category_id}", headers=staff)
    assert "1 product" in assert_problem(used, 409)["detail"]


async def test_only_catalog_staff_reach_the_catalog_admin_routes(
    api: httpx.AsyncClient, staff_with: StaffWith, shopper_viewer: Viewer
) -> None:
    shopper = await bearer(shopper_viewer)
    stock_clerk = await staff_with(Permission.INVENTORY)
    some = uuid.uuid4()
    calls = [
        ("GET", "/admin/categories", None),
        ("POST", "/admin/categories", {"name": "Nope"}),
        ("PUT", f"/admin/categories/{some}", {"name": "Nope"}),
        ("DELETE", f"/admin/categories/{some}", None),
        ("POST", f"/admin/categories/{some}/move", {"offset": 1}),
        ("GET", "/admin/brands", None),
        ("POST", "/admin/brands", {"name": "Nope"}),
        ("PUT", f"/admin/brands/{some}", {"name": "Nope"}),
        ("DELETE", f"/admin/brands/{some}", None),
        ("GET", "/admin/products", None),
        ("POST", "/admin/products/bulk-active", {"product_ids": [str(some)], "active": False}),
        ("POST", "/admin/products/bulk-price-change", {"product_ids": [str(some)], "percent": 5}),
        ("POST", "/admin/variant-matrix", {"options": [{"name": "Size", "values": ["S"]}]}),
        ("PUT", f"/admin/products/{some}/variants", {"variants": []}),
        ("POST", "/admin/product-imports", {"token": "x" * 24}),
    ]
    for method, path, body in calls:
        assert_problem(await api.request(method, path, json=body), 401)
        # 403 before the body is looked at (the bodies above are not all valid).
        assert_problem(await api.request(method, path, json=body, headers=shopper), 403)
        assert_problem(await api.request(method, path, json=body, headers=stock_clerk), 403)
    upload = {"file": ("a.png", png(), "image/png")}
    assert_problem(await api.post(f"/admin/products/{some}/images", files=upload), 401)
    assert_problem(
        await api.post(f"/admin/products/{some}/images", files=upload, headers=stock_clerk), 403
    )
    csv = {"content-type": "text/csv"}
    assert_problem(
        await api.post(
            "/admin/product-imports/previews", content=b"sku", headers={**csv, **shopper}
        ),
        403,
    )


# --- brands -------------------------------------------------------------------------------


async def test_catalog_staff_add_rename_and_delete_brands(
    api: httpx.AsyncClient, staff_with: StaffWith, unique: str, make_product: MakeProduct
) -> None:
    staff = await staff_with(Permission.CATALOG)
    made = await api.post("/admin/brands", json={"name": f"Fjell {unique}"}, headers=staff)
    assert made.status_code == 201, made.text
    brand = made.json()
    assert (brand["name"], brand["product_count"]) == (f"Fjell {unique}", 0)
    assert made.headers["location"] == f"/api/v1/admin/brands/{brand['id']}"

    twice = await api.post("/admin/brands", json={"name": f"Fjell {unique}"}, headers=staff)
    assert "name" in assert_problem(twice, 409)["errors"]
    empty = await api.post("/admin/brands", json={"name": "  "}, headers=staff)
    assert "name" in assert_problem(empty, 400)["errors"]
    named = [b for b in (await api.get("/admin/brands", headers=staff)).json()]
    assert [b["id"] for b in named if b["name"] == f"Fjell {unique}"] == [brand["id"]]

    product_id = await make_product(brand=f"Fjell {unique}")
    renamed = await api.put(
        f"/admin/brands/{brand['id']}", json={"name": f"Fjellvik {unique}"}, headers=staff
    )
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["name"], renamed.json()["product_count"]) == (f"Fjellvik {unique}", 1)
    product = (await api.get(f"/products/{product_id}")).json()
    assert product["brand"] == f"Fjellvik {unique}"

    in_use = await api.delete(f"/admin/brands/{brand['id']}", headers=staff)
    assert_problem(in_use, 409)
    assert (await api.get(f"/admin/brands/{brand['id']}", headers=staff)).status_code == 200

    spare = (
        await api.post("/admin/brands", json={"name": f"Spare {unique}"}, headers=staff)
    ).json()
    assert (await api.delete(f"/admin/brands/{spare['id']}", headers=staff)).status_code == 204
    assert_problem(await api.get(f"/admin/brands/{spare['id']}", headers=staff), 404)
    assert_problem(
        await api.put(f"/admin/brands/{spare['id']}", json={"name": "Back"}, headers=staff), 404
    )
    assert_problem(await api.delete(f"/admin/brands/{spare['id']}", headers=staff), 404)


# --- the staff products table and bulk actions --------------------------------------------


async def test_the_staff_table_finds_hidden_and_low_products_and_bulk_actions_change_them(
    api: httpx.AsyncClient, staff_with: StaffWith, unique: str, make_product: MakeProduct
) -> None:
    staff = await staff_with(Permission.CATALOG)
    first = await make_product(name=f"Lamp {unique} A", stock_quantity=2, price=Decimal("10.00"))
    second = await make_product(name=f"Lamp {unique} B", stock_quantity=50)
    listed = await api.get("/admin/products", params={"text": f"lamp {unique}"}, headers=staff)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert {item["id"] for item in body["items"]} == {str(first), str(second)}
    assert body["pagination"] == {
        "page": 1,
        "limit": 25,
        "total": 2,
        "pages": 1,
        "has_next": False,
        "has_previous": False,
    }
    low = await api.get("/admin/products", params={"text": unique, "stock": "low"}, headers=staff)
    assert [item["id"] for item in low.json()["items"]] == [str(first)]
    paged = await api.get(
        "/admin/products",
        params={"text": unique, "sort": "name", "limit": 1, "page": 2},
        headers=staff,
    )
    assert [item["name"] for item in paged.json()["items"]] == [f"Lamp {unique} B"]
    assert paged.json()["pagination"]["has_previous"] is True

    hidden = await api.post(
        "/admin/products/bulk-active",
        json={"product_ids": [str(first), str(second)], "active": False},
        headers=staff,
    )
    assert hidden.json() == {"changed": 2}
    found = await api.get(
        "/admin/products", params={"text": unique, "status": "hidden"}, headers=staff
    )
    assert len(found.json()["items"]) == 2
    assert all(not item["is_active"] for item in found.json()["items"])
    assert (await api.get(f"/products/{first}")).status_code == 404  # gone from the shop

    raised = await api.post(
        "/admin/products/bulk-price-change",
        json={"product_ids": [str(first)], "percent": "10"},
        headers=staff,
    )
    assert raised.json() == {"changed": 1}
    seen = await api.get("/admin/products", params={"text": f"Lamp {unique} A"}, headers=staff)
    assert seen.json()["items"][0]["price"] == "11.00"


async def test_bulk_actions_refuse_bad_input_and_change_nothing(
    api: httpx.AsyncClient, staff_with: StaffWith, unique: str, make_product: MakeProduct
) -> None:
    staff = await staff_with(Permission.CATALOG)
    product_id = await make_product(price=Decimal("10.00"))
    none = await api.post(
        "/admin/products/bulk-active", json={"product_ids": [], "active": True}, headers=staff
    )
    assert "product_ids" in assert_problem(none, 400)["errors"]
    zero = await api.post(
        "/admin/products/bulk-price-change",
        json={"product_ids": [str(product_id)], "percent": 0},
        headers=staff,
    )
    assert "percent" in assert_problem(zero, 400)["errors"]
    too_low = await api.post(
        "/admin/products/bulk-price-change",
        json={"product_ids": [str(product_id)], "percent": -95},
        headers=staff,
    )
    assert "percent" in assert_problem(too_low, 400)["errors"]
    with_was = await make_product(price=Decimal("10.00"))
    variant = (await api.get(f"/products/{with_was}")).json()["variants"][0]
    was = await api.patch(
        f"/products/{with_was}/variants/{variant['id']}",
        json={"compare_at_price": "10.50"},
        headers=staff,
    )
    assert was.status_code == 200, was.text
    # +10 % would take it past its compare-at price: nothing changes, not even the other.
    refused = await api.post(
        "/admin/products/bulk-price-change",
        json={"product_ids": [str(product_id), str(with_was)], "percent": 10},
        headers=staff,
    )
    assert "compare-at" in assert_problem(refused, 400)["detail"]
    prices = {(await queries.get_product(p)).summary.price for p in (product_id, with_was)}
    assert prices == {Decimal("10.00")}
    bad_filter = await api.get("/admin/products", params={"stock": "plenty"}, headers=staff)
    assert "stock" in assert_problem(bad_filter, 400)["errors"]


# --- options and variants -----------------------------------------------------------------


async def test_catalog_staff_save_a_products_options_and_variants(
    api: httpx.AsyncClient, staff_with: StaffWith, unique: str, make_product: MakeProduct
) -> None:
    staff = await staff_with(Permission.CATALOG)
    matrix = await api.post(
        "/admin/variant-matrix",
        json={
            "options": [
                {"name": "Size", "values": ["S", "M"]},
                {"name": "Colour", "values": ["Navy", "Red"]},
            ]
        },
        headers=staff,
    )
    assert matrix.status_code == 200, matrix.text
    assert matrix.json()["combinations"] == [
        ["S", "Navy"],
        ["S", "Red"],
        ["M", "Navy"],
        ["M", "Red"],
    ]
    twice = await api.post(
        "/admin/variant-matrix",
        json={"options": [{"name": "Size", "values": ["S", "s"]}]},
        headers=staff,
    )
    assert_problem(twice, 400)

    product_id = await make_product(stock_quantity=7)
    before = (await api.get(f"/products/{product_id}", headers=staff)).json()
    existing = before["variants"][0]
    saved = await api.put(
        f"/admin/products/{product_id}/variants",
        json={
            "options": [{"name": "Size", "values": ["S", "M"]}],
            "variants": [
                {
                    "id": existing["id"],
                    "sku": f"V-{unique}-S",
                    "price": "20.00",
                    "option_values": ["S"],
                },
                {
                    "sku": f"V-{unique}-M",
                    "price": "22.00",
                    "compare_at_price": "30.00",
                    "option_values": ["M"],
                    "stock_quantity": 4,
                },
            ],
            "default_sku": f"V-{unique}-M",
        },
        headers=staff,
    )
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["options"] == [{"name": "Size", "values": ["S", "M"]}]
    by_sku = {v["sku"]: v for v in body["variants"]}
    assert by_sku[f"V-{unique}-S"]["id"] == existing["id"]
    assert by_sku[f"V-{unique}-S"]["stock_quantity"] == 7  # kept its stock
    assert by_sku[f"V-{unique}-M"]["stock_quantity"] == 4
    assert by_sku[f"V-{unique}-M"]["is_default"] is True
    shown = (await api.get(f"/products/{product_id}")).json()
    assert (shown["sku"], shown["price"], shown["stock_quantity"]) == (
        f"V-{unique}-M",
        "20.00",
        11,
    )


async def test_variant_sets_that_do_not_fit_are_refused_whole(
    api: httpx.AsyncClient, staff_with: StaffWith, unique: str, make_product: MakeProduct
) -> None:
    staff = await staff_with(Permission.CATALOG)
    product_id = await make_product()
    other = await queries.get_product(await make_product())
    before = await queries.get_product(product_id)

    wrong_value = await api.put(
        f"/admin/products/{product_id}/variants",
        json={
            "options": [{"name": "Size", "values": ["S"]}],
            "variants": [
                {"sku": f"W-{unique}-1", "price": "5.00", "option_values": ["S"]},
                {"sku": f"W-{unique}-2", "price": "5.00", "option_values": ["XL"]},
            ],
        },
        headers=staff,
    )
    assert "XL" in str(assert_problem(wrong_value, 400)["errors"])
    too_many_values = await api.put(
        f"/admin/products/{product_id}/variants",
        json={"variants": [{"sku": "x", "price": "1.00", "option_values": ["a", "b", "c", "d"]}]},
        headers=staff,
    )
    assert "variants.0.option_values" in assert_problem(too_many_values, 400)["errors"]
    taken = await api.put(
        f"/admin/products/{product_id}/variants",
        json={"variants": [{"sku": other.summary.sku, "price": "5.00"}]},
        headers=staff,
    )
    assert_problem(taken, 409)
    after = await queries.get_product(product_id)
    assert [v.sku for v in after.variants] == [v.sku for v in before.variants]
    assert after.options == before.options

    unknown = await api.put(
        f"/admin/products/{uuid.uuid4()}/variants",
        json={"variants": [{"sku": f"N-{unique}", "price": "5.00"}]},
        headers=staff,
    )
    assert_problem(unknown, 404)


# --- images -------------------------------------------------------------------------------


async def test_catalog_staff_upload_a_products_pictures(
    api: httpx.AsyncClient, staff_with: StaffWith, make_product: MakeProduct
) -> None:
    staff = await staff_with(Permission.CATALOG)
    product_id = await make_product()
    picture = png((80, 60))
    uploaded = await api.post(
        f"/admin/products/{product_id}/images",
        files={"file": ("front.png", picture, "image/png")},
        headers=staff,
    )
    assert uploaded.status_code == 201, uploaded.text
    body = uploaded.json()
    assert (body["content_type"], body["width"], body["height"]) == ("image/png", 80, 60)
    assert body["url"].startswith("/media/")
    assert body["image_urls"] == [body["url"]]
    product = (await api.get(f"/products/{product_id}")).json()
    assert product["image_urls"] == [body["url"]]

    again = await api.post(
        f"/admin/products/{product_id}/images",
        files={"file": ("copy.png", picture, "image/png")},
        headers=staff,
    )
    assert again.json()["image_urls"] == [body["url"]]  # listed once


async def test_uploads_that_are_not_pictures_or_too_large_are_refused(
    api: httpx.AsyncClient, staff_with: StaffWith, make_product: MakeProduct
) -> None:
    staff = await staff_with(Permission.CATALOG)
    product_id = await make_product()
    path = f"/admin/products/{product_id}/images"
    text = await api.post(
        path, files={"file": ("notes.png", b"not a picture at all", "image/png")}, headers=staff
    )
    assert_problem(text, 415)
    huge = await api.post(
        path,
        files={"file": ("big.png", b"\x89PNG" + b"0" * (10 * 1024 * 1024), "image/png")},
        headers=staff,
    )
    assert_problem(huge, 413)
    no_file = await api.post(path, files={"other": ("a.txt", b"x", "text/plain")}, headers=staff)
    assert "file" in assert_problem(no_file, 400)["errors"]
    as_json = await api.post(path, json={"file": "x"}, headers=staff)
    assert_problem(as_json, 415)
    assert list((await queries.get_product(product_id)).image_urls) == []

    unknown = await api.post(
        f"/admin/products/{uuid.uuid4()}/images",
        files={"file": ("a.png", png(), "image/png")},
        headers=staff,
    )
    assert_problem(unknown, 404)


# --- CSV import ---------------------------------------------------------------------------


async def test_a_csv_import_is_previewed_then_applied_once(
    api: httpx.AsyncClient, staff_with: StaffWith, unique: str, category: uuid.UUID
) -> None:
    staff = await staff_with(Permission.CATALOG)
    slug = f"category-{unique}"
    csv = (
        "sku,name,price,category\n"
        f"CSV-{unique}-1,Imported mug {unique},12.50,{slug}\n"
        f"CSV-{unique}-2,Broken {unique},-4,{slug}\n"
    ).encode()
    preview = await api.post(
        "/admin/product-imports/previews",
        content=csv,
        headers={**staff, "content-type": "text/csv"},
    )
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert (body["file_rows"], body["create_count"], body["rejected_count"]) == (2, 1, 1)
    assert body["rejected"][0]["row"] == 3
    assert body["sample"][0] == {
        "row": 2,
        "sku": f"CSV-{unique}-1",
        "name": f"Imported mug {unique}",
        "action": "create",
        "changes": [],
    }
    listed = await api.get("/admin/products", params={"text": f"CSV-{unique}"}, headers=staff)
    assert listed.json()["items"] == []  # a preview writes nothing

    other_admin = await staff_with(Permission.CATALOG)
    stolen = await api.post(
        "/admin/product-imports", json={"token": body["token"]}, headers=other_admin
    )
    assert_problem(stolen, 409)

    applied = await api.post("/admin/product-imports", json={"token": body["token"]}, headers=staff)
    assert applied.status_code == 200, applied.text
    assert applied.json() == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "failed": [],
        "rejected": 1,
        "file_rows": 2,
    }
    listed = await api.get("/admin/products", params={"text": f"CSV-{unique}"}, headers=staff)
    assert [item["price"] for item in listed.json()["items"]] == ["12.50"]
    again = await api.post("/admin/product-imports", json={"token": body["token"]}, headers=staff)
    assert assert_problem(again, 409)["type"].endswith("import-expired")

    # The same file as a multipart upload: now an update of nothing.
    multipart = await api.post(
        "/admin/product-imports/previews",
        files={"file": ("products.csv", csv, "text/csv")},
        headers=staff,
    )
    assert multipart.status_code == 200, multipart.text
    assert (multipart.json()["unchanged_count"], multipart.json()["create_count"]) == (1, 0)


async def test_csv_files_that_cannot_be_read_are_refused(
    api: httpx.AsyncClient, staff_with: StaffWith
) -> None:
    staff = await staff_with(Permission.CATALOG)
    path = "/admin/product-imports/previews"
    csv = {**staff, "content-type": "text/csv"}
    no_columns = await api.post(path, content=b"name\nMug\n", headers=csv)
    assert_problem(no_columns, 400)
    too_large = await api.post(path, content=b"sku," + b"x" * (5 * 1024 * 1024), headers=csv)
    assert "5 MB" in assert_problem(too_large, 413)["detail"]
    as_json = await api.post(path, json={"csv": "sku"}, headers=staff)
    assert_problem(as_json, 415)
    bad_token = await api.post("/admin/product-imports", json={"token": "short"}, headers=staff)
    assert "token" in assert_problem(bad_token, 400)["errors"]
