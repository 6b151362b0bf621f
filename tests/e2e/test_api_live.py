"""The REST API answers through the running shop (the same server as the pages)."""

from __future__ import annotations

import httpx

from tests.e2e.data import create_product


def test_the_api_is_served_next_to_the_pages(base_url: str, unique: str) -> None:
    create_product(f"api{unique}", name=f"Api Live Mug {unique}", price="8.00")
    listing = httpx.get(
        f"{base_url}/api/v1/products", params={"limit": 100, "sort_by": "created_at"}
    )
    assert listing.status_code == 200
    assert listing.headers["x-request-id"]
    assert f"Api Live Mug {unique}" in {item["name"] for item in listing.json()["items"]}
    assert (
        httpx.get(f"{base_url}/api/v1/openapi.json").json()["info"]["title"] == "Kestrel Goods API"
    )
    assert httpx.get(f"{base_url}/api/v1/docs").status_code == 200
    missing = httpx.get(f"{base_url}/api/v1/products/{'0' * 8}-0000-0000-0000-{'0' * 12}")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
