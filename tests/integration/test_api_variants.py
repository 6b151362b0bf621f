"""Products with options and variants through the REST API (issue #18): read, create with
variants, replace, patch one variant, add a variant to the cart, order lines name it."""

from __future__ import annotations

import uuid

import httpx

from backend.accounts.schemas import Viewer
from tests.integration.test_api_products import api, assert_problem, bearer

__all__ = ["api"]


def _jacket(category: uuid.UUID, unique: str) -> dict[str, object]:
    return {
        "name": f"Api Jacket {unique}",
        "sku": f"AJ-{unique}",
        "price": "80.00",
        "category_id": str(category),
        "options": [
            {"name": "Size", "values": ["M", "L"]},
            {"name": "Colour", "values": ["Navy", "Red"]},
        ],
        "variants": [
            {
                "sku": f"AJ-{unique}-{size}-{colour}",
                "price": "90.00" if size == "L" else "80.00",
                "options": {"Size": size, "Colour": colour},
                "stock_quantity": 0 if (size, colour) == ("M", "Red") else 3,
            }
            for size in ("M", "L")
            for colour in ("Navy", "Red")
        ],
        "default_sku": f"AJ-{unique}-M-Navy",
    }


async def test_a_product_with_variants_is_created_read_and_summarised(
    api: httpx.AsyncClient,
    category: uuid.UUID,
    admin_viewer: Viewer,
    unique: str,
) -> None:
    headers = await bearer(admin_viewer)
    created = await api.post("/products", json=_jacket(category, unique), headers=headers)
    assert created.status_code == 201, created.text
    product = created.json()
    assert product["options"] == [
        {"name": "Size", "values": ["M", "L"]},
        {"name": "Colour", "values": ["Navy", "Red"]},
    ]
    assert len(product["variants"]) == 4
    # The seed's fields: the lowest price, the default's SKU, the sum of the stock.
    assert (product["price"], product["sku"], product["stock_quantity"]) == (
        "80.00",
        f"AJ-{unique}-M-Navy",
        9,
    )
    by_sku = {variant["sku"]: variant for variant in product["variants"]}
    large_red = by_sku[f"AJ-{unique}-L-Red"]
    assert large_red["options"] == {"Size": "L", "Colour": "Red"}
    assert (large_red["price"], large_red["stock_quantity"]) == ("90.00", 3)

    public = (await api.get(f"/products/{product['id']}")).json()
    assert public["variants"] == product["variants"]
    one = await api.get(f"/products/{product['id']}/variants/{large_red['id']}")
    assert one.json() == large_red
    assert_problem(await api.get(f"/products/{product['id']}/variants/{uuid.uuid4()}"), 404)


async def test_bad_variant_sets_are_refused_and_write_nothing(
    api: httpx.AsyncClient,
    category: uuid.UUID,
    admin_viewer: Viewer,
    unique: str,
) -> None:
    headers = await bearer(admin_viewer)
    body = _jacket(category, unique)
    missing_colour = {
        **body,
        "variants": [{"sku": f"AJ-{unique}-x", "price": "1.00", "options": {"Size": "M"}}],
    }
    problem = assert_problem(await api.post("/products", json=missing_colour, headers=headers), 400)
    assert "variants.0.options" in problem["errors"]  # type: ignore[operator]
    twice = {**body, "variants": [body["variants"][0], body["variants"][0]]}  # type: ignore[index]
    assert_problem(await api.post("/products", json=twice, headers=headers), 400)
    listed = await api.get("/products", params={"limit": 100})
    assert f"Api Jacket {unique}" not in {item["name"] for item in listed.json()["items"]}


async def test_put_replaces_the_set_and_patch_changes_one_variant(
    api: httpx.AsyncClient,
    category: uuid.UUID,
    admin_viewer: Viewer,
    unique: str,
) -> None:
    headers = await bearer(admin_viewer)
    product = (await api.post("/products", json=_jacket(category, unique), headers=headers)).json()
    kept = next(v for v in product["variants"] if v["sku"] == f"AJ-{unique}-L-Navy")
    smaller = {
        **_jacket(category, unique),
        "options": [{"name": "Size", "values": ["L", "XL"]}],
        "variants": [
            {"sku": kept["sku"], "price": "95.00", "options": {"Size": "L"}},
            {"sku": f"AJ-{unique}-XL", "price": "99.00", "options": {"Size": "XL"}},
        ],
        "default_sku": None,
    }
    replaced = await api.put(f"/products/{product['id']}", json=smaller, headers=headers)
    assert replaced.status_code == 200, replaced.text
    variants = replaced.json()["variants"]
    assert [v["options"] for v in variants] == [{"Size": "L"}, {"Size": "XL"}]
    assert variants[0]["id"] == kept["id"]
    assert variants[0]["stock_quantity"] == 3  # named by its SKU: it keeps its stock

    patched = await api.patch(
        f"/products/{product['id']}/variants/{kept['id']}",
        json={"price": "85.00", "compare_at_price": "95.00"},
        headers=headers,
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["price"], patched.json()["compare_at_price"]) == ("85.00", "95.00")
    summary = (await api.get(f"/products/{product['id']}")).json()
    assert summary["price"] == "85.00"
    assert_problem(
        await api.patch(
            f"/products/{product['id']}/variants/{kept['id']}",
            json={"compare_at_price": "10.00"},
            headers=headers,
        ),
        400,
    )
    assert_problem(
        await api.patch(f"/products/{product['id']}/variants/{kept['id']}", json={"price": "1.00"}),
        401,
    )


async def test_the_cart_takes_a_variant_and_a_single_variant_product_by_its_id(
    api: httpx.AsyncClient,
    category: uuid.UUID,
    admin_viewer: Viewer,
    shopper_viewer: Viewer,
    unique: str,
) -> None:
    admin = await bearer(admin_viewer)
    jacket = (await api.post("/products", json=_jacket(category, unique), headers=admin)).json()
    mug = (
        await api.post(
            "/products",
            json={
                "name": f"Api Mug {unique}",
                "sku": f"AM-{unique}",
                "price": "9.00",
                "category_id": str(category),
                "stock_quantity": 5,
            },
            headers=admin,
        )
    ).json()
    shopper = await bearer(shopper_viewer)
    large_navy = next(v for v in jacket["variants"] if v["sku"] == f"AJ-{unique}-L-Navy")

    added = await api.post(
        "/cart/items", json={"variant_id": large_navy["id"], "quantity": 2}, headers=shopper
    )
    assert added.status_code == 200, added.text
    await api.post("/cart/items", json={"product_id": mug["id"]}, headers=shopper)
    lines = {
        line["sku"]: line for line in (await api.get("/cart", headers=shopper)).json()["lines"]
    }
    assert lines[f"AJ-{unique}-L-Navy"]["options"] == {"Size": "L", "Colour": "Navy"}
    assert lines[f"AJ-{unique}-L-Navy"]["variant_id"] == large_navy["id"]
    assert lines[f"AM-{unique}"]["options"] == {}

    choose = assert_problem(
        await api.post("/cart/items", json={"product_id": jacket["id"]}, headers=shopper), 400
    )
    assert "Choose a size" in str(choose["detail"])
    assert_problem(
        await api.post(
            "/cart/items",
            json={"product_id": mug["id"], "variant_id": large_navy["id"]},
            headers=shopper,
        ),
        400,
    )
    changed = await api.put(
        f"/cart/items/{large_navy['id']}", json={"quantity": 1}, headers=shopper
    )
    assert changed.status_code == 200
    placed = await api.post(
        "/orders",
        json={
            "email": "api-buyer@example.com",
            "full_name": "Api Buyer",
            "line1": "1 Road",
            "city": "Town",
            "postal_code": "12345",
            "country": "US",
            "shipping_method": "standard",
        },
        headers={**shopper, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert placed.status_code == 201, placed.text
    lines = {line["sku"]: line for line in placed.json()["lines"]}
    assert lines[f"AJ-{unique}-L-Navy"]["options"] == {"Size": "L", "Colour": "Navy"}
    assert lines[f"AJ-{unique}-L-Navy"]["variant_id"] == large_navy["id"]
    assert lines[f"AJ-{unique}-L-Navy"]["quantity"] == 1


async def test_a_marked_down_product_lists_its_was_price_and_only_above_its_price(
    api: httpx.AsyncClient, admin_viewer: Viewer, category: uuid.UUID, unique: str
) -> None:
    from decimal import Decimal

    from backend.catalog.variant_queries import variant_for_product
    from backend.catalog.variants import update_variants

    headers = await bearer(admin_viewer)
    created = await api.post(
        "/products",
        json={
            "name": f"Was {unique}",
            "sku": f"WAS-{unique}",
            "price": "40.00",
            "category_id": str(category),
        },
        headers=headers,
    )
    product_id = uuid.UUID(created.json()["id"])
    variant = await variant_for_product(product_id)

    async def listed() -> dict[str, object]:
        items = (await api.get("/products", params={"category": f"category-{unique}"})).json()[
            "items"
        ]
        return next(item for item in items if item["id"] == str(product_id))

    assert (await listed())["compare_at_price"] is None
    await update_variants(
        product_id, {variant: {"compare_at_price": Decimal("55.00")}}, actor=admin_viewer
    )
    assert (await listed())["compare_at_price"] == "55.00"
    # Priced up past it: the database refuses a compare-at at or below the price.
    refused = await api.patch(
        f"/products/{product_id}/variants/{variant}", json={"price": "60.00"}, headers=headers
    )
    assert_problem(refused, 400)
    assert (await listed())["compare_at_price"] == "55.00"
