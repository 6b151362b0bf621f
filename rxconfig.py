"""Reflex configuration. It reads the same settings as every other process; no logic here."""

import reflex as rx

from backend.settings import get_settings
from ui.theme import RADIX_THEME

settings = get_settings()

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
