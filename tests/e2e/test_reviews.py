"""A buyer reviews a product, a moderator approves it in the admin, and the product page
shows it with the new average and count."""

from __future__ import annotations

import dataclasses
import re
import uuid

from playwright.sync_api import Page, expect

from backend.accounts.permissions import DefaultGroup
from backend.accounts.roles import RoleName
from tests.e2e.data import (
    PASSWORD,
    create_account,
    create_category,
    create_product,
    place_order_for,
    run,
)
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.storefront import Storefront
from tests.fixtures.accounts import catalog_manager


def review_by_a_buyer(
    slug: str, rating: int, title: str, *, approve: bool, name: str = "Bea Early"
) -> None:
    """A new account buys the product and reviews it (through the services); published
    at once if `approve`."""
    from backend.accounts import authentication
    from backend.catalog import queries as catalog
    from backend.reviews import services as reviews

    handle = uuid.uuid4().hex[:10]
    email = create_account(handle, roles=frozenset({RoleName.USER}))
    place_order_for(email, slug, paid=True)

    async def write() -> None:
        author = (await authentication.sign_in(email=email, password=PASSWORD)).viewer
        author = dataclasses.replace(author, display_name=name)
        product = await catalog.get_product_page(slug)
        review_id = await reviews.write_review(
            product.summary.id,
            {"rating": rating, "title": title, "body": "Bought two, both still going strong."},
            author=author,
        )
        if approve:
            await reviews.approve_review(review_id, actor=await catalog_manager())

    run(write)


def test_a_buyers_review_is_published_after_a_moderator_approves_it(
    page: Page, unique: str
) -> None:
    slug = create_product(f"r{unique}", name=f"Review Kettle {unique}", price="39.00")
    review_by_a_buyer(slug, 5, "Boils fast", approve=True)
    buyer = create_account(f"rb{unique}", roles=frozenset({RoleName.USER}))
    place_order_for(buyer, slug, paid=True)

    # Anyone: the published review and why they cannot write one.
    shop = Storefront(page).open(f"/products/{slug}")
    reviews = page.get_by_role("region", name="Customer reviews")
    expect(reviews.get_by_text("5.0 out of 5 · 1 review")).to_be_visible()
    expect(reviews.get_by_text("Sign in", exact=False).first).to_be_visible()
    expect(reviews.get_by_role("article", name="Review by Bea E.")).to_contain_text("Boils fast")

    # The buyer writes a review: it waits for moderation, visible only to them.
    shop.open_signed_in(buyer, PASSWORD, f"/products/{slug}")
    form = page.get_by_role("form", name="Write a review")
    form.get_by_role("radio", name="4 ★").click()
    form.get_by_label("Title (optional)").fill("Quiet and quick")
    form.get_by_label("Your review").fill("Short")
    form.get_by_role("button", name="Submit review").click()
    expect(form.get_by_text("Write at least 10 characters (it has 5).")).to_be_visible()
    form.get_by_label("Your review").fill("Quiet <b>kettle</b>, boils a litre in 3 minutes.")
    form.get_by_role("button", name="Submit review").click()

    expect(page.get_by_text("Waiting for moderation")).to_be_visible()
    expect(
        page.get_by_text("Only you can see it until a moderator has approved it.")
    ).to_be_visible()
    expect(reviews.get_by_text("5.0 out of 5 · 1 review")).to_be_visible()  # not counted yet
    page.screenshot(path="var/test-results/reviews-pending.png", full_page=True)
    shop.sign_out()

    # A moderator approves it in the admin.
    admin = AdminDashboard(page).open_signed_in(
        create_account(f"rm{unique}", roles=frozenset({DefaultGroup.MODERATORS})), PASSWORD
    )
    admin.go_to("Reviews")
    card = page.get_by_role("article").filter(has_text="Quiet and quick")
    expect(card).to_contain_text(f"Review Kettle {unique}")
    expect(card).to_contain_text("Erin R.")  # first name and an initial, never more
    expect(card).to_contain_text("Waiting for moderation")
    page.screenshot(path="var/test-results/admin-reviews.png", full_page=True)
    card.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Review published.")).to_be_visible()
    expect(card).to_have_count(0)  # it left the queue

    # Everyone now sees it, with the new average (exact 4.5) and count.
    shop.open(f"/products/{slug}")
    expect(reviews.get_by_text("4.5 out of 5 · 2 reviews")).to_be_visible()
    published = reviews.get_by_role("article", name="Review by Erin R.")
    expect(published).to_contain_text("Quiet and quick")
    # Untrusted text stays text: the markup is shown, not interpreted.
    expect(published).to_contain_text("Quiet <b>kettle</b>, boils a litre in 3 minutes.")
    expect(page.get_by_role("link", name="4.5 out of 5 stars, 2 reviews")).to_be_visible()
    # The moderator, still signed in, finds the other review helpful (and changes their mind).
    early = reviews.get_by_role("article", name="Review by Bea E.")
    early.get_by_role("button", name=re.compile("^Helpful")).click()
    expect(early.get_by_text("1 person found this helpful")).to_be_visible()
    expect(early.get_by_role("button", name=re.compile("^Helpful"))).to_have_attribute(
        "aria-pressed", "true"
    )
    reviews.scroll_into_view_if_needed()
    page.screenshot(path="var/test-results/reviews-published.png", full_page=True)
    early.get_by_role("button", name=re.compile("^Helpful")).click()
    expect(early.get_by_text("1 person found this helpful")).to_have_count(0)
    # On a phone the section stacks and nothing is wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(reviews.get_by_text("4.5 out of 5 · 2 reviews")).to_be_visible()
    overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the product page is {overflow} px wider than a phone"
    reviews.screenshot(path="var/test-results/reviews-phone.png")


def test_a_rejected_review_shows_its_reason_to_its_author_only(page: Page, unique: str) -> None:
    slug = create_product(f"j{unique}", name=f"Reject Jug {unique}")
    author = create_account(f"ja{unique}", roles=frozenset({RoleName.USER}))
    place_order_for(author, slug, paid=True)
    shop = Storefront(page).open_signed_in(author, PASSWORD, f"/products/{slug}")
    form = page.get_by_role("form", name="Write a review")
    form.get_by_role("radio", name="1 ★").click()
    form.get_by_label("Your review").fill("The courier left it in the rain.")
    form.get_by_role("button", name="Submit review").click()
    expect(page.get_by_text("Waiting for moderation")).to_be_visible()
    shop.sign_out()

    admin = AdminDashboard(page).open_signed_in(
        create_account(f"jm{unique}", roles=frozenset({DefaultGroup.MODERATORS})), PASSWORD
    )
    admin.go_to("Reviews")
    card = page.get_by_role("article").filter(has_text=f"Reject Jug {unique}")
    card.get_by_role("button", name="Reject…").click()
    dialog = page.get_by_role("dialog", name="Reject this review")
    dialog.get_by_role("button", name="Reject review").click()
    expect(dialog.get_by_text("Give the author a reason")).to_be_visible()
    dialog.get_by_label("Reason").fill("Please review the jug itself, not the delivery.")
    dialog.get_by_role("button", name="Reject review").click()
    expect(page.get_by_text("Review rejected; its author can read your reason.")).to_be_visible()
    expect(card).to_have_count(0)
    page.get_by_role("combobox", name="Show reviews").click()
    page.get_by_role("option", name="Rejected").click()
    expect(card).to_contain_text("Please review the jug itself, not the delivery.")
    page.screenshot(path="var/test-results/admin-reviews-rejected.png", full_page=True)
    page.get_by_role("button", name="Sign out").click()

    # Visitors see nothing of it; its author reads why.
    shop.open(f"/products/{slug}")
    reviews = page.get_by_role("region", name="Customer reviews")
    expect(reviews.get_by_text("No reviews yet.")).to_be_visible()
    expect(reviews).not_to_contain_text("courier")
    shop.open_signed_in(author, PASSWORD, f"/products/{slug}")
    expect(reviews.get_by_text("Not published")).to_be_visible()
    expect(reviews).to_contain_text("Please review the jug itself, not the delivery.")
    page.screenshot(path="var/test-results/reviews-rejected-author.png", full_page=True)

    # The author rewrites it: back in the queue, the old reason gone.
    reviews.get_by_role("button", name="Edit your review").click()
    form = page.get_by_role("form", name="Write a review")
    form.get_by_role("radio", name="4 ★").click()
    form.get_by_label("Your review").fill("Solid jug, pours without dripping.")
    form.get_by_role("button", name="Save changes").click()
    expect(reviews.get_by_text("Waiting for moderation")).to_be_visible()
    expect(reviews).not_to_contain_text("Please review the jug itself")
    expect(reviews).to_contain_text("Solid jug, pours without dripping.")


def test_a_category_sorts_by_rating_and_filters_by_stars(page: Page, unique: str) -> None:
    category = create_category(f"s{unique}")
    products = {}
    for label, ratings in (("Fair", (3,)), ("Top", (5, 4)), ("Best", (5, 5)), ("New", ())):
        products[label] = create_product(
            f"s{label}{unique}", name=f"{label} Jug {unique}", category_id=category
        )
        for stars in ratings:
            review_by_a_buyer(products[label], stars, f"{stars} stars", approve=True)

    Storefront(page).open(f"/categories/cat-s{unique}")
    page.get_by_role("combobox", name="Sort by").click()
    page.get_by_role("option", name="Highest rated").click()
    expect(page).to_have_url(re.compile(r"sort_by=rating"))
    jugs = page.get_by_role("link", name=re.compile(f"Jug {unique}$"))
    expect(jugs).to_have_count(4)
    expect(jugs.first).to_have_text(f"Best Jug {unique}")  # re-sorted
    assert [name.split()[0] for name in jugs.evaluate_all(LINK_TEXTS)] == [
        "Best",
        "Top",
        "Fair",
        "New",
    ]
    top_jug = page.get_by_role("link", name=f"Top Jug {unique}", exact=True)
    expect(page.locator(".product-card").filter(has=top_jug)).to_contain_text("4.5 (2)")

    page.get_by_role("group", name="Customer rating").get_by_role("link", name="4★ & up").click()
    expect(page).to_have_url(re.compile(r"min_rating=4"))
    expect(jugs).to_have_count(2)
    assert [name.split()[0] for name in jugs.evaluate_all(LINK_TEXTS)] == ["Best", "Top"]
    page.screenshot(path="var/test-results/category-by-rating.png", full_page=True)


LINK_TEXTS = "links => links.map(link => link.textContent)"
