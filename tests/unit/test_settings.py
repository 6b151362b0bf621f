import pytest
from pydantic import ValidationError

from backend.settings import (
    DEVELOPMENT_SECRET_KEY,
    PUBLISHED_SECRET_KEYS,
    Environment,
    PaymentGatewayName,
    Settings,
)

# Everything production needs but the thing a test is about.
PRODUCTION = {
    "environment": "production",
    "secret_key": "x" * 48,
    "smtp_url": "smtp://mail.example.com:587",
    "payment_gateway": "test",
}


def make(**values: object) -> Settings:
    # _env_file=None: only what the test passes (plus the test environment) counts.
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_defaults_are_usable_for_local_development() -> None:
    settings = make(environment="development", port=3000)
    assert settings.public_base_url == "http://localhost:3000"
    assert settings.allowed_origins == ["http://localhost:3000"]
    assert settings.session_cookie_name == "shop_session"


def test_database_url_is_normalised_to_the_psycopg_driver() -> None:
    assert make(database_url="postgresql://u:p@db:5432/shop").database_url == (
        "postgresql+psycopg://u:p@db:5432/shop"
    )
    assert make(database_url="postgres://u@db/shop").database_url.startswith(
        "postgresql+psycopg://"
    )


@pytest.mark.parametrize("url", ["mysql://u@db/shop", "sqlite:///shop.db", "not a url"])
def test_a_database_url_that_is_not_postgres_is_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="must be a PostgreSQL URL"):
        make(database_url=url)


@pytest.mark.parametrize("url", ["http://localhost:6379", "localhost:6379"])
def test_a_redis_url_that_is_not_redis_is_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="must be a Redis URL"):
        make(redis_url=url)


@pytest.mark.parametrize("published", sorted(PUBLISHED_SECRET_KEYS))
def test_production_refuses_every_secret_key_the_repository_prints(published: str) -> None:
    assert DEVELOPMENT_SECRET_KEY in PUBLISHED_SECRET_KEYS
    with pytest.raises(ValidationError, match="SECRET_KEY is a value printed in this repository"):
        make(**{**PRODUCTION, "secret_key": published})


def test_production_refuses_a_short_secret() -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        make(**{**PRODUCTION, "secret_key": "short"})


def test_production_refuses_to_run_without_a_mail_transport() -> None:
    with pytest.raises(ValidationError, match="SMTP_URL"):
        make(**{**PRODUCTION, "smtp_url": ""})


def test_the_gateway_is_stripe_with_its_key_else_the_test_gateway_outside_production() -> None:
    assert make(environment="development").payment_gateway is PaymentGatewayName.TEST
    assert make(environment="development").test_payments
    with_stripe = make(environment="development", stripe_secret_key="sk_test_1")
    assert with_stripe.payment_gateway is PaymentGatewayName.STRIPE
    assert not with_stripe.test_payments
    explicit = make(environment="development", stripe_secret_key="sk_1", payment_gateway="test")
    assert explicit.test_payments


def test_production_never_falls_back_to_the_test_gateway() -> None:
    with pytest.raises(ValidationError, match="PAYMENT_GATEWAY=test"):
        make(**{**PRODUCTION, "payment_gateway": None})
    assert make(**PRODUCTION).test_payments  # only when the operator says so


def test_stripe_needs_its_keys() -> None:
    with pytest.raises(ValidationError, match="STRIPE_SECRET_KEY"):
        make(environment="development", payment_gateway="stripe")
    stripe = {**PRODUCTION, "payment_gateway": "stripe", "stripe_secret_key": "sk_live_1"}
    with pytest.raises(ValidationError, match="STRIPE_PUBLISHABLE_KEY"):
        make(**stripe)
    with pytest.raises(ValidationError, match="STRIPE_WEBHOOK_SECRET"):
        make(**stripe, stripe_publishable_key="pk_live_1")
    settings = make(**stripe, stripe_publishable_key="pk_live_1", stripe_webhook_secret="whsec")
    assert settings.stripe_enabled
    assert not settings.test_payments


def test_production_accepts_a_real_secret_and_uses_secure_cookie_names() -> None:
    settings = make(**PRODUCTION, public_base_url="https://shop.example.com/")
    assert settings.environment is Environment.PRODUCTION
    assert settings.public_base_url == "https://shop.example.com"
    assert settings.session_cookie_name == "__Host-shop_session"


def test_extra_cors_origins_are_split_and_added_after_the_public_origin() -> None:
    settings = make(
        public_base_url="https://shop.example.com",
        cors_allowed_origins="https://admin.example.com/, https://shop.example.com",
    )
    assert settings.allowed_origins == ["https://shop.example.com", "https://admin.example.com"]


@pytest.mark.parametrize("value", ["ftp://shop", "shop.example.com", "https://"])
def test_public_base_url_must_be_absolute_http(value: str) -> None:
    with pytest.raises(ValidationError, match="absolute http"):
        make(public_base_url=value)


def test_smtp_url_must_be_smtp() -> None:
    assert make(smtp_url="").smtp_url is None
    assert make(smtp_url="smtp://u:p@mail:587").smtp_url is not None
    with pytest.raises(ValidationError, match="smtp://"):
        make(smtp_url="http://mail")


def test_port_must_be_a_valid_tcp_port() -> None:
    with pytest.raises(ValidationError):
        make(port=70000)


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "4100")
    settings = make()
    assert settings.public_base_url == "http://localhost:4100"
