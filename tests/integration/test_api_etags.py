"""ETags on every successful JSON read of /api/v1: the same answer again is an empty 304;
a change gives a new tag; signed-in answers are private; the document says so."""

from __future__ import annotations

import httpx

from api.v1.app import build_api_v1
from backend.accounts.schemas import Viewer
from tests.fixtures.api_client import bearer, with_key


async def test_a_read_answered_again_is_an_empty_304_until_it_changes(
    api: httpx.AsyncClient, admin_viewer: Viewer
) -> None:
    headers = await bearer(admin_viewer)
    first = await api.get("/admin/staff-groups", headers=headers)
    assert first.status_code == 200, first.text
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"

    again = await api.get("/admin/staff-groups", headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    weak = await api.get("/admin/staff-groups", headers={**headers, "If-None-Match": f"W/{etag}"})
    assert weak.status_code == 304

    made = await api.post(
        "/admin/staff-groups",
        json={"name": f"Packers {etag[1:9]}", "description": "", "permissions": ["orders.fulfil"]},
        headers=with_key(headers),
    )
    assert made.status_code == 201, made.text
    changed = await api.get("/admin/staff-groups", headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert f"Packers {etag[1:9]}" in changed.text


async def test_public_reads_are_tagged_and_refusals_are_not(api: httpx.AsyncClient) -> None:
    public = await api.get("/categories")
    assert public.status_code == 200
    assert public.headers["cache-control"] == "no-cache"
    stale = await api.get("/categories", headers={"If-None-Match": '"not-the-tag"'})
    assert stale.status_code == 200

    refused = await api.get("/users/me")
    assert refused.status_code == 401
    assert "etag" not in refused.headers


def test_every_read_documents_if_none_match_and_304() -> None:
    schema = build_api_v1().openapi()
    reads = [ops["get"] for ops in schema["paths"].values() if "get" in ops]
    assert reads
    for read in reads:
        assert "304" in read["responses"], read["operationId"]
        assert any(p["name"] == "If-None-Match" for p in read["parameters"]), read["operationId"]
