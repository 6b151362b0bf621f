"""Signing keys: one derivation for every purpose, none from a published key in production."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator

import pytest
from pydantic import SecretStr

import backend.settings
from backend.core.keys import InsecureSecretKeyError, derive_key
from backend.settings import (
    DEVELOPMENT_SECRET_KEY,
    PROJECT_ROOT,
    PUBLISHED_SECRET_KEYS,
    Environment,
    Settings,
    get_settings,
)

SettingsAs = Callable[..., None]


@pytest.fixture
def settings_as(monkeypatch: pytest.MonkeyPatch) -> Iterator[SettingsAs]:
    """Swap in settings built without validation (what only a bug could produce)."""

    def use(**values: object) -> None:
        built = Settings.model_construct(**{**dict(get_settings()), **values})
        monkeypatch.setattr(backend.settings, "Settings", lambda: built)
        get_settings.cache_clear()

    yield use
    get_settings.cache_clear()


def test_keys_are_derived_as_before_so_issued_tokens_keep_verifying() -> None:
    secret = get_settings().secret_key.get_secret_value().encode()
    assert derive_key("access-jwt") == hashlib.sha256(b"access-jwt:" + secret).digest()
    assert derive_key("cart_restore") != derive_key("cart_reminder_unsubscribe")


@pytest.mark.parametrize("published", sorted(PUBLISHED_SECRET_KEYS))
def test_production_derives_no_key_from_a_published_secret(
    settings_as: SettingsAs, published: str
) -> None:
    settings_as(environment=Environment.PRODUCTION, secret_key=SecretStr(published))
    with pytest.raises(InsecureSecretKeyError, match="SECRET_KEY"):
        derive_key("access-jwt")


def test_development_may_use_the_development_key(settings_as: SettingsAs) -> None:
    settings_as(environment=Environment.DEVELOPMENT, secret_key=SecretStr(DEVELOPMENT_SECRET_KEY))
    assert len(derive_key("access-jwt")) == 32


def test_nothing_but_the_key_module_reads_the_secret_key() -> None:
    """A new signer must take its key from `derive_key`, or the production guard misses it."""
    readers = [
        path.relative_to(PROJECT_ROOT).as_posix()
        for folder in ("backend", "api", "storefront", "admin", "jobs")
        for path in (PROJECT_ROOT / folder).rglob("*.py")
        if re.search(r"\bsecret_key\b(?!_problem)", path.read_text())
    ]
    assert sorted(readers) == ["backend/core/keys.py", "backend/settings.py"]
