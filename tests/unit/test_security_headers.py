"""The Content-Security-Policy opens up to Stripe only when the shop takes Stripe payments."""

import pytest

from api.security_headers import content_security_policy
from backend.settings import get_settings


def directives() -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in content_security_policy().split(";"))


def test_without_stripe_no_other_origin_may_run_scripts_or_frames(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    try:
        policy = directives()
    finally:
        get_settings.cache_clear()
    assert "stripe" not in content_security_policy()
    assert policy["frame-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"


def test_with_stripe_its_script_frames_and_api_are_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_x")
    monkeypatch.setenv("STRIPE_PUBLISHABLE_KEY", "pk_test_x")
    get_settings.cache_clear()
    try:
        policy = directives()
    finally:
        get_settings.cache_clear()
    assert "https://js.stripe.com" in policy["script-src"]
    assert policy["frame-src"] == "https://js.stripe.com https://hooks.stripe.com"
    assert "https://api.stripe.com" in policy["connect-src"]


def test_product_pictures_at_https_addresses_may_show_but_never_plain_http() -> None:
    """The product form accepts uploaded pictures and https:// addresses (never http://):
    the page must be allowed to show what the form accepted."""
    sources = directives()["img-src"].split()
    assert "https:" in sources
    assert "'self'" in sources
    assert "http:" not in sources
    assert "*" not in sources
