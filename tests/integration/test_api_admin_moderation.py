"""Review moderation (/admin/reviews), discount codes (/admin/discount-codes) and switching
a shipping method on and off (/shipping/methods/{id}/active) through the API: each for
the staff holding its permission only, with a follow-up read showing the change and
nothing written by a refused request."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
import pytest

from backend.accounts.permissions import Permission
from backend.accounts.schemas import Viewer
from backend.catalog.models import Product
from backend.core.db import session_scope
from backend.reviews import services as review_services
from tests.fixtures.api_client import StaffWith, assert_problem, bearer, with_key
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import paid_order

GOOD_BODY = "Sturdy, pours well, keeps tea hot for an hour."


async def reviewed(viewer: Viewer, product_id: uuid.UUID, rating: int, title: str) -> uuid.UUID:
    """The shopper buys the product (paid) and reviews it: the review waits (pending)."""
    await paid_order({product_id: 1}, viewer)
    return await review_services.write_review(
        product_id, {"rating": rating, "title": title, "body": GOOD_BODY}, author=viewer
    )


async def rating_of(product_id: uuid.UUID) -> tuple[int, Decimal]:
    async with session_scope() as session:
        product = await session.get(Product, product_id)
    assert product is not None
    return product.rating_count, product.rating_average


# --- reviews -----------------------------------------------------------------------------


async def test_moderators_publish_and_refuse_reviews_and_the_counts_follow(
    api: httpx.AsyncClient,
    staff_with: StaffWith,
    make_product: MakeProduct,
    shopper_viewer: Viewer,
    unique: str,
) -> None:
    teapot = await make_product(name=f"Teapot {unique}")
    review_id = await reviewed(shopper_viewer, teapot, 4, f"Fine teapot {unique}")
    moderator = await staff_with(Permission.REVIEWS)

    queue = await api.get("/admin/reviews", params={"limit": 100}, headers=moderator)
    assert queue.status_code == 200, queue.text
    waiting = next(item for item in queue.json()["items"] if item["id"] == str(review_id))
    assert (waiting["status"], waiting["rating"], waiting["product_name"]) == (
        "pending",
        4,
        f"Teapot {unique}",
    )
    assert waiting["title"] == f"Fine teapot {unique}"
    before = queue.json()["counts"]
    assert before["pending"] >= 1

    approved = await api.post(f"/admin/reviews/{review_id}/approve", headers=with_key(moderator))
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["rejection_reason"]) == ("approved", "")
    assert await rating_of(teapot) == (1, Decimal("4.0"))
    after = (await api.get("/admin/reviews", headers=moderator)).json()["counts"]
    assert (after["pending"], after["approved"]) == (before["pending"] - 1, before["approved"] + 1)
    published = await api.get(
        "/admin/reviews", params={"status": "approved", "limit": 100}, headers=moderator
    )
    assert str(review_id) in {item["id"] for item in published.json()["items"]}
    assert {item["status"] for item in published.json()["items"]} == {"approved"}

    # Published already: approving again is a conflict.
    assert_problem(
        await api.post(f"/admin/reviews/{review_id}/approve", headers=with_key(moderator)), 409
    )

    # Taken down, with a reason the author reads.
    short = await api.post(
        f"/admin/reviews/{review_id}/reject", json={"reason": "no"}, headers=with_key(moderator)
    )
    assert "reason" in assert_problem(short, 400)["errors"]
    blank = await api.post(
        f"/admin/reviews/{review_id}/reject", json={"reason": "      "}, headers=with_key(moderator)
    )
    assert "reason" in assert_problem(blank, 400)["errors"]
    assert await rating_of(teapot) == (1, Decimal("4.0"))  # still published

    rejected = await api.post(
        f"/admin/reviews/{review_id}/reject",
        json={"reason": "Please keep reviews about the product itself."},
        headers=with_key(moderator),
    )
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["status"], rejected.json()["rejection_reason"]) == (
        "rejected",
        "Please keep reviews about the product itself.",
    )
    assert (await rating_of(teapot))[0] == 0
    refused = await api.get(
        "/admin/reviews", params={"status": "rejected", "limit": 100}, headers=moderator
    )
    assert str(review_id) in {item["id"] for item in refused.json()["items"]}


async def test_only_moderators_see_the_queue_or_decide(
    api: httpx.AsyncClient,
    staff_with: StaffWith,
    make_product: MakeProduct,
    shopper_viewer: Viewer,
    unique: str,
) -> None:
    review_id = await reviewed(shopper_viewer, await make_product(), 5, f"Great {unique}")
    shopper = await bearer(shopper_viewer)
    other_staff = await staff_with(Permission.ORDERS_REFUND)
    moderator = await staff_with(Permission.REVIEWS)
    reason = {"reason": "Please keep it about the product."}

    assert_problem(await api.get("/admin/reviews"), 401)
    assert_problem(await api.post(f"/admin/reviews/{review_id}/approve"), 401)
    for who in (shopper, other_staff):
        assert_problem(await api.get("/admin/reviews", headers=who), 403)
        assert_problem(
            await api.post(f"/admin/reviews/{review_id}/approve", headers=with_key(who)), 403
        )
        assert_problem(
            await api.post(
                f"/admin/reviews/{review_id}/reject", json=reason, headers=with_key(who)
            ),
            403,
        )
    unknown = uuid.uuid4()
    assert_problem(
        await api.post(f"/admin/reviews/{unknown}/approve", headers=with_key(moderator)), 404
    )
    assert_problem(
        await api.post(
            f"/admin/reviews/{unknown}/reject", json=reason, headers=with_key(moderator)
        ),
        404,
    )
    bad = await api.get("/admin/reviews", params={"status": "hidden"}, headers=moderator)
    assert "status" in assert_problem(bad, 400)["errors"]
    too_big = await api.get("/admin/reviews", params={"limit": 101}, headers=moderator)
    assert "limit" in assert_problem(too_big, 400)["errors"]

    queue = await api.get("/admin/reviews", params={"limit": 100}, headers=moderator)
    still = next(item for item in queue.json()["items"] if item["id"] == str(review_id))
    assert still["status"] == "pending"  # nothing changed by the refusals


# --- discount codes --------------------------------------------------------------------


async def test_staff_create_discount_codes_and_switch_them_off_and_on(
    api: httpx.AsyncClient, staff_with: StaffWith, unique: str
) -> None:
    promoter = await staff_with(Permission.PROMOTIONS)
    code = f"api{unique}"[:40]

    created = await api.post(
        "/admin/discount-codes",
        json={
            "code": code,
            "kind": "percent",
            "value": "15",
            "min_subtotal": "50.00",
            "expires_at": "2099-12-31T23:59:59Z",
            "usage_limit": 100,
        },
        headers=with_key(promoter),
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["Location"] == f"/api/v1/admin/discount-codes/{code.upper()}"
    assert body == {
        "code": code.upper(),
        "kind": "percent",
        "value": "15",
        "min_subtotal": "50.00",
        "starts_at": None,
        "expires_at": "2099-12-31T23:59:59Z",
        "usage_limit": 100,
        "times_used": 0,
        "is_active": True,
    }
    listed = await api.get("/admin/discount-codes", params={"limit": 100}, headers=promoter)
    assert listed.status_code == 200, listed.text
    assert listed.json()["items"][0]["code"] == code.upper()  # newest first
    assert listed.json()["pagination"]["total"] >= 1

    off = await api.put(
        f"/admin/discount-codes/{code.lower()}/active",
        json={"active": False},
        headers=with_key(promoter),
    )
    assert off.status_code == 200, off.text
    assert off.json()["is_active"] is False
    read = await api.get(f"/admin/discount-codes/{code}", headers=promoter)
    assert (read.json()["is_active"], read.json()["times_used"]) == (False, 0)
    on = await api.put(
        f"/admin/discount-codes/{code}/active", json={"active": True}, headers=with_key(promoter)
    )
    assert on.json()["is_active"] is True

    fixed = await api.post(
        "/admin/discount-codes",
        json={"code": f"{code[:35]}-FIX", "kind": "fixed", "value": "5.50"},
        headers=with_key(promoter),
    )
    assert fixed.status_code == 201, fixed.text
    assert (fixed.json()["value"], fixed.json()["min_subtotal"]) == ("5.50", "0.00")


async def test_bad_discount_codes_are_refused_per_field_and_nothing_is_written(
    api: httpx.AsyncClient, staff_with: StaffWith, shopper_viewer: Viewer, unique: str
) -> None:
    promoter = await staff_with(Permission.PROMOTIONS)
    shopper = await bearer(shopper_viewer)
    other_staff = await staff_with(Permission.REVIEWS)
    code = f"bad{unique}"[:40]
    good = {"code": code, "kind": "percent", "value": "10"}

    assert_problem(await api.get("/admin/discount-codes"), 401)
    assert_problem(await api.post("/admin/discount-codes", json=good), 401)
    for who in (shopper, other_staff):
        assert_problem(await api.get("/admin/discount-codes", headers=who), 403)
        assert_problem(
            await api.post("/admin/discount-codes", json=good, headers=with_key(who)), 403
        )
        assert_problem(
            await api.put(
                f"/admin/discount-codes/{code}/active",
                json={"active": False},
                headers=with_key(who),
            ),
            403,
        )

    cases: list[tuple[dict[str, object], str]] = [
        ({**good, "value": "150"}, "value"),
        ({**good, "value": "0"}, "value"),
        ({**good, "value": "-5"}, "value"),
        ({**good, "code": "no spaces!"}, "code"),
        ({**good, "code": "x" * 41}, "code"),
        ({**good, "kind": "bogo"}, "kind"),
        ({**good, "usage_limit": 0}, "usage_limit"),
        (
            {
                **good,
                "starts_at": "2099-01-02T00:00:00Z",
                "expires_at": "2099-01-01T00:00:00Z",
            },
            "expires_at",
        ),
        ({**good, "expires_at": "2099-01-01T00:00:00"}, "expires_at"),  # no zone
    ]
    for fields, field in cases:
        refused = await api.post("/admin/discount-codes", json=fields, headers=with_key(promoter))
        assert field in assert_problem(refused, 400)["errors"], (fields, refused.text)
    assert_problem(await api.get(f"/admin/discount-codes/{code}", headers=promoter), 404)
    assert_problem(
        await api.put(
            f"/admin/discount-codes/{code}/active",
            json={"active": False},
            headers=with_key(promoter),
        ),
        404,
    )

    assert (
        await api.post("/admin/discount-codes", json=good, headers=with_key(promoter))
    ).status_code == 201
    taken = await api.post(
        "/admin/discount-codes",
        json={**good, "code": code.lower(), "value": "20"},
        headers=with_key(promoter),
    )
    assert "code" in assert_problem(taken, 400)["errors"]
    kept = (await api.get(f"/admin/discount-codes/{code}", headers=promoter)).json()
    assert kept["value"] == "10"  # the first one, untouched
    no_body = await api.put(
        f"/admin/discount-codes/{code}/active", json={}, headers=with_key(promoter)
    )
    assert "active" in assert_problem(no_body, 400)["errors"]


# --- shipping methods ----------------------------------------------------------------------


@pytest.mark.usefixtures("restore_shipping_and_tax")
async def test_a_shipping_method_switched_off_is_no_longer_offered(
    api: httpx.AsyncClient,
    staff_with: StaffWith,
    admin_viewer: Viewer,
    shopper_viewer: Viewer,
    make_product: MakeProduct,
) -> None:
    admin = await bearer(admin_viewer)
    settings = await staff_with(Permission.SETTINGS)
    shopper = await bearer(shopper_viewer)
    zone = await api.post(
        "/shipping/zones", json={"name": "Japan", "countries": ["JP"]}, headers=with_key(admin)
    )
    assert zone.status_code == 201, zone.text
    with_method = await api.post(
        f"/shipping/zones/{zone.json()['id']}/methods",
        json={"code": "ems", "name": "EMS", "rate_basis": "flat", "flat_price": "20.00"},
        headers=with_key(admin),
    )
    method_id = with_method.json()["methods"][0]["id"]
    added = await api.post(
        "/cart/items",
        json={"product_id": str(await make_product()), "quantity": 1},
        headers=with_key(shopper),
    )
    assert added.status_code == 200, added.text
    offers = await api.get("/shipping/methods", params={"country": "JP"}, headers=shopper)
    assert [offer["code"] for offer in offers.json()] == ["ems"]

    path = f"/shipping/methods/{method_id}/active"
    assert_problem(await api.put(path, json={"active": False}), 401)
    for who in (shopper, await staff_with(Permission.PROMOTIONS)):
        assert_problem(await api.put(path, json={"active": False}, headers=with_key(who)), 403)
    assert_problem(
        await api.put(
            f"/shipping/methods/{uuid.uuid4()}/active",
            json={"active": False},
            headers=with_key(settings),
        ),
        404,
    )
    bad = await api.put(path, json={"active": "perhaps"}, headers=with_key(settings))
    assert "active" in assert_problem(bad, 400)["errors"]
    still = await api.get("/shipping/methods", params={"country": "JP"}, headers=shopper)
    assert [offer["code"] for offer in still.json()] == ["ems"]

    off = await api.put(path, json={"active": False}, headers=with_key(settings))
    assert off.status_code == 200, off.text
    assert (off.json()["id"], off.json()["is_active"]) == (method_id, False)
    gone = await api.get("/shipping/methods", params={"country": "JP"}, headers=shopper)
    # The zone's one method is off: nothing ships there now.
    assert "None of our shipping methods" in assert_problem(gone, 400)["detail"]
    zones = (await api.get("/shipping/zones", headers=settings)).json()
    zone_now = next(z for z in zones if z["id"] == zone.json()["id"])
    assert zone_now["methods"][0]["is_active"] is False

    on = await api.put(path, json={"active": True}, headers=with_key(settings))
    assert on.json()["is_active"] is True
    back = await api.get("/shipping/methods", params={"country": "JP"}, headers=shopper)
    assert [offer["code"] for offer in back.json()] == ["ems"]
