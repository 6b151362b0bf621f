"""Stock through the admin API (issue #25): stock locations, a variant found by SKU with
its stock at each location, adjustments and transfers between locations, the stock
ledger, and what shoppers wait for; staff with the inventory permission only, through the
services the admin inventory pages call. The tests make locations of their own that do
not sell online, and leave the main warehouse as it is."""

from __future__ import annotations

import uuid

import httpx

from backend.accounts.permissions import Permission
from backend.accounts.schemas import Viewer
from backend.stock_notices import services as stock_notices
from tests.fixtures.api_client import StaffWith, assert_problem, bearer
from tests.fixtures.catalog import MakeProduct

MAIN = "00000000-0000-4000-8000-000000000001"


async def new_location(
    api: httpx.AsyncClient, headers: dict[str, str], name: str, *, online: bool = False
) -> dict[str, object]:
    made = await api.post(
        "/admin/locations",
        json={
            "name": name,
            "address": {"line1": "2 River Road", "city": "Springfield", "country": "US"},
            "sells_online": online,
            "priority": 900,
        },
        headers=headers,
    )
    assert made.status_code == 201, made.text
    body: dict[str, object] = made.json()
    return body


async def test_inventory_staff_add_and_change_stock_locations(
    api: httpx.AsyncClient, staff_with: StaffWith, unique: str
) -> None:
    staff = await staff_with(Permission.INVENTORY)
    made = await api.post(
        "/admin/locations",
        json={
            "name": f"Back room {unique}",
            "address": {
                "line1": "1 Quay",
                "city": "Bristol",
                "postal_code": "BS1",
                "country": "GB",
            },
            "sells_online": False,
            "priority": 800,
        },
        headers=staff,
    )
    assert made.status_code == 201, made.text
    location = made.json()
    assert made.headers["location"] == f"/api/v1/admin/locations/{location['id']}"
    assert location["address"] == {
        "line1": "1 Quay",
        "city": "Bristol",
        "postal_code": "BS1",
        "country": "GB",
    }
    assert (location["sells_online"], location["priority"], location["units"]) == (False, 800, 0)
    listed = (await api.get("/admin/locations", headers=staff)).json()
    assert location["id"] in [row["id"] for row in listed]
    assert MAIN in [row["id"] for row in listed]

    changed = await api.put(
        f"/admin/locations/{location['id']}",
        json={
            "name": f"Shop floor {unique}",
            "address": {"city": "Bath"},
            "sells_online": False,
            "priority": 700,
        },
        headers=staff,
    )
    assert changed.status_code == 200, changed.text
    seen = (await api.get(f"/admin/locations/{location['id']}", headers=staff)).json()
    assert (seen["name"], seen["priority"]) == (f"Shop floor {unique}", 700)
    assert seen["address"] == {"line1": "", "city": "Bath", "postal_code": "", "country": ""}


async def test_location_input_is_checked_and_nothing_is_half_written(
    api: httpx.AsyncClient, staff_with: StaffWith, unique: str
) -> None:
    staff = await staff_with(Permission.INVENTORY)
    location = await new_location(api, staff, f"Annex {unique}")
    other = await new_location(api, staff, f"Loft {unique}")

    same_name = await api.post(
        "/admin/locations",
        json={"name": f"annex {unique}", "sells_online": False, "priority": 5},
        headers=staff,
    )
    assert "name" in assert_problem(same_name, 400)["errors"]
    renamed_onto = await api.put(
        f"/admin/locations/{other['id']}",
        json={"name": f"Annex {unique}", "sells_online": False, "priority": 900},
        headers=staff,
    )
    assert "name" in assert_problem(renamed_onto, 400)["errors"]
    priority = await api.put(
        f"/admin/locations/{location['id']}",
        json={"name": "Changed", "sells_online": False, "priority": 0},
        headers=staff,
    )
    assert "priority" in assert_problem(priority, 400)["errors"]
    blank = await api.post(
        "/admin/locations", json={"name": "", "sells_online": False, "priority": 5}, headers=staff
    )
    assert "name" in assert_problem(blank, 400)["errors"]
    long_city = await api.post(
        "/admin/locations",
        json={
            "name": f"Far {unique}",
            "address": {"city": "x" * 121},
            "sells_online": False,
            "priority": 5,
        },
        headers=staff,
    )
    assert "address.city" in assert_problem(long_city, 400)["errors"]

    names = [row["name"] for row in (await api.get("/admin/locations", headers=staff)).json()]
    assert names.count(f"Annex {unique}") == 1
    assert f"Far {unique}" not in names
    assert f"Loft {unique}" in names
    assert "Changed" not in names

    unknown = uuid.uuid4()
    assert_problem(await api.get(f"/admin/locations/{unknown}", headers=staff), 404)
    assert_problem(
        await api.put(
            f"/admin/locations/{unknown}",
            json={"name": f"Ghost {unique}", "sells_online": False, "priority": 5},
            headers=staff,
        ),
        404,
    )


async def test_switching_a_location_off_online_takes_its_stock_off_sale(
    api: httpx.AsyncClient, staff_with: StaffWith, unique: str, make_product: MakeProduct
) -> None:
    """A location of the test's own, last in priority; it ends switched off online."""
    staff = await staff_with(Permission.INVENTORY)
    product_id = await make_product(stock_quantity=10)
    store = await new_location(api, staff, f"Pop-up {unique}", online=True)
    await api.post(
        f"/admin/variants/{product_id}/stock-adjustments",
        json={"location_id": store["id"], "change": 5, "reason": "restock"},
        headers=staff,
    )
    assert (await api.get(f"/products/{product_id}")).json()["stock_quantity"] == 15

    off = await api.put(
        f"/admin/locations/{store['id']}",
        json={"name": f"Pop-up {unique}", "sells_online": False, "priority": 1000},
        headers=staff,
    )
    assert off.status_code == 200, off.text
    assert (off.json()["sells_online"], off.json()["units"]) == (False, 5)
    assert (await api.get(f"/products/{product_id}")).json()["stock_quantity"] == 10


async def test_inventory_staff_find_adjust_and_move_a_variants_stock(
    api: httpx.AsyncClient, staff_with: StaffWith, unique: str, make_product: MakeProduct
) -> None:
    staff = await staff_with(Permission.INVENTORY)
    product_id = await make_product(stock_quantity=10, sku=f"STK-{unique}")
    room = await new_location(api, staff, f"Stockroom {unique}")

    found = await api.get("/admin/variants", params={"sku": f"stk-{unique}"}, headers=staff)
    assert found.status_code == 200, found.text
    assert found.json()["product_id"] == str(product_id)
    variant = found.json()["variant"]
    assert (variant["sku"], variant["stock_quantity"]) == (f"STK-{unique}", 10)
    path = f"/admin/variants/{variant['id']}"

    stock = (await api.get(f"{path}/stock", headers=staff)).json()
    held = {row["location_id"]: row["quantity"] for row in stock["locations"]}
    assert (held[MAIN], held[room["id"]], stock["online"]) == (10, 0, 10)

    added = await api.post(
        f"{path}/stock-adjustments",
        json={"location_id": room["id"], "change": 5, "reason": "restock", "note": "Delivery"},
        headers=staff,
    )
    assert added.status_code == 200, added.text
    assert added.json()["quantity_after"] == 5
    assert added.json()["online"] == 10  # the stock room does not sell online

    default = await api.post(
        f"{path}/stock-adjustments", json={"change": -2, "reason": "damaged"}, headers=staff
    )
    assert default.json()["quantity_after"] == 8  # the first location selling online

    moved = await api.post(
        f"{path}/stock-transfers",
        json={"from_location_id": room["id"], "to_location_id": MAIN, "quantity": 3},
        headers=staff,
    )
    assert moved.status_code == 200, moved.text
    held = {row["location_id"]: row["quantity"] for row in moved.json()["locations"]}
    assert (held[MAIN], held[room["id"]], moved.json()["online"]) == (11, 2, 11)
    product = (await api.get(f"/products/{product_id}")).json()
    assert product["stock_quantity"] == 11

    ledger = await api.get(
        "/admin/stock-movements", params={"variant_id": variant["id"]}, headers=staff
    )
    assert ledger.status_code == 200, ledger.text
    rows = ledger.json()["items"]
    moves = [(row["reason"], row["change"], row["location_id"]) for row in rows]
    # The transfer's two rows share one moment: newest first, then in either order.
    assert sorted(moves[:2]) == [("transfer", -3, room["id"]), ("transfer", 3, MAIN)]
    assert moves[2:] == [("damaged", -2, MAIN), ("restock", 5, room["id"])]
    restock = rows[3]
    assert (restock["location_id"], restock["note"], restock["reason_label"]) == (
        room["id"],
        "Delivery",
        "Restock",
    )
    assert restock["product_id"] == str(product_id)
    at_room = await api.get(
        "/admin/stock-movements",
        params={"variant_id": variant["id"], "location_id": room["id"], "limit": 1},
        headers=staff,
    )
    assert at_room.json()["pagination"]["total"] == 2
    assert at_room.json()["pagination"]["has_next"] is True
    assert at_room.json()["items"][0]["change"] == -3
    by_reason = await api.get(
        "/admin/stock-movements",
        params={"product_id": str(product_id), "reason": "damaged"},
        headers=staff,
    )
    assert [row["change"] for row in by_reason.json()["items"]] == [-2]


async def test_stock_changes_that_do_not_fit_are_refused_and_change_nothing(
    api: httpx.AsyncClient, staff_with: StaffWith, unique: str, make_product: MakeProduct
) -> None:
    staff = await staff_with(Permission.INVENTORY)
    product_id = await make_product(stock_quantity=4)
    room = await new_location(api, staff, f"Cellar {unique}")
    path = f"/admin/variants/{product_id}"
    before = (await api.get(f"{path}/stock", headers=staff)).json()

    below_zero = await api.post(
        f"{path}/stock-adjustments",
        json={"location_id": MAIN, "change": -5, "reason": "correction"},
        headers=staff,
    )
    assert "Only 4" in assert_problem(below_zero, 400)["errors"]["change"]
    zero = await api.post(
        f"{path}/stock-adjustments", json={"change": 0, "reason": "restock"}, headers=staff
    )
    assert "change" in assert_problem(zero, 400)["errors"]
    no_reason = await api.post(
        f"{path}/stock-adjustments", json={"change": 1, "reason": "gift"}, headers=staff
    )
    assert "reason" in assert_problem(no_reason, 400)["errors"]
    too_many = await api.post(
        f"{path}/stock-transfers",
        json={"from_location_id": room["id"], "to_location_id": MAIN, "quantity": 1},
        headers=staff,
    )
    assert "Only 0" in assert_problem(too_many, 400)["errors"]["quantity"]
    same = await api.post(
        f"{path}/stock-transfers",
        json={"from_location_id": MAIN, "to_location_id": MAIN, "quantity": 1},
        headers=staff,
    )
    assert "to_location" in assert_problem(same, 400)["errors"]
    assert (await api.get(f"{path}/stock", headers=staff)).json() == before
    history = await api.get(
        "/admin/stock-movements", params={"product_id": str(product_id)}, headers=staff
    )
    assert history.json()["pagination"]["total"] == 0  # the first count is not a movement

    unknown = f"/admin/variants/{uuid.uuid4()}"
    assert_problem(await api.get(f"{unknown}/stock", headers=staff), 404)
    assert_problem(
        await api.post(
            f"{unknown}/stock-adjustments", json={"change": 1, "reason": "restock"}, headers=staff
        ),
        404,
    )
    assert_problem(
        await api.post(
            f"{unknown}/stock-transfers",
            json={"from_location_id": MAIN, "to_location_id": room["id"], "quantity": 1},
            headers=staff,
        ),
        404,
    )
    nowhere = await api.post(
        f"{path}/stock-adjustments",
        json={"location_id": str(uuid.uuid4()), "change": 1, "reason": "restock"},
        headers=staff,
    )
    assert_problem(nowhere, 404)
    assert_problem(
        await api.get("/admin/variants", params={"sku": f"NONE-{unique}"}, headers=staff), 404
    )
    assert "sku" in assert_problem(await api.get("/admin/variants", headers=staff), 400)["errors"]
    bad_page = await api.get("/admin/stock-movements", params={"limit": 101}, headers=staff)
    assert "limit" in assert_problem(bad_page, 400)["errors"]


async def test_staff_see_what_shoppers_wait_for(
    api: httpx.AsyncClient,
    staff_with: StaffWith,
    unique: str,
    make_product: MakeProduct,
    shopper_viewer: Viewer,
) -> None:
    staff = await staff_with(Permission.INVENTORY)
    wanted = await make_product(stock_quantity=0, name=f"Sold out {unique}")
    await stock_notices.subscribe_viewer(wanted, shopper_viewer)
    demand = await api.get("/admin/stock-notices/demand", params={"limit": 500}, headers=staff)
    assert demand.status_code == 200, demand.text
    row = next(row for row in demand.json() if row["product_id"] == str(wanted))
    assert (row["name"], row["stock_quantity"], row["waiting"], row["unconfirmed"]) == (
        f"Sold out {unique}",
        0,
        1,
        0,
    )
    assert (
        "limit"
        in assert_problem(
            await api.get("/admin/stock-notices/demand", params={"limit": 0}, headers=staff), 400
        )["errors"]
    )


async def test_only_inventory_staff_reach_the_stock_routes(
    api: httpx.AsyncClient, staff_with: StaffWith, shopper_viewer: Viewer, make_product: MakeProduct
) -> None:
    shopper = await bearer(shopper_viewer)
    cataloguer = await staff_with(Permission.CATALOG)
    variant = await make_product(stock_quantity=3)
    calls = [
        ("GET", "/admin/locations", None),
        ("POST", "/admin/locations", {"name": "Nope", "sells_online": False, "priority": 5}),
        ("GET", f"/admin/locations/{MAIN}", None),
        ("PUT", f"/admin/locations/{MAIN}", {"name": "Nope", "sells_online": False}),
        ("GET", "/admin/variants?sku=X", None),
        ("GET", f"/admin/variants/{variant}/stock", None),
        ("POST", f"/admin/variants/{variant}/stock-adjustments", {"change": 100}),
        ("POST", f"/admin/variants/{variant}/stock-transfers", {"quantity": 1}),
        ("GET", "/admin/stock-movements", None),
        ("GET", "/admin/stock-notices/demand", None),
    ]
    for method, path, body in calls:
        assert_problem(await api.request(method, path, json=body), 401)
        assert_problem(await api.request(method, path, json=body, headers=shopper), 403)
        assert_problem(await api.request(method, path, json=body, headers=cataloguer), 403)
    stock = await api.get(
        f"/admin/variants/{variant}/stock", headers=await staff_with(Permission.INVENTORY)
    )
    assert stock.json()["online"] == 3  # nothing was adjusted
