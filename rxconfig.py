"""Reflex configuration. It reads the same settings as every other process; no logic here."""

import os

import reflex as rx

from backend.settings import get_settings
from ui.theme import RADIX_THEME

settings = get_settings()

# A tab's state stays in the process serving it between the tab's events (Reflex's
# opportunistic lock: written back to Redis within 5 s, or at once when another process
# asks for the tab), instead of a lock, a read, a write and an unlock in Redis for every
# event. A storefront page load sent 30-50 Redis commands, now under 15 (issue #24;
# tests/e2e/test_page_budgets.py keeps it so).
os.environ.setdefault("REFLEX_OPLOCK_ENABLED", "true")

config = rx.Config(
    app_name="shop",
    app_module_import="webapp.app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    redis_url=settings.redis_url,
    deploy_url=settings.public_base_url,
    api_url=settings.public_base_url,
    cors_allowed_origins=settings.allowed_origins,
    # Reflex's own X-Forwarded-For handling (a hop count) stays off: `client_ip` is the
    # connecting address, and the shop's one rule (TRUSTED_PROXIES,
    # backend/core/client_address.py) finds the visitor behind a proxy.
    trusted_proxy_hops=0,
    plugins=[rx.plugins.RadixThemesPlugin(theme=RADIX_THEME)],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
