"""A buyer reviews a product, a moderator approves it in the admin, and the product page
shows it with the new average and count."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from backend.accounts.roles import RoleName
from backend.accounts.schemas import Viewer
from tests.e2e.data import PASSWORD, create_account, create_product, place_order_for, run
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.storefront import SignInForm, Storefront
from tests.fixtures.accounts import catalog_manager


def approved_review_by_another_buyer(email: str, slug: str, rating: int, title: str) -> None:
    """Someone else's review, already published (made through the services)."""
    from sqlmodel import select

    from backend.accounts.models import User
    from backend.catalog import queries as catalog
    from backend.core.db import session_scope
    from backend.reviews import services as reviews

    place_order_for(email, slug, paid=True)

    async def write_and_approve() -> None:
        async with session_scope() as session:
            user = (await session.exec(select(User).where(User.email == email))).one()
        author = Viewer(user.id, user.username, email, "Bea Early", frozenset({RoleName.USER}))
        product = await catalog.get_product_page(slug)
        review_id = await reviews.write_review(
            product.summary.id,
            {"rating": rating, "title": title, "body": "Bought two, both still going strong."},
            author=author,
        )
        await reviews.approve_review(review_id, actor=await catalog_manager())

    run(write_and_approve)


def test_a_buyers_review_is_published_after_a_moderator_approves_it(
    page: Page, unique: str
) -> None:
    slug = create_product(f"r{unique}", name=f"Review Kettle {unique}", price="39.00")
    early = create_account(f"re{unique}", roles=frozenset({RoleName.USER}))
    approved_review_by_another_buyer(early, slug, 5, "Boils fast")
    buyer = create_account(f"rb{unique}", roles=frozenset({RoleName.USER}))
    place_order_for(buyer, slug, paid=True)

    # Anyone: the published review and why they cannot write one.
    shop = Storefront(page).open(f"/products/{slug}")
    reviews = page.get_by_role("region", name="Customer reviews")
    expect(reviews.get_by_text("5.0 out of 5 · 1 review")).to_be_visible()
    expect(reviews.get_by_text("Sign in", exact=False).first).to_be_visible()
    expect(reviews.get_by_role("article", name="Review by Bea E.")).to_contain_text("Boils fast")

    # The buyer writes a review: it waits for moderation, visible only to them.
    shop.open("/sign-in")
    SignInForm(page).sign_in(buyer, PASSWORD)
    expect(shop.account_menu).to_be_visible()
    shop.open(f"/products/{slug}")
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
    admin = AdminDashboard(page).open()
    admin.sign_in_form.sign_in(
        create_account(f"rm{unique}", roles=frozenset({RoleName.MODERATOR})), PASSWORD
    )
    admin.nav_link("Reviews").click()
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
    reviews.scroll_into_view_if_needed()
    page.screenshot(path="var/test-results/reviews-published.png", full_page=True)
