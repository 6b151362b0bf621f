"""Reviews and ratings: only buyers review, once; nothing shows before a moderator approves
it; the stored rating stays exact through approvals, edits and rejections; one helpful vote
per person; text limits; listings sort and filter by rating."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal

import httpx
import pytest
from sqlmodel import col, select

from api.app import build_http_app
from backend.accounts import registration
from backend.accounts.permissions import DEFAULT_GROUPS, DefaultGroup
from backend.accounts.roles import RoleName
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.cart import owners as cart_owners
from backend.cart import services as carts
from backend.catalog import listing_queries
from backend.catalog import queries as catalog
from backend.catalog.listing import ListingQuery, parse_listing_query
from backend.catalog.models import Product
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from backend.orders import services as orders
from backend.payments import services as payments
from backend.payments import test_gateway as cards
from backend.reviews import queries as reviews
from backend.reviews import services as review_services
from backend.reviews.errors import (
    ReviewDecisionError,
    ReviewExistsError,
    ReviewNotAllowedError,
    VoteRefusedError,
)
from backend.reviews.models import Review
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import checkout_details, tab_that_placed

MakeViewer = Callable[..., Awaitable[Viewer]]
Buy = Callable[..., Awaitable[None]]

GOOD_BODY = "Sturdy, pours well, keeps tea hot for an hour."


@pytest.fixture
def make_viewer(unique: str) -> MakeViewer:
    """An account as the services see it once signed in (the session itself is tested
    elsewhere; argon2 sign-ins would only slow these tests down)."""
    counter = iter(range(1, 10_000))

    async def make(
        *,
        roles: frozenset[RoleName | DefaultGroup] = frozenset({RoleName.USER}),
        name: str = "Ada Lovelace",
    ) -> Viewer:
        groups = frozenset(group for group in roles if isinstance(group, DefaultGroup))
        await registration.ensure_roles()
        username = f"rev_{unique}_{next(counter)}"
        first, _, last = name.partition(" ")
        user_id = await registration.create_user(
            username=username,
            email=f"{username}@example.com",
            password="correct horse battery staple",
            first_name=first,
            last_name=last or None,
            status="active",
            email_verified=True,
            roles=frozenset(role for role in roles if isinstance(role, RoleName)),
            groups=groups,
        )
        return Viewer(
            user_id=user_id,
            username=username,
            email=f"{username}@example.com",
            display_name=name,
            permissions=frozenset().union(*(DEFAULT_GROUPS[group].permissions for group in groups)),
        )

    return make


@pytest.fixture
async def moderator(make_viewer: MakeViewer) -> Viewer:
    return await make_viewer(
        roles=frozenset({DefaultGroup.MODERATORS, RoleName.USER}), name="Mo Derator"
    )


@pytest.fixture
def buy() -> Buy:
    """`viewer` orders `product_id` signed in; paid unless `paid=False`."""

    async def purchase(viewer: Viewer, product_id: uuid.UUID, *, paid: bool = True) -> None:
        owner = cart_owners.user_owner(viewer.user_id)
        await carts.add_item(owner, product_id, 1)
        placed = await orders.place_order(
            cart_owner=owner,
            details=checkout_details(email=viewer.email),
            checkout_key=uuid.uuid4().hex,
            user_id=viewer.user_id,
        )
        if paid:
            await payments.pay_order(
                placed.id,
                shopper=tab_that_placed(placed.id),
                payment_method=cards.SUCCEEDS,
                attempt_key=uuid.uuid4().hex,
            )

    return purchase


def review_form(rating: int | str = 5, *, title: str = "", body: str = GOOD_BODY) -> dict:
    return {"rating": rating, "title": title, "body": body}


async def stored_rating(product_id: uuid.UUID) -> tuple[int, int, Decimal]:
    async with session_scope() as session:
        product = await session.get(Product, product_id)
    assert product is not None
    return product.rating_count, product.rating_sum, product.rating_average


async def published_titles(product_id: uuid.UUID, sort: str = "newest") -> list[str]:
    page = await reviews.list_published_reviews(product_id, sort=sort)  # type: ignore[arg-type]
    return [review.title for review in page.items]


async def reviewed_by(
    make_viewer: MakeViewer, buy: Buy, product_id: uuid.UUID, rating: int, title: str = ""
) -> uuid.UUID:
    """A new buyer's review of the product (pending)."""
    buyer = await make_viewer()
    await buy(buyer, product_id)
    return await review_services.write_review(
        product_id, review_form(rating, title=title or f"{rating} stars"), author=buyer
    )


# --- who may review ------------------------------------------------------------------------


async def test_only_signed_in_buyers_of_a_paid_order_may_review(
    make_product: MakeProduct, make_viewer: MakeViewer, buy: Buy
) -> None:
    teapot = await make_product()
    browser, unpaid_buyer, buyer = await make_viewer(), await make_viewer(), await make_viewer()
    await buy(unpaid_buyer, teapot, paid=False)
    await buy(buyer, teapot)

    with pytest.raises(ReviewNotAllowedError, match="Sign in"):
        await review_services.write_review(teapot, review_form(), author=None)
    for outsider in (browser, unpaid_buyer):
        with pytest.raises(ReviewNotAllowedError, match="bought this product"):
            await review_services.write_review(teapot, review_form(), author=outsider)
        standing = await reviews.get_reviewer_standing(teapot, outsider)
        assert (standing.can_write, standing.own_review) == (False, None)
        assert "bought this product" in standing.refusal
    assert "Sign in" in (await reviews.get_reviewer_standing(teapot, None)).refusal
    assert (await reviews.get_reviewer_standing(teapot, buyer)).can_write

    await review_services.write_review(teapot, review_form(4), author=buyer)

    own = (await reviews.get_reviewer_standing(teapot, buyer)).own_review
    assert own is not None
    assert (own.rating, own.status) == (4, "pending")


async def test_a_cancelled_order_does_not_make_a_buyer(
    make_product: MakeProduct, make_viewer: MakeViewer, buy: Buy
) -> None:
    kettle = await make_product()
    shopper = await make_viewer()
    owner = cart_owners.user_owner(shopper.user_id)
    await carts.add_item(owner, kettle, 1)
    placed = await orders.place_order(
        cart_owner=owner,
        details=checkout_details(email=shopper.email),
        checkout_key=uuid.uuid4().hex,
        user_id=shopper.user_id,
    )
    await orders.cancel_unpaid_order(placed.id, shopper=tab_that_placed(placed.id))

    with pytest.raises(ReviewNotAllowedError):
        await review_services.write_review(kettle, review_form(), author=shopper)


async def test_one_review_per_product_per_buyer_even_when_sent_twice_at_once(
    make_product: MakeProduct, make_viewer: MakeViewer, buy: Buy
) -> None:
    mug, vase = await make_product(), await make_product()
    buyer = await make_viewer()
    await buy(buyer, mug)
    await buy(buyer, vase)

    results = await asyncio.gather(
        review_services.write_review(mug, review_form(5), author=buyer),
        review_services.write_review(mug, review_form(4), author=buyer),
        return_exceptions=True,
    )

    assert sum(isinstance(r, uuid.UUID) for r in results) == 1
    assert sum(isinstance(r, ReviewExistsError) for r in results) == 1
    with pytest.raises(ReviewExistsError, match="edit your review"):
        await review_services.write_review(mug, review_form(3), author=buyer)
    async with session_scope() as session:
        rows = (
            await session.exec(select(Review).where(col(Review.user_id) == buyer.user_id))
        ).all()
    assert sorted(str(r.product_id) for r in rows) == [str(mug)]  # the vase is still unreviewed
    await review_services.write_review(vase, review_form(3), author=buyer)  # another product: fine


# --- moderation --------------------------------------------------------------------------------


async def test_reviews_stay_hidden_until_a_moderator_approves_them(
    make_product: MakeProduct, make_viewer: MakeViewer, buy: Buy, moderator: Viewer
) -> None:
    lamp = await make_product()
    review_id = await reviewed_by(make_viewer, buy, lamp, 4, title="Warm light")

    assert await published_titles(lamp) == []
    assert (await reviews.get_rating_summary(lamp)).count == 0
    assert await stored_rating(lamp) == (0, 0, Decimal(0))
    pending = await reviews.list_reviews_for_moderation(actor=moderator, status="pending")
    assert review_id in [item.id for item in pending.items]

    await review_services.approve_review(review_id, actor=moderator)

    assert await published_titles(lamp) == ["Warm light"]
    summary = await reviews.get_rating_summary(lamp)
    assert (summary.count, summary.average_display, summary.distribution[4]) == (1, "4.0", 1)
    assert await stored_rating(lamp) == (1, 4, Decimal("4.0000"))
    with pytest.raises(ReviewDecisionError, match="already published"):
        await review_services.approve_review(review_id, actor=moderator)
    entries = await audit.list_entries(entity_type="review", entity_id=str(review_id))
    assert [(e.action, e.actor) for e in entries.items] == [
        ("review.approved", f"{moderator.username} (staff)")
    ]


async def test_a_rejection_needs_a_reason_which_the_author_then_reads(
    make_product: MakeProduct, make_viewer: MakeViewer, buy: Buy, moderator: Viewer
) -> None:
    rug = await make_product()
    author = await make_viewer()
    await buy(author, rug)
    review_id = await review_services.write_review(rug, review_form(1), author=author)

    with pytest.raises(InvalidInputError) as missing:
        await review_services.reject_review(review_id, "  ", actor=moderator)
    assert "reason" in missing.value.field_errors
    own = (await reviews.get_reviewer_standing(rug, author)).own_review
    assert own is not None
    assert own.status == "pending"  # nothing half-written

    await review_services.reject_review(
        review_id, "Please describe the product, not the delivery.", actor=moderator
    )

    own = (await reviews.get_reviewer_standing(rug, author)).own_review
    assert own is not None
    assert (own.status, own.rejection_reason) == (
        "rejected",
        "Please describe the product, not the delivery.",
    )
    assert await published_titles(rug) == []
    rejected = await reviews.list_reviews_for_moderation(actor=moderator, status="rejected")
    assert review_id in [item.id for item in rejected.items]


async def test_shoppers_cannot_moderate_or_see_the_queue(
    make_product: MakeProduct, make_viewer: MakeViewer, buy: Buy
) -> None:
    chair = await make_product()
    review_id = await reviewed_by(make_viewer, buy, chair, 5)
    shopper = await make_viewer()

    for attempt in (
        review_services.approve_review(review_id, actor=shopper),
        review_services.reject_review(review_id, "Not on my watch", actor=shopper),
        review_services.approve_review(review_id, actor=None),
        reviews.list_reviews_for_moderation(actor=shopper),
    ):
        with pytest.raises(PermissionDeniedError):
            await attempt

    assert await published_titles(chair) == []
    admin = await make_viewer(roles=frozenset({DefaultGroup.ADMINISTRATORS, RoleName.USER}))
    await review_services.approve_review(review_id, actor=admin)  # admins moderate too
    assert await published_titles(chair) == ["5 stars"]


# --- exact averages ------------------------------------------------------------------------------


async def test_the_average_stays_exact_through_approvals_edits_and_rejections(
    make_product: MakeProduct, make_viewer: MakeViewer, buy: Buy, moderator: Viewer
) -> None:
    kettle = await make_product()
    editor = await make_viewer()
    await buy(editor, kettle)
    edited = await review_services.write_review(kettle, review_form(5), author=editor)
    others = [await reviewed_by(make_viewer, buy, kettle, stars) for stars in (4, 4)]
    for review_id in (edited, *others):
        await review_services.approve_review(review_id, actor=moderator)

    summary = await reviews.get_rating_summary(kettle)
    assert (summary.count, summary.total, summary.average_display) == (3, 13, "4.3")
    assert await stored_rating(kettle) == (3, 13, Decimal("4.3333"))
    listed = (await catalog.get_product_summaries([kettle]))[kettle]
    assert (listed.rating_display, listed.rating_count) == ("4.3", 3)

    # The author changes 5 → 1 stars: the review leaves the rating until approved again.
    await review_services.edit_review(edited, review_form(1), author=editor)
    assert await stored_rating(kettle) == (2, 8, Decimal("4.0000"))
    assert (await reviews.get_reviewer_standing(kettle, editor)).own_review.status == "pending"  # type: ignore[union-attr]
    await review_services.approve_review(edited, actor=moderator)
    assert await stored_rating(kettle) == (3, 9, Decimal("3.0000"))

    # Taking a published review down removes it from the rating.
    await review_services.reject_review(others[0], "Off topic", actor=moderator)
    summary = await reviews.get_rating_summary(kettle)
    assert (summary.count, summary.average_display, summary.distribution) == (
        2,
        "2.5",
        {5: 0, 4: 1, 3: 0, 2: 0, 1: 1},
    )
    assert await stored_rating(kettle) == (2, 5, Decimal("2.5000"))
    # The product page (cached) follows every decision.
    page = await catalog.get_product_page(listed.slug)
    assert (page.summary.rating_count, page.summary.rating_display) == (2, "2.5")


async def test_averages_round_half_up_once_to_one_decimal(
    make_product: MakeProduct, make_viewer: MakeViewer, buy: Buy, moderator: Viewer
) -> None:
    tray = await make_product()
    for stars in (5, 5, 4, 4):  # 4.5 exactly
        await review_services.approve_review(
            await reviewed_by(make_viewer, buy, tray, stars), actor=moderator
        )
    assert (await reviews.get_rating_summary(tray)).average_display == "4.5"
    await review_services.approve_review(
        await reviewed_by(make_viewer, buy, tray, 5), actor=moderator
    )
    # 23 / 5 = 4.6 exactly; then 27 / 6 = 4.5; then 28 / 7 = 4.0 (not 3.99…)
    assert (await reviews.get_rating_summary(tray)).average_display == "4.6"
    await review_services.approve_review(
        await reviewed_by(make_viewer, buy, tray, 4), actor=moderator
    )
    assert (await reviews.get_rating_summary(tray)).average_display == "4.5"
    await review_services.approve_review(
        await reviewed_by(make_viewer, buy, tray, 1), actor=moderator
    )
    assert (await reviews.get_rating_summary(tray)).average_display == "4.0"


# --- helpful votes -----------------------------------------------------------------------------


async def test_one_helpful_vote_per_person_and_never_on_your_own_review(
    make_product: MakeProduct, make_viewer: MakeViewer, buy: Buy, moderator: Viewer
) -> None:
    stool = await make_product()
    author = await make_viewer()
    await buy(author, stool)
    first = await review_services.write_review(stool, review_form(5, title="First"), author=author)
    second = await reviewed_by(make_viewer, buy, stool, 3, title="Second")
    fan, other_fan = await make_viewer(), await make_viewer()

    with pytest.raises(VoteRefusedError, match="published"):
        await review_services.set_helpful_vote(first, voter=fan, helpful=True)  # still pending
    await review_services.approve_review(first, actor=moderator)
    await review_services.approve_review(second, actor=moderator)
    assert await published_titles(stool) == ["Second", "First"]  # newest first

    assert await review_services.set_helpful_vote(first, voter=fan, helpful=True) == 1
    assert await review_services.set_helpful_vote(first, voter=fan, helpful=True) == 1
    both = await asyncio.gather(
        *(review_services.set_helpful_vote(first, voter=other_fan, helpful=True) for _ in range(3))
    )
    assert max(both) == 2
    with pytest.raises(VoteRefusedError, match="own review"):
        await review_services.set_helpful_vote(first, voter=author, helpful=True)
    with pytest.raises(VoteRefusedError, match="Sign in"):
        await review_services.set_helpful_vote(first, voter=None, helpful=True)

    assert await published_titles(stool, "helpful") == ["First", "Second"]
    standing = await reviews.get_reviewer_standing(stool, fan, shown_review_ids=[first, second])
    assert standing.voted_review_ids == {first}

    assert await review_services.set_helpful_vote(first, voter=fan, helpful=False) == 1
    assert await review_services.set_helpful_vote(first, voter=fan, helpful=False) == 1
    page = await reviews.list_published_reviews(stool, sort="helpful")
    assert [(r.title, r.helpful_count) for r in page.items] == [("First", 1), ("Second", 0)]


# --- untrusted text ------------------------------------------------------------------------------


async def test_bad_text_is_refused_with_clear_messages_and_nothing_is_written(
    make_product: MakeProduct, make_viewer: MakeViewer, buy: Buy
) -> None:
    pot = await make_product()
    buyer = await make_viewer()
    await buy(buyer, pot)

    cases = [
        (review_form(body="   "), "body", "few words"),
        ({"rating": 4}, "body", "few words"),
        (review_form(body="Too short"), "body", "at least 10"),
        (review_form(body="x" * 4_001), "body", "4,000"),
        (review_form(title="t" * 121), "title", "120"),
        (review_form(6), "rating", "1 to 5"),
        (review_form(0), "rating", "1 to 5"),
        (review_form("five"), "rating", "1 to 5"),
        # NUL cannot be stored: refused like everywhere else (backend/core/validation.py).
        (review_form(body="Line one\x00 and then line two"), "body", "NUL"),
    ]
    for form, field, words in cases:
        with pytest.raises(InvalidInputError) as refused:
            await review_services.write_review(pot, form, author=buyer)
        assert words in refused.value.field_errors[field], (form, refused.value.field_errors)
    assert (await reviews.get_reviewer_standing(pot, buyer)).own_review is None

    await review_services.write_review(
        pot,
        review_form(
            title="Lovely\u202e\x07 pot\n",
            body="Line one\x7f\r\nline two\x1b[31m\n\n\n\n<script>alert(1)</script>",
        ),
        author=buyer,
    )
    own = (await reviews.get_reviewer_standing(pot, buyer)).own_review
    assert own is not None
    assert own.title == "Lovely pot"
    # Control characters gone, at most one blank line; markup stays text (rendered as text).
    assert own.body == "Line one\nline two[31m\n\n<script>alert(1)</script>"


async def test_only_the_author_can_edit_a_review(
    make_product: MakeProduct, make_viewer: MakeViewer, buy: Buy
) -> None:
    jug = await make_product()
    review_id = await reviewed_by(make_viewer, buy, jug, 4)
    stranger = await make_viewer()
    await buy(stranger, jug)

    with pytest.raises(NotFoundError):
        await review_services.edit_review(review_id, review_form(1), author=stranger)
    with pytest.raises(ReviewNotAllowedError):
        await review_services.edit_review(review_id, review_form(1), author=None)


# --- listings --------------------------------------------------------------------------


async def test_listings_sort_by_rating_with_ties_by_count_and_filter_by_minimum(
    make_product: MakeProduct,
    make_viewer: MakeViewer,
    buy: Buy,
    moderator: Viewer,
    unique: str,
) -> None:
    names = {}
    ratings = {"few": (5, 4), "many": (5, 4, 5, 4), "middling": (3,), "unrated": ()}
    for label, stars_given in ratings.items():
        product = await make_product(name=f"{label} {unique}")
        names[product] = label
        for stars in stars_given:
            await review_services.approve_review(
                await reviewed_by(make_viewer, buy, product, stars), actor=moderator
            )
    slug = f"category-{unique}"

    async def listed(**params: str) -> list[str]:
        query = parse_listing_query({"category": slug, **params}, strict=True)
        return [names[item.id] for item in (await listing_queries.list_products(query)).items]

    assert await listed(sort_by="rating") == ["many", "few", "middling", "unrated"]
    assert await listed(sort_by="rating", min_rating="4") == ["many", "few"]
    assert sorted(await listed(min_rating="3")) == ["few", "many", "middling"]
    assert await listed(min_rating="5") == []
    with pytest.raises(InvalidInputError) as refused:
        parse_listing_query({"min_rating": "9"}, strict=True)
    assert "min_rating" in refused.value.field_errors
    assert parse_listing_query({"min_rating": "lots"}, strict=False).min_rating is None
    assert ListingQuery(min_rating=4).to_params() == {"min_rating": "4"}

    # Decisions move products at once (the listing cache follows): a new 1-star review
    # drops "few" below 4 stars; taking it and the 4-star down again makes "few" a 5.
    few = next(p for p, label in names.items() if label == "few")
    one_star = await reviewed_by(make_viewer, buy, few, 1)
    await review_services.approve_review(one_star, actor=moderator)
    assert await listed(sort_by="rating", min_rating="4") == ["many"]
    four_star = next(
        item.id for item in (await reviews.list_published_reviews(few)).items if item.rating == 4
    )
    for review_id in (one_star, four_star):
        await review_services.reject_review(review_id, "Duplicate", actor=moderator)
    assert await listed(sort_by="rating", min_rating="4") == ["few", "many"]


async def test_the_products_api_sorts_and_filters_by_rating_and_shows_it(
    make_product: MakeProduct,
    make_viewer: MakeViewer,
    buy: Buy,
    moderator: Viewer,
    unique: str,
) -> None:
    liked, loved = await make_product(name=f"Liked {unique}"), await make_product()
    for product, stars_given in ((liked, (4, 3)), (loved, (5,))):
        for stars in stars_given:
            await review_services.approve_review(
                await reviewed_by(make_viewer, buy, product, stars), actor=moderator
            )
    await make_product()  # unrated
    transport = httpx.ASGITransport(app=build_http_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost/api/v1") as api:
        response = await api.get(
            "/products", params={"category": f"category-{unique}", "sort_by": "rating"}
        )
        filtered = await api.get(
            "/products", params={"category": f"category-{unique}", "min_rating": 4}
        )
        refused = await api.get("/products", params={"min_rating": 6})

    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [(i["rating_average"], i["rating_count"]) for i in items] == [
        ("5.0", 1),
        ("3.5", 2),
        (None, 0),
    ]
    assert [i["id"] for i in filtered.json()["items"]] == [str(loved)]
    assert refused.status_code == 400


async def test_a_rating_change_is_not_a_product_edit(
    make_product: MakeProduct, make_viewer: MakeViewer, buy: Buy, moderator: Viewer
) -> None:
    bowl = await make_product()
    review_id = await reviewed_by(make_viewer, buy, bowl, 5)  # buying changes the stock
    async with session_scope() as session:
        before = (await session.get(Product, bowl)).updated_at  # type: ignore[union-attr]
    await review_services.approve_review(review_id, actor=moderator)
    async with session_scope() as session:
        product = await session.get(Product, bowl)
    assert product is not None
    assert (product.rating_count, product.updated_at) == (1, before)


async def test_a_review_of_a_product_with_sizes_says_which_one_the_author_bought(
    make_product: MakeProduct, make_viewer: MakeViewer, buy: Buy, moderator: Viewer, unique: str
) -> None:
    from backend.catalog import queries as catalog_queries
    from backend.catalog import variants
    from tests.fixtures.accounts import catalog_manager

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
    size_42 = next(
        v.id for v in (await catalog_queries.get_product(boot)).variants if v.title == "42"
    )
    buyer = await make_viewer()
    await buy(buyer, size_42)
    review_id = await review_services.write_review(boot, review_form(5, title="Fits"), author=buyer)
    await review_services.approve_review(review_id, actor=moderator)

    [review] = (await reviews.list_published_reviews(boot)).items
    assert (review.title, review.variant_bought) == ("Fits", "42")
