"""The Store API's reviews and wishlist (#25 item 1), against the real app: what a client
reads after each write, who may do what (401, 403, 404 for someone else's), the
service's limits as 400s with the field named, and nothing half-written after a refusal."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx

from backend.accounts import authentication
from backend.accounts.schemas import Viewer
from backend.cart import owners as cart_owners
from backend.cart import queries as cart_queries
from backend.catalog import queries as catalog_queries
from backend.catalog import services as catalog
from backend.catalog import variants
from backend.reviews import queries as review_queries
from backend.reviews import services as review_services
from backend.wishlists import queries as wishlist_queries
from tests.fixtures.accounts import MakeUser, catalog_manager
from tests.fixtures.api_client import assert_problem, bearer
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import paid_order

REVIEW = {"rating": 5, "title": "Keeps tea hot", "body": "Sturdy, pours well, keeps tea hot."}


async def signed_in(make_user: MakeUser) -> Viewer:
    credentials = await make_user()
    return (
        await authentication.sign_in(email=credentials.email, password=credentials.password)
    ).viewer


async def sized(make_product: MakeProduct, unique: str) -> tuple[uuid.UUID, dict[str, uuid.UUID]]:
    """A boot in sizes 41 and 42: its id and size → variant id."""
    boot = await make_product(name=f"Trail Boot {unique}")
    await variants.save_variants(
        boot,
        {
            "options": [{"name": "Size", "values": ["41", "42"]}],
            "variants": [
                {
                    "sku": f"TB-{unique}-{size}",
                    "price": "120.00",
                    "option_values": [size],
                    "stock_quantity": 5,
                }
                for size in ("41", "42")
            ],
        },
        actor=await catalog_manager(),
    )
    found = (await catalog_queries.get_product(boot)).variants
    return boot, {variant.title: variant.id for variant in found}


# --- reviews ----------------------------------------------------------------------------


async def test_a_buyer_reviews_a_product_and_it_shows_once_approved(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    make_user: MakeUser,
    admin_viewer: Viewer,
    unique: str,
) -> None:
    teapot = await make_product(name=f"Teapot {unique}")
    buyer = await signed_in(make_user)
    await paid_order({teapot: 1}, buyer)
    headers = await bearer(buyer)

    before = await api.get(f"/products/{teapot}/reviews", headers=headers)
    assert before.status_code == 200, before.text
    assert before.json()["standing"] == {"can_write": True, "refusal": "", "own_review": None}

    written = await api.post(f"/products/{teapot}/reviews", json=REVIEW, headers=headers)

    assert written.status_code == 201, written.text
    review = written.json()
    assert written.headers["location"] == f"/api/v1/me/reviews/{review['id']}"
    assert (review["product_id"], review["status"], review["rating"]) == (
        str(teapot),
        "pending",
        5,
    )
    assert (review["title"], review["body"]) == (REVIEW["title"], REVIEW["body"])
    # Nobody else sees it before a moderator does; its author sees it waiting.
    public = (await api.get(f"/products/{teapot}/reviews")).json()
    assert (public["items"], public["summary"]["count"], public["standing"]) == ([], 0, None)
    standing = (
        await api.get("/me/reviews/standing", params={"product_id": str(teapot)}, headers=headers)
    ).json()
    assert standing["can_write"] is False
    assert standing["own_review"]["status"] == "pending"
    own = await api.get(f"/me/reviews/{review['id']}", headers=headers)
    assert (own.status_code, own.json()["status"]) == (200, "pending")

    await review_services.approve_review(uuid.UUID(review["id"]), actor=admin_viewer)

    listed = (await api.get(f"/products/{teapot}/reviews")).json()
    assert listed["summary"] == {
        "count": 1,
        "average": "5.0",
        "distribution": {"5": 1, "4": 0, "3": 0, "2": 0, "1": 0},
    }
    [shown] = listed["items"]
    assert (shown["id"], shown["title"], shown["author_name"]) == (
        review["id"],
        REVIEW["title"],
        "Test " + buyer.username[0].upper() + ".",
    )
    assert shown["voted_helpful"] is None  # anonymous
    assert listed["pagination"] == {
        "page": 1,
        "limit": 10,
        "total": 1,
        "pages": 1,
        "has_next": False,
        "has_previous": False,
    }


async def test_an_edit_sends_the_review_back_to_moderation_and_out_of_the_rating(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    make_user: MakeUser,
    admin_viewer: Viewer,
    unique: str,
) -> None:
    mug = await make_product(name=f"Mug {unique}")
    author = await signed_in(make_user)
    await paid_order({mug: 1}, author)
    headers = await bearer(author)
    review_id = (await api.post(f"/products/{mug}/reviews", json=REVIEW, headers=headers)).json()[
        "id"
    ]
    await review_services.approve_review(uuid.UUID(review_id), actor=admin_viewer)

    edited = await api.put(
        f"/me/reviews/{review_id}",
        json={"rating": 3, "title": "Chips easily", "body": "The glaze chipped in a week."},
        headers=headers,
    )

    assert edited.status_code == 200, edited.text
    assert (edited.json()["rating"], edited.json()["status"]) == (3, "pending")
    listed = (await api.get(f"/products/{mug}/reviews")).json()
    assert (listed["items"], listed["summary"]["count"]) == ([], 0)
    assert (await review_queries.get_own_review(uuid.UUID(review_id), author)).title == (
        "Chips easily"
    )


async def test_the_author_reads_why_a_review_was_not_published(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    make_user: MakeUser,
    admin_viewer: Viewer,
    unique: str,
) -> None:
    bowl = await make_product(name=f"Bowl {unique}")
    author = await signed_in(make_user)
    await paid_order({bowl: 1}, author)
    review_id = await review_services.write_review(bowl, REVIEW, author=author)
    await review_services.reject_review(
        review_id, "Please keep to the product itself.", actor=admin_viewer
    )
    headers = await bearer(author)

    own = (await api.get(f"/me/reviews/{review_id}", headers=headers)).json()
    assert (own["status"], own["rejection_reason"]) == (
        "rejected",
        "Please keep to the product itself.",
    )
    rewritten = await api.put(
        f"/me/reviews/{review_id}",
        json={**REVIEW, "body": "Deep enough for soup, and it stacks well."},
        headers=headers,
    )
    assert (rewritten.json()["status"], rewritten.json()["rejection_reason"]) == ("pending", "")
    too_long = await api.put(
        f"/me/reviews/{review_id}", json={**REVIEW, "title": "x" * 121}, headers=headers
    )
    assert "title" in assert_problem(too_long, 400)["errors"]
    assert (await review_queries.get_own_review(review_id, author)).title == REVIEW["title"]


async def test_only_buyers_review_once_and_within_the_limits(
    api: httpx.AsyncClient, make_product: MakeProduct, make_user: MakeUser, unique: str
) -> None:
    vase = await make_product(name=f"Vase {unique}")
    browser, buyer = await signed_in(make_user), await signed_in(make_user)
    await paid_order({vase: 1}, buyer)

    refused = await api.post(
        f"/products/{vase}/reviews", json=REVIEW, headers=await bearer(browser)
    )
    assert "bought" in assert_problem(refused, 403)["detail"]
    standing = await review_queries.get_reviewer_standing(vase, browser)
    assert (standing.can_write, standing.own_review) == (False, None)

    headers = await bearer(buyer)
    too_many_stars = await api.post(
        f"/products/{vase}/reviews", json={**REVIEW, "rating": 6}, headers=headers
    )
    assert "rating" in assert_problem(too_many_stars, 400)["errors"]
    too_short = await api.post(
        f"/products/{vase}/reviews", json={**REVIEW, "body": "Nice"}, headers=headers
    )
    assert "body" in assert_problem(too_short, 400)["errors"]
    # Blank once cleaned: the service's own check, with the field named.
    blank = await api.post(
        f"/products/{vase}/reviews", json={**REVIEW, "body": "\u0007" * 12}, headers=headers
    )
    assert "body" in assert_problem(blank, 400)["errors"]
    assert (await review_queries.get_reviewer_standing(vase, buyer)).own_review is None

    first = await api.post(f"/products/{vase}/reviews", json=REVIEW, headers=headers)
    assert first.status_code == 201, first.text
    again = await api.post(
        f"/products/{vase}/reviews", json={**REVIEW, "rating": 1}, headers=headers
    )
    assert_problem(again, 409)
    own = (await review_queries.get_reviewer_standing(vase, buyer)).own_review
    assert own is not None
    assert own.rating == 5


async def test_reviews_need_a_token_to_write_and_are_404_for_strangers(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    make_user: MakeUser,
    admin_viewer: Viewer,
    unique: str,
) -> None:
    jug = await make_product(name=f"Jug {unique}")
    author, stranger = await signed_in(make_user), await signed_in(make_user)
    await paid_order({jug: 1}, author)
    review_id = await review_services.write_review(jug, REVIEW, author=author)

    assert_problem(await api.post(f"/products/{jug}/reviews", json=REVIEW), 401)
    assert_problem(await api.put(f"/me/reviews/{review_id}", json=REVIEW), 401)
    assert_problem(await api.get(f"/me/reviews/{review_id}"), 401)
    assert_problem(await api.get("/me/reviews/standing", params={"product_id": str(jug)}), 401)
    assert_problem(await api.put(f"/reviews/{review_id}/helpful-vote", json={"helpful": True}), 401)
    assert_problem(
        await api.get(f"/products/{jug}/reviews", headers={"Authorization": "Bearer x"}), 401
    )

    theirs = await bearer(stranger)
    hijack = await api.put(
        f"/me/reviews/{review_id}",
        json={"rating": 1, "title": "Awful", "body": "Someone else's words here."},
        headers=theirs,
    )
    assert_problem(hijack, 404)
    assert_problem(await api.get(f"/me/reviews/{review_id}", headers=theirs), 404)
    own = await review_queries.get_own_review(review_id, author)
    assert (own.rating, own.title) == (5, REVIEW["title"])

    no_product = await api.get("/me/reviews/standing", headers=theirs)
    assert "product_id" in assert_problem(no_product, 400)["errors"]
    assert_problem(await api.get(f"/products/{uuid.uuid4()}/reviews"), 404)
    assert_problem(await api.put(f"/me/reviews/{uuid.uuid4()}", json=REVIEW, headers=theirs), 404)
    assert_problem(
        await api.put(
            f"/reviews/{uuid.uuid4()}/helpful-vote", json={"helpful": True}, headers=theirs
        ),
        404,
    )
    bad_id = await api.get("/products/not-a-uuid/reviews")
    assert "product_id" in assert_problem(bad_id, 400)["errors"]
    # A product taken off sale has no public reviews page.
    await catalog.set_product_active(jug, active=False, actor=await catalog_manager())
    assert_problem(await api.get(f"/products/{jug}/reviews"), 404)
    assert (
        await api.get(f"/products/{jug}/reviews", headers=await bearer(admin_viewer))
    ).status_code == 200


async def test_helpful_votes_count_once_per_person_and_can_be_withdrawn(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    make_user: MakeUser,
    admin_viewer: Viewer,
    unique: str,
) -> None:
    lamp = await make_product(name=f"Lamp {unique}")
    author, reader = await signed_in(make_user), await signed_in(make_user)
    await paid_order({lamp: 1}, author)
    review_id = await review_services.write_review(lamp, REVIEW, author=author)
    theirs, mine = await bearer(reader), await bearer(author)

    pending = await api.put(
        f"/reviews/{review_id}/helpful-vote", json={"helpful": True}, headers=theirs
    )
    assert "published" in assert_problem(pending, 409)["detail"]

    await review_services.approve_review(review_id, actor=admin_viewer)
    for _ in range(2):  # the same vote twice counts once
        voted = await api.put(
            f"/reviews/{review_id}/helpful-vote", json={"helpful": True}, headers=theirs
        )
        assert voted.status_code == 200, voted.text
        assert voted.json() == {"review_id": str(review_id), "helpful": True, "helpful_count": 1}
    seen = (await api.get(f"/products/{lamp}/reviews", headers=theirs)).json()
    assert [(r["helpful_count"], r["voted_helpful"]) for r in seen["items"]] == [(1, True)]
    assert seen["standing"]["refusal"] == "Only customers who bought this product can review it."

    own_vote = await api.put(
        f"/reviews/{review_id}/helpful-vote", json={"helpful": True}, headers=mine
    )
    assert_problem(own_vote, 409)
    not_a_bool = await api.put(
        f"/reviews/{review_id}/helpful-vote", json={"helpful": "yes"}, headers=theirs
    )
    assert "helpful" in assert_problem(not_a_bool, 400)["errors"]

    withdrawn = await api.put(
        f"/reviews/{review_id}/helpful-vote", json={"helpful": False}, headers=theirs
    )
    assert withdrawn.json()["helpful_count"] == 0
    seen = (await api.get(f"/products/{lamp}/reviews", headers=theirs)).json()
    assert [(r["helpful_count"], r["voted_helpful"]) for r in seen["items"]] == [(0, False)]


async def test_reviews_page_and_sort_by_helpfulness(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    make_user: MakeUser,
    admin_viewer: Viewer,
    unique: str,
) -> None:
    kettle = await make_product(name=f"Kettle {unique}", stock_quantity=20)
    ids = []
    for stars in (5, 4, 3):
        author = await signed_in(make_user)
        await paid_order({kettle: 1}, author)
        review_id = await review_services.write_review(
            kettle, {**REVIEW, "rating": stars, "title": f"{stars} stars"}, author=author
        )
        await review_services.approve_review(review_id, actor=admin_viewer)
        ids.append(review_id)
    voter = await signed_in(make_user)
    await review_services.set_helpful_vote(ids[0], voter=voter, helpful=True)

    newest = (await api.get(f"/products/{kettle}/reviews", params={"limit": 2})).json()
    assert [r["title"] for r in newest["items"]] == ["3 stars", "4 stars"]
    assert (newest["pagination"]["pages"], newest["pagination"]["has_next"]) == (2, True)
    helpful = (await api.get(f"/products/{kettle}/reviews", params={"sort": "helpful"})).json()
    assert helpful["items"][0]["title"] == "5 stars"
    assert helpful["summary"]["average"] == "4.0"
    bad_sort = await api.get(f"/products/{kettle}/reviews", params={"sort": "stars"})
    assert "sort" in assert_problem(bad_sort, 400)["errors"]
    too_long = await api.get(f"/products/{kettle}/reviews", params={"limit": 101})
    assert "limit" in assert_problem(too_long, 400)["errors"]


# --- wishlist ---------------------------------------------------------------------------


async def test_a_shopper_saves_reads_and_removes_products(
    api: httpx.AsyncClient, make_product: MakeProduct, shopper_viewer: Viewer, unique: str
) -> None:
    coat = await make_product(name=f"Coat {unique}", price=Decimal("89.00"))
    headers = await bearer(shopper_viewer)

    saved = await api.put(f"/me/wishlist/items/{coat}", headers=headers)
    again = await api.put(f"/me/wishlist/items/{coat}", headers=headers)

    assert saved.status_code == 200, saved.text
    assert again.status_code == 200
    body = (await api.get("/me/wishlist", headers=headers)).json()
    [item] = body["items"]
    assert (item["product"]["id"], item["product"]["name"], item["product"]["price"]) == (
        str(coat),
        f"Coat {unique}",
        "89.00",
    )
    assert (item["available"], body["share_token"], body["share_url"]) == (True, None, None)
    assert body["max_items"] >= 1
    assert await wishlist_queries.saved_product_ids(shopper_viewer) == {coat}

    removed = await api.delete(f"/me/wishlist/items/{coat}", headers=headers)
    assert removed.status_code == 204
    assert (await api.get("/me/wishlist", headers=headers)).json()["items"] == []
    assert (await api.delete(f"/me/wishlist/items/{coat}", headers=headers)).status_code == 204


async def test_saving_what_is_not_sold_is_refused_and_saves_nothing(
    api: httpx.AsyncClient, make_product: MakeProduct, shopper_viewer: Viewer, unique: str
) -> None:
    headers = await bearer(shopper_viewer)
    hidden = await make_product(name=f"Hidden {unique}")
    boot, sizes = await sized(make_product, unique)
    other = await make_product(name=f"Other {unique}")
    await catalog.set_product_active(hidden, active=False, actor=await catalog_manager())

    assert_problem(await api.put(f"/me/wishlist/items/{uuid.uuid4()}", headers=headers), 404)
    assert_problem(await api.put(f"/me/wishlist/items/{hidden}", headers=headers), 404)
    wrong_variant = await api.put(
        f"/me/wishlist/items/{boot}", json={"variant_id": str(other)}, headers=headers
    )
    assert_problem(wrong_variant, 404)
    bad_variant = await api.put(
        f"/me/wishlist/items/{boot}", json={"variant_id": "size-42"}, headers=headers
    )
    assert "variant_id" in assert_problem(bad_variant, 400)["errors"]
    bad_id = await api.put("/me/wishlist/items/coat", headers=headers)
    assert "product_id" in assert_problem(bad_id, 400)["errors"]
    assert await wishlist_queries.saved_product_ids(shopper_viewer) == set()
    assert sizes  # the boot has its sizes: the refusal was about the variant


async def test_move_to_cart_takes_the_saved_size_and_leaves_refusals_on_the_list(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    shopper_viewer: Viewer,
    make_user: MakeUser,
    unique: str,
) -> None:
    headers = await bearer(shopper_viewer)
    scarf = await make_product(name=f"Scarf {unique}", price=Decimal("25.00"))
    boot, sizes = await sized(make_product, unique)
    for product in (scarf, boot):
        await api.put(f"/me/wishlist/items/{product}", headers=headers)

    moved = await api.post(f"/me/wishlist/items/{scarf}/move-to-cart", headers=headers)

    assert moved.status_code == 200, moved.text
    assert [(line["product_id"], line["quantity"]) for line in moved.json()["cart"]["lines"]] == [
        (str(scarf), 1)
    ]
    assert moved.json()["message"]
    assert await wishlist_queries.saved_product_ids(shopper_viewer) == {boot}

    # Saved without a size: the cart cannot choose one; the boot stays saved.
    refused = await api.post(f"/me/wishlist/items/{boot}/move-to-cart", headers=headers)
    assert_problem(refused, 409)
    assert await wishlist_queries.saved_product_ids(shopper_viewer) == {boot}
    cart = await cart_queries.get_cart(cart_owners.user_owner(shopper_viewer.user_id))
    assert [line.product_id for line in cart.lines] == [scarf]

    await api.put(
        f"/me/wishlist/items/{boot}", json={"variant_id": str(sizes["42"])}, headers=headers
    )
    moved = await api.post(f"/me/wishlist/items/{boot}/move-to-cart", headers=headers)
    assert moved.status_code == 200, moved.text
    assert {line["variant_id"] for line in moved.json()["cart"]["lines"]} == {
        str(scarf),
        str(sizes["42"]),
    }
    assert await wishlist_queries.saved_product_ids(shopper_viewer) == set()

    # Not on the list (any more): 404, and the cart is as it was.
    assert_problem(await api.post(f"/me/wishlist/items/{boot}/move-to-cart", headers=headers), 404)
    stranger = await signed_in(make_user)
    await api.put(f"/me/wishlist/items/{scarf}", headers=headers)
    theirs = await bearer(stranger)
    assert_problem(await api.post(f"/me/wishlist/items/{scarf}/move-to-cart", headers=theirs), 404)
    assert (await api.delete(f"/me/wishlist/items/{scarf}", headers=theirs)).status_code == 204
    assert await wishlist_queries.saved_product_ids(shopper_viewer) == {scarf}
    assert (await cart_queries.get_cart(cart_owners.user_owner(stranger.user_id))).lines == ()


async def test_a_sold_out_saved_product_stays_on_the_wishlist(
    api: httpx.AsyncClient, make_product: MakeProduct, shopper_viewer: Viewer, unique: str
) -> None:
    headers = await bearer(shopper_viewer)
    gone = await make_product(name=f"Gone {unique}", stock_quantity=0)
    await api.put(f"/me/wishlist/items/{gone}", headers=headers)
    [item] = (await api.get("/me/wishlist", headers=headers)).json()["items"]
    assert item["available"] is False

    assert_problem(await api.post(f"/me/wishlist/items/{gone}/move-to-cart", headers=headers), 409)
    assert await wishlist_queries.saved_product_ids(shopper_viewer) == {gone}


async def test_a_shared_link_shows_the_list_until_it_is_replaced_or_revoked(
    api: httpx.AsyncClient, make_product: MakeProduct, shopper_viewer: Viewer, unique: str
) -> None:
    headers = await bearer(shopper_viewer)
    lamp = await make_product(name=f"Lamp {unique}")
    retired = await make_product(name=f"Retired {unique}")
    for product in (lamp, retired):
        await api.put(f"/me/wishlist/items/{product}", headers=headers)
    await catalog.set_product_active(retired, active=False, actor=await catalog_manager())

    shared = await api.post("/me/wishlist/share-link", headers=headers)

    assert shared.status_code == 201, shared.text
    token = shared.json()["token"]
    assert shared.headers["location"] == f"/api/v1/wishlists/shared/{token}"
    assert shared.json()["url"].endswith(f"/wishlists/{token}")
    assert (await api.get("/me/wishlist", headers=headers)).json()["share_token"] == token
    public = await api.get(f"/wishlists/shared/{token}")  # no token needed
    assert public.status_code == 200, public.text
    assert [i["product"]["id"] for i in public.json()["items"]] == [str(lamp)]
    assert set(public.json()) == {"items"}  # nothing about its owner
    assert shopper_viewer.email not in public.text

    replaced = (await api.post("/me/wishlist/share-link", headers=headers)).json()["token"]
    assert replaced != token
    assert_problem(await api.get(f"/wishlists/shared/{token}"), 404)
    assert (await api.get(f"/wishlists/shared/{replaced}")).status_code == 200

    assert (await api.delete("/me/wishlist/share-link", headers=headers)).status_code == 204
    assert_problem(await api.get(f"/wishlists/shared/{replaced}"), 404)
    assert (await api.get("/me/wishlist", headers=headers)).json()["share_url"] is None
    assert_problem(await api.get(f"/wishlists/shared/{'x' * 65}"), 400)
    assert_problem(await api.get("/wishlists/shared/not-a-real-token"), 404)


async def test_the_wishlist_needs_a_token(
    api: httpx.AsyncClient, make_product: MakeProduct
) -> None:
    product = await make_product()
    assert_problem(await api.get("/me/wishlist"), 401)
    assert_problem(await api.put(f"/me/wishlist/items/{product}"), 401)
    assert_problem(await api.delete(f"/me/wishlist/items/{product}"), 401)
    assert_problem(await api.post(f"/me/wishlist/items/{product}/move-to-cart"), 401)
    assert_problem(await api.post("/me/wishlist/share-link"), 401)
    assert_problem(await api.delete("/me/wishlist/share-link"), 401)
