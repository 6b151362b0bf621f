"""Reflex configuration. It reads the same settings as every other process; no logic here."""

import reflex as rx

from backend.settings import get_settings

settings = get_settings()

config = rx.Config(
    app_name="shop",
    app_module_import="storefront.app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    db_url=settings.database_url,
    redis_url=settings.redis_url,
    deploy_url=settings.public_base_url,
    api_url=settings.public_base_url,
    cors_allowed_origins=settings.allowed_origins,
    disable_plugins=["reflex.plugins.sitemap.SitemapPlugin"],
)
