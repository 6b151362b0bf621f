"""What a crawler or a link preview gets from the running shop: a plain HTTP GET, no
browser, no JavaScript. Each public page carries its title, description, canonical
address, Open Graph tags and JSON-LD in the first HTML, and its content in the body before
any script; unknown products and categories are real 404s; the sitemap and robots.txt
come from the catalog."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ElementTree
from typing import Any

import httpx
import pytest

from tests.e2e.data import create_category, create_product

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
IMAGE = "https://images.example.com/kettle-front.jpg"


def head_of(page: str) -> str:
    return page[: page.index("</head>")]


def meta(page: str, attribute: str, name: str) -> str:
    found = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', head_of(page))
    assert found, f"no <meta {attribute}={name}>"
    return html.unescape(found.group(1))


def canonical(page: str) -> str:
    found = re.search(r'<link rel="canonical" href="([^"]*)"', head_of(page))
    assert found, "no canonical link"
    return html.unescape(found.group(1))


def json_ld(page: str) -> dict[str, dict[str, Any]]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    return {data["@type"]: data for data in map(json.loads, blocks)}


def before_scripts(page: str) -> str:
    """The body as it reads before any script has run: up to its first <script>."""
    body = page[page.index("<body") :]
    return body[: body.index("<script")]


def titles(page: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<title[^>]*>(.*?)</title>", head_of(page))]


@pytest.fixture
def kettle(unique: str) -> dict[str, str]:
    category = create_category(unique, name="Kitchen")
    slug = create_product(
        f"k{unique}",
        name=f"Copper Kettle {unique} <b>&</b>",
        price="64.50",
        stock=4,
        category_id=category,
        brand=f"Hearth {unique}",
        description="A stovetop kettle in hammered copper.\n\nHolds 1.7 litres; whistles.",
        image_urls=[IMAGE],
    )
    return {"slug": slug, "category": f"kitchen-{unique}", "name": f"Copper Kettle {unique}"}


def test_a_product_page_tells_crawlers_what_it_sells(
    base_url: str, kettle: dict[str, str], unique: str
) -> None:
    answer = httpx.get(
        f"{base_url}/products/{kettle['slug']}?variant=x&utm_source=newsletter",
        headers={"user-agent": "facebookexternalhit/1.1"},
    )
    assert answer.status_code == 200
    page = answer.text
    name = f"{kettle['name']} <b>&</b>"
    assert titles(page) == [f"{name} · Kestrel Goods"]
    assert meta(page, "name", "description") == (
        "A stovetop kettle in hammered copper. Holds 1.7 litres; whistles."
    )
    address = f"{base_url}/products/{kettle['slug']}"
    assert canonical(page) == address
    assert meta(page, "property", "og:title") == f"{name} · Kestrel Goods"
    assert meta(page, "property", "og:type") == "product"
    assert meta(page, "property", "og:url") == address
    assert meta(page, "property", "og:image") == IMAGE
    assert meta(page, "name", "twitter:card") == "summary_large_image"
    # Escaped, not markup: the name's tags are text in the head and the body.
    assert "<b>&</b>" not in page
    structured = json_ld(page)
    product = structured["Product"]
    assert product["name"] == name
    assert product["sku"] == f"E2E-k{unique}"
    assert product["brand"] == {"@type": "Brand", "name": f"Hearth {unique}"}
    assert product["image"] == [IMAGE]
    assert product["offers"]["price"] == "64.50"
    assert product["offers"]["priceCurrency"] == "USD"
    assert product["offers"]["availability"] == "https://schema.org/InStock"
    assert "aggregateRating" not in product  # no reviews yet
    crumbs = structured["BreadcrumbList"]["itemListElement"]
    assert [c["name"] for c in crumbs] == ["Kestrel Goods", "Kitchen", name]
    assert crumbs[1]["item"] == f"{base_url}/categories/{kettle['category']}"
    # Name, price, description and picture are there before any script runs.
    first_paint = html.unescape(before_scripts(page))
    for text in (name, "$64.50", "Holds 1.7 litres; whistles.", "In stock", IMAGE):
        assert text in first_paint


def test_unknown_products_and_categories_are_not_found(base_url: str, unique: str) -> None:
    for path in (f"/products/no-such-{unique}", f"/categories/no-such-{unique}"):
        answer = httpx.get(base_url + path)
        assert answer.status_code == 404, path
        assert titles(answer.text)[-1] == "Page not found · Kestrel Goods"
        assert meta(answer.text, "name", "robots") == "noindex"
        assert "Page not found" in before_scripts(answer.text)


def test_a_category_page_lists_its_products_for_crawlers(
    base_url: str, kettle: dict[str, str]
) -> None:
    answer = httpx.get(f"{base_url}/categories/{kettle['category']}?sort=price")
    assert answer.status_code == 200
    page = answer.text
    assert titles(page) == ["Kitchen · Kestrel Goods"]
    assert canonical(page) == f"{base_url}/categories/{kettle['category']}"
    first_paint = before_scripts(page)
    assert f'href="/products/{kettle["slug"]}"' in first_paint
    assert f'<img src="{IMAGE}"' in first_paint  # the card's picture, as the page shows it
    assert "<h1>Kitchen</h1>" in first_paint


def test_home_names_the_shop_and_its_search(base_url: str) -> None:
    page = httpx.get(f"{base_url}/").text
    structured = json_ld(page)
    assert structured["Organization"]["url"] == f"{base_url}/"
    action = structured["WebSite"]["potentialAction"]
    assert action["target"]["urlTemplate"] == f"{base_url}/search?q={{search_term_string}}"
    assert canonical(page) == f"{base_url}/"
    assert "Kestrel Goods" in titles(page)


def test_search_results_are_followed_but_not_indexed(base_url: str) -> None:
    page = httpx.get(f"{base_url}/search", params={"q": "kettle"}).text
    assert meta(page, "name", "robots") == "noindex, follow"
    assert canonical(page) == f"{base_url}/search?q=kettle"


def test_sitemap_lists_products_and_categories_and_robots_names_it(
    base_url: str, kettle: dict[str, str]
) -> None:
    index = httpx.get(f"{base_url}/sitemap.xml")
    assert index.status_code == 200
    assert index.headers["content-type"].startswith("application/xml")
    files = [loc.text or "" for loc in ElementTree.fromstring(index.content).iter(f"{SITEMAP}loc")]
    assert f"{base_url}/sitemaps/categories.xml" in files
    addresses: set[str] = set()
    for file in files:
        part = httpx.get(file)
        assert part.status_code == 200, file
        root = ElementTree.fromstring(part.content)
        assert root.tag == f"{SITEMAP}urlset"
        addresses |= {loc.text or "" for loc in root.iter(f"{SITEMAP}loc")}
    assert f"{base_url}/products/{kettle['slug']}" in addresses
    assert f"{base_url}/categories/{kettle['category']}" in addresses
    assert httpx.get(f"{base_url}/sitemaps/products-999999.xml").status_code == 404

    robots = httpx.get(f"{base_url}/robots.txt")
    assert robots.status_code == 200
    rules = robots.text.splitlines()
    for private in ("/cart", "/checkout", "/account", "/admin", "/api/"):
        assert f"Disallow: {private}" in rules
    assert f"Sitemap: {base_url}/sitemap.xml" in rules
