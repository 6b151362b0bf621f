"""A shopper browses: the shell, a category with filters in the URL, a product, search, 404s."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.data import create_category, create_product, wait_until_searchable
from tests.e2e.pages.storefront import Storefront


@pytest.fixture
def lamps(unique: str) -> dict[str, str]:
    """A category "Lighting" with a subcategory "Desk lamps" and five products."""
    top = create_category(unique, name="Lighting")
    desk = create_category(unique, name="Desk lamps", parent_id=top)
    slugs = {
        "brass": create_product(
            f"b{unique}",
            name=f"Brass Desk Lamp {unique}",
            price="89.00",
            category_id=desk,
            brand=f"Lumo {unique}",
            attributes={"finish": "brass"},
        ),
        "oak": create_product(
            f"o{unique}",
            name=f"Oak Desk Lamp {unique}",
            price="59.00",
            category_id=desk,
            brand=f"Lumo {unique}",
            attributes={"finish": "oak"},
        ),
        "clip": create_product(
            f"c{unique}",
            name=f"Clip Lamp {unique}",
            price="19.00",
            stock=0,
            category_id=desk,
            brand=f"Brite {unique}",
            attributes={"finish": "steel"},
        ),
        "floor": create_product(
            f"f{unique}",
            name=f"Floor Lamp {unique}",
            price="149.00",
            stock=3,
            category_id=top,
            brand=f"Brite {unique}",
            attributes={"finish": "brass"},
        ),
        "pendant": create_product(
            f"p{unique}",
            name=f"Pendant Light {unique}",
            price="120.00",
            category_id=top,
            brand=f"Lumo {unique}",
        ),
    }
    return {"category": f"lighting-{unique}", **slugs}


def test_home_shows_header_search_cart_account_and_footer(page: Page) -> None:
    shop = Storefront(page).open("/")
    expect(shop.search_box).to_be_visible()
    expect(shop.cart).to_be_visible()
    expect(shop.cart).to_have_accessible_name("Cart, 0 items")
    expect(shop.sign_in_link).to_be_visible()
    expect(shop.footer.get_by_text("Kestrel Goods")).to_be_visible()
    expect(shop.heading("Shop by category")).to_be_visible()
    expect(shop.heading("New arrivals")).to_be_visible()
    expect(page).to_have_title("Kestrel Goods")


def test_phone_layout_keeps_the_header_usable(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    shop = Storefront(page).open("/")
    for element in (shop.logo, shop.search_box, shop.cart, shop.sign_in_link):
        expect(element).to_be_visible()
        box = element.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_category_includes_subcategories_and_filters_live_in_the_url(
    page: Page, lamps: dict[str, str], unique: str
) -> None:
    shop = Storefront(page).open(f"/categories/{lamps['category']}")
    expect(shop.heading(re.compile("^Lighting"))).to_be_visible()
    expect(page.get_by_text("5 products")).to_be_visible()

    brands = page.get_by_role("group", name="Brand")
    brands.get_by_role("link", name=re.compile(f"^Lumo {unique}")).click()
    expect(page).to_have_url(re.compile(r"brand=Lumo"))
    expect(page.get_by_text("3 products")).to_be_visible()

    page.get_by_role("textbox", name="Minimum price").fill("60")
    page.get_by_role("textbox", name="Maximum price").fill("130")
    page.get_by_role("button", name="Go").click()
    expect(page).to_have_url(re.compile(r"min_price=60.*max_price=130"))
    expect(page.get_by_text("2 products")).to_be_visible()

    page.get_by_role("combobox", name="Sort by").click()
    page.get_by_role("option", name="Price: low to high").click()
    expect(page).to_have_url(re.compile(r"sort_by=price&order=asc"))
    names = page.locator("main").get_by_role("link", name=re.compile(f"{unique}$"))
    expect(names).to_have_count(2)
    expect(names.nth(0)).to_have_accessible_name(f"Brass Desk Lamp {unique}")  # $89
    expect(names.nth(1)).to_have_accessible_name(f"Pendant Light {unique}")  # $120

    shared = page.url  # a link reproduces the view
    Storefront(page).open(shared)
    expect(page.get_by_text("2 products")).to_be_visible()

    page.go_back()
    expect(page).to_have_url(re.compile(r"min_price=60(?!.*sort_by)"))


def test_listing_filters_stand_beside_the_grid_and_fold_away_on_a_phone(
    page: Page, lamps: dict[str, str], unique: str
) -> None:
    Storefront(page).open(f"/categories/{lamps['category']}")
    brands = page.get_by_role("group", name="Brand")
    fold = page.locator("main summary", has_text="Filters")
    expect(brands).to_be_visible()
    expect(fold).to_be_hidden()  # nothing to open beside the grid
    # One set of filters for both screen sizes: one price form, not a hidden second one.
    expect(page.locator("main input[name=min_price]")).to_have_count(1)

    page.set_viewport_size({"width": 390, "height": 844})
    expect(brands).to_be_hidden()
    fold.click()
    expect(brands).to_be_visible()
    brands.get_by_role("link", name=re.compile(f"^Lumo {unique}")).click()
    expect(page).to_have_url(re.compile(r"brand=Lumo"))
    expect(page.get_by_text("3 products")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_product_page_shows_price_stock_attributes_breadcrumb_and_related(
    page: Page, lamps: dict[str, str], unique: str
) -> None:
    shop = Storefront(page).open(f"/products/{lamps['floor']}")
    expect(shop.heading(f"Floor Lamp {unique}")).to_be_visible()
    expect(page.get_by_text("$149.00")).to_be_visible()
    expect(page.get_by_text("Only 3 left")).to_be_visible()
    expect(page.get_by_text("brass", exact=True)).to_be_visible()
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    expect(breadcrumb.get_by_role("link", name="Lighting")).to_be_visible()
    expect(page.get_by_role("heading", name="You may also like")).to_be_visible()
    expect(page.get_by_role("button", name="Add to cart")).to_be_enabled()

    Storefront(page).open(f"/products/{lamps['clip']}")
    expect(page.get_by_text("Out of stock")).to_be_visible()
    expect(page.get_by_role("button", name="Sold out")).to_be_disabled()
    expect(page.get_by_role("button", name="Add to cart")).to_have_count(0)


def test_the_tab_title_follows_client_side_navigation(
    page: Page, lamps: dict[str, str], unique: str
) -> None:
    shop = Storefront(page).open(f"/categories/{lamps['category']}")
    expect(page).to_have_title("Lighting · Kestrel Goods")
    # The server's first paint has made way for the page itself.
    expect(page.locator("[data-first-paint]")).to_have_count(0)
    shop.product_link(f"Floor Lamp {unique}").click()
    expect(shop.heading(f"Floor Lamp {unique}")).to_be_visible()
    expect(page).to_have_title(f"Floor Lamp {unique} · Kestrel Goods")
    page.go_back()
    expect(page).to_have_title("Lighting · Kestrel Goods")
    shop.search(f"Pendant {unique}")
    expect(page).to_have_title(f"Results for “Pendant {unique}” · Kestrel Goods")


def test_keyboard_users_skip_the_header_and_land_on_each_new_page(
    page: Page, lamps: dict[str, str], unique: str
) -> None:
    shop = Storefront(page).open(f"/categories/{lamps['category']}")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is in the page, past the whole header
    assert page.evaluate("document.activeElement.closest('main') !== null")
    # After a client-side navigation, focus is on the new page's heading, not <body>.
    shop.product_link(f"Floor Lamp {unique}").click()
    expect(shop.heading(f"Floor Lamp {unique}")).to_be_focused()


def test_a_product_tile_shows_where_keyboard_focus_is(
    page: Page, lamps: dict[str, str], unique: str
) -> None:
    shop = Storefront(page).open(f"/categories/{lamps['category']}")
    link = shop.product_link(f"Floor Lamp {unique}")
    link.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # reached by the keyboard: the browser shows focus
    expect(link).to_be_focused()
    ring = page.evaluate(
        "(link) => getComputedStyle(link, '::after').outlineColor", link.element_handle()
    )
    red, green, blue = (int(part) for part in re.findall(r"\d+", ring)[:3])
    tile = page.locator(".product-card", has=link)
    pixels = Image.open(io.BytesIO(tile.screenshot())).convert("RGB")
    width, height = pixels.size
    in_ring_colour = sum(
        1 for r, g, b in pixels.getdata() if abs(r - red) + abs(g - green) + abs(b - blue) < 30
    )
    # A ring round the tile: its colour along at least half the tile's perimeter (its
    # corners are rounded and its edges blend into the card's border). Drawn where the
    # card clips it, none of it shows.
    assert in_ring_colour >= width + height


def test_search_with_a_typo_finds_the_product_and_opens_its_page(
    page: Page, lamps: dict[str, str], unique: str
) -> None:
    # Indexed, and found through the typo ("dsek") by the index the shop reads.
    wait_until_searchable(f"oak dsek lamp {unique}")
    shop = Storefront(page).open("/")
    shop.search(f"oak dsek lamp {unique}")
    shop.product_link(f"Oak Desk Lamp {unique}").click()
    expect(shop.heading(f"Oak Desk Lamp {unique}")).to_be_visible()


def test_a_suggestion_opens_the_product(page: Page, lamps: dict[str, str], unique: str) -> None:
    wait_until_searchable(f"pendant {unique}")
    shop = Storefront(page).open("/")
    # With this test's token: each test here that uses `lamps` makes a "Pendant Light",
    # and "pendant lig" alone lists eight, which need not include this one.
    shop.search_box.press_sequentially(f"pendant lig {unique}", delay=40)
    suggestion = page.get_by_role("listbox", name="Suggestions").get_by_role(
        "link", name=f"Pendant Light {unique}"
    )
    suggestion.click()
    expect(shop.heading(f"Pendant Light {unique}")).to_be_visible()


def test_a_search_without_results_says_so(page: Page) -> None:
    shop = Storefront(page).open("/")
    shop.search("zzzqqq")
    expect(page.get_by_text("No products match “zzzqqq”")).to_be_visible()


def test_unknown_pages_products_and_categories_say_so(page: Page) -> None:
    shop = Storefront(page).open("/no-such-page")
    expect(shop.heading("Page not found")).to_be_visible()
    shop.open("/products/no-such-product")
    expect(shop.heading("Product not found")).to_be_visible()
    shop.open("/categories/no-such-category")
    expect(shop.heading("Category not found")).to_be_visible()


@pytest.mark.parametrize(
    "query",
    [
        "page=-3",
        "limit=1000",
        "min_price=50&max_price=10",
        "sort_by=colour",
        "page=abc&min_price=x",
        "order=sideways",
        "in_stock=maybe",
    ],
)
def test_bad_query_strings_never_break_the_category_page(
    page: Page, lamps: dict[str, str], query: str
) -> None:
    Storefront(page).open(f"/categories/{lamps['category']}?{query}")
    expect(page.get_by_text(re.compile(r"^\d+ products?$"))).to_be_visible()


def test_the_servers_first_html_hydrates_without_a_mismatch(
    page: Page, lamps: dict[str, str]
) -> None:
    """The public pages' first HTML (the shell, the page's head and a snapshot of its
    content) is what React hydrates: a mismatch would make it throw that HTML away and
    draw the whole page again (React error #418), a flash and seconds on a slow phone."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    for path in (
        "/",
        f"/categories/{lamps['category']}",
        f"/products/{lamps['brass']}",
        "/search?q=lamp",
        "/no-such-page",
    ):
        Storefront(page).open(path)
        page.wait_for_timeout(300)  # an error thrown while hydrating is reported after it
    assert errors == []
