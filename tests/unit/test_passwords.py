"""Password hashes: argon2id with the RFC 9106 low-memory profile, except in test runs that
ask for the smallest cost (FAST_PASSWORD_HASHING_IN_TESTS), which no other environment can."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.accounts import passwords
from backend.settings import Settings, get_settings

PRODUCTION_PREFIX = "$argon2id$v=19$m=65536,t=3,p=4$"
FAST_PREFIX = "$argon2id$v=19$m=1024,t=1,p=1$"


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def _use(environment: pytest.MonkeyPatch, name: str, *, fast: bool) -> None:
    environment.setenv("ENVIRONMENT", name)
    if name == "production":  # what production needs besides
        environment.setenv("SECRET_KEY", "x" * 48)
        environment.setenv("SMTP_URL", "smtp://mail.example.com:587")
        environment.setenv("PAYMENT_GATEWAY", "test")
    environment.setenv("FAST_PASSWORD_HASHING_IN_TESTS", "true" if fast else "false")
    get_settings.cache_clear()


@pytest.mark.parametrize("name", ["production", "development"])
def test_outside_test_runs_the_fast_setting_changes_nothing(
    environment: pytest.MonkeyPatch, name: str
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]  # pydantic-settings' init argument
        environment=name,
        secret_key="x" * 48,
        smtp_url="smtp://mail.example.com:587",
        payment_gateway="test",
        fast_password_hashing_in_tests=True,
    )
    assert settings.fast_password_hashing is False
    _use(environment, name, fast=True)
    hashed = passwords.hash_password("correct horse battery staple")
    assert hashed.startswith(PRODUCTION_PREFIX)
    assert passwords.verify_password(hashed, "correct horse battery staple")


def test_production_parameters_without_the_setting(environment: pytest.MonkeyPatch) -> None:
    _use(environment, "test", fast=False)
    hashed = passwords.hash_password("correct horse battery staple")
    assert hashed.startswith(PRODUCTION_PREFIX)
    assert passwords.verify_password(hashed, "correct horse battery staple")
    assert not passwords.verify_password(hashed, "correct horse battery stable")
    assert not passwords.needs_rehash(hashed)


def test_fast_hashes_are_argon2id_and_upgraded_once_the_setting_is_off(
    environment: pytest.MonkeyPatch,
) -> None:
    _use(environment, "test", fast=True)
    hashed = passwords.hash_password("correct horse battery staple")
    assert hashed.startswith(FAST_PREFIX)
    assert passwords.verify_password(hashed, "correct horse battery staple")
    assert not passwords.verify_password(hashed, "correct horse battery stable")
    assert not passwords.verify_password(None, "correct horse battery staple")
    _use(environment, "production", fast=True)
    assert passwords.verify_password(hashed, "correct horse battery staple")
    assert passwords.needs_rehash(hashed)
