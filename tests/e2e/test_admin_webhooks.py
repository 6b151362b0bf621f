"""An admin registers a webhook endpoint (its secret is shown once), switches it off and
deletes it."""

from __future__ import annotations

import re
import socket

from playwright.sync_api import Page, expect

from backend.accounts.permissions import DefaultGroup
from backend.webhooks import queries as webhook_queries
from backend.webhooks.schemas import EndpointSummary
from tests.e2e.data import PASSWORD, create_account, run
from tests.e2e.pages.admin import AdminDashboard
from tests.fixtures.accounts import catalog_manager


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _endpoint(url: str) -> EndpointSummary | None:
    async def find() -> EndpointSummary | None:
        endpoints = await webhook_queries.list_endpoints(await catalog_manager())
        return next((e for e in endpoints if e.url == url), None)

    return run(find)


def test_an_admin_creates_switches_off_and_deletes_an_endpoint(page: Page, unique: str) -> None:
    url = f"http://127.0.0.1:{_unused_port()}/hook"
    admin = AdminDashboard(page).open_signed_in(
        create_account("w" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS})), PASSWORD
    )
    admin.go_to("Webhooks")

    page.get_by_label("URL", exact=True).fill(url)
    page.get_by_label("Description (optional)").fill(f"E2E {unique}")
    page.get_by_role("checkbox", name="Order placed").check()
    page.get_by_role("button", name="Create endpoint").click()

    secret = page.get_by_test_id("webhook-secret")
    expect(secret).to_have_text(re.compile(r"^whsec_\S{20,}$"))
    expect(page.get_by_text("Store it now: it will not be shown again")).to_be_visible()
    shown = secret.inner_text()
    row = page.get_by_role("row").filter(has_text=url)
    expect(row).to_contain_text("order.placed")
    expect(row.get_by_role("switch", name=f"Active: {url}")).to_be_checked()
    page.screenshot(path="var/test-results/admin-webhooks.png")
    created = _endpoint(url)
    assert created is not None
    assert created.is_active
    assert created.event_types == ("order.placed",)

    # Shown once: opening the page again no longer shows it.
    admin.open("/admin/webhooks")
    expect(row).to_be_visible()
    expect(page.get_by_test_id("webhook-secret")).to_have_count(0)
    expect(page.get_by_text(shown)).to_have_count(0)

    # A new secret: two clicks; the old one keeps signing for a grace period.
    row.get_by_role("button", name=f"New secret for {url}").click()
    row.get_by_role("button", name=f"Confirm new secret for {url}").click()
    expect(page.get_by_test_id("webhook-secret")).to_have_text(re.compile(r"^whsec_\S{20,}$"))
    assert page.get_by_test_id("webhook-secret").inner_text() != shown
    expect(page.get_by_text("signed with the previous secret too")).to_be_visible()
    page.screenshot(path="var/test-results/admin-webhooks-rotated.png")
    rotated = _endpoint(url)
    assert rotated is not None
    assert rotated.previous_secret_expires_at is not None
    page.get_by_role("button", name="I have stored it").click()
    expect(page.get_by_test_id("webhook-secret")).to_have_count(0)

    row.get_by_role("button", name=f"Deliveries to {url}").click()
    expect(page.get_by_role("heading", name="Deliveries")).to_be_visible()

    row.get_by_role("switch", name=f"Active: {url}").click()
    expect(row.get_by_role("switch", name=f"Active: {url}")).not_to_be_checked()
    switched_off = _endpoint(url)
    assert switched_off is not None
    assert not switched_off.is_active

    row.get_by_role("button", name=f"Delete {url}").click()
    row.get_by_role("button", name=f"Confirm delete {url}").click()
    expect(page.get_by_text("Endpoint deleted.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=url)).to_have_count(0)
    assert _endpoint(url) is None
