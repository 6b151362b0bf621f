"""Typed settings, read once from environment variables and an optional `.env` file.

Every process (web app, worker, migrations, scripts, tests) builds its configuration
here, so there is exactly one list of knobs. The README documents each variable.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from ipaddress import ip_network
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The local-development secret. Anything signed with it is forgeable by anyone who has
# read this file, so production refuses to start with it.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-secret-key-change-me-in-production"  # noqa: S105
# Every SECRET_KEY this repository prints (the default and `.env.example`'s sample): each
# is as public as the code, so production refuses them all.
PUBLISHED_SECRET_KEYS = frozenset({DEVELOPMENT_SECRET_KEY, "change-me-to-64-random-characters"})

MIN_SECRET_KEY_LENGTH = 32

# The demo accounts' passwords as the README prints them; DEMO_*_PASSWORD default to these.
PUBLISHED_DEMO_ADMIN_PASSWORD = "kestrel-demo-admin"  # noqa: S105
PUBLISHED_DEMO_SHOPPER_PASSWORD = "kestrel-demo-shopper"  # noqa: S105


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class LogLevel(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


class PaymentGatewayName(StrEnum):
    STRIPE = "stripe"
    TEST = "test"  # the built-in test gateway: test cards only, nobody is charged


def secret_key_problem(secret: str) -> str | None:
    """Why this SECRET_KEY must not sign anything in production, or None."""
    if secret in PUBLISHED_SECRET_KEYS:
        return (
            "SECRET_KEY is a value printed in this repository (the development default or "
            ".env.example's sample); set a random value in production"
        )
    if len(secret) < MIN_SECRET_KEY_LENGTH:
        return f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters"
    return None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=PROJECT_ROOT / ".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
        # A refused setting is named in the error, never echoed with the others' values
        # (SECRET_KEY, SMTP_URL and Stripe keys would otherwise land in start-up logs).
        hide_input_in_errors=True,
    )

    environment: Environment = Environment.DEVELOPMENT

    database_url: str = "postgresql+psycopg://shop@127.0.0.1:54329/shop"
    redis_url: str = "redis://127.0.0.1:56379/0"

    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET_KEY)

    # The web app's port on this machine (storefront, admin, API and websocket share it).
    port: int = Field(default=3000, ge=1, le=65535)
    # The address shoppers use. Defaults to http://localhost:<PORT>.
    public_base_url: str = ""
    # Extra origins allowed to open the websocket / call the API (comma separated).
    # The public base URL's own origin is always allowed.
    cors_allowed_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Browser origins allowed to call the REST API (/api/v1) cross-origin; "*" for any.
    # Empty: only same-origin pages and non-browser clients.
    api_cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Who takes payments: "stripe", or "test" (the built-in test gateway; every page then
    # says that no real payments are taken). Unset: Stripe when STRIPE_SECRET_KEY is set,
    # else the test gateway outside production; production refuses to guess.
    payment_gateway: PaymentGatewayName | None = None
    stripe_secret_key: SecretStr | None = None
    stripe_publishable_key: str | None = None
    stripe_webhook_secret: SecretStr | None = None
    # Lets tests point the official SDK at a fake Stripe server (localstripe).
    stripe_api_base: str | None = None
    # Where the browser loads Stripe.js from (tests: a fake Stripe.js for localstripe).
    stripe_js_url: str = "https://js.stripe.com/v3/"

    # smtp://user:password@host:port (STARTTLS when offered) or smtps://... (implicit TLS).
    # Unset: outgoing mail is stored in the database and readable by staff, never dropped.
    smtp_url: SecretStr | None = None

    # Events: a handler that keeps failing is retried with exponential backoff
    # (base, 2×base, 4×base, …) and dead-lettered after this many attempts.
    event_max_attempts: int = Field(default=5, ge=1, le=50)
    event_retry_base_seconds: float = Field(default=5.0, ge=0.0, le=3600.0)
    # A job running longer than this is cancelled; a job whose worker died runs again
    # after this plus 10 s.
    worker_job_timeout_seconds: int = Field(default=60, ge=1, le=3600)

    # A worker that finds no search index builds one when it starts.
    build_search_index_on_start: bool = True

    # Test runs only: argon2id with the smallest cost (1 pass over 1 MiB) instead of the
    # RFC 9106 low-memory profile, as the suite hashes and checks passwords thousands of
    # times. Takes effect with ENVIRONMENT=test only; any other environment ignores it.
    fast_password_hashing_in_tests: bool = False

    media_dir: Path = PROJECT_ROOT / "var" / "media"
    search_index_dir: Path = PROJECT_ROOT / "var" / "search-index"

    # Demo accounts seeded by the run command in development (never in production).
    demo_admin_password: SecretStr = SecretStr(PUBLISHED_DEMO_ADMIN_PASSWORD)
    demo_shopper_password: SecretStr = SecretStr(PUBLISHED_DEMO_SHOPPER_PASSWORD)
    # Products in the seeded demo catalog (fewer start faster: the fault drills use 40).
    demo_catalog_size: int = Field(default=1_000, ge=0, le=100_000)

    # Sign-in protection (backend/accounts/sign_in_limits.py): this many failed sign-ins
    # for one e-mail from one network (a /24 or /64) within the lock period lock the
    # e-mail for that network for that period; failures from all networks together,
    # beyond the account-wide limit, lock it for every network the account has not signed
    # in from before; one address may try this often in total.
    sign_in_max_failures: int = Field(default=5, ge=1, le=100)
    account_lock_minutes: int = Field(default=15, ge=1, le=24 * 60)
    sign_in_account_failure_limit: str = "30/hour"
    sign_in_ip_limit: str = "30/10 minutes"

    session_max_age_seconds: int = Field(default=14 * 24 * 3600, ge=300)

    # REST API (/api/v1) rate limits per caller (a valid access token's account, else the
    # network address), by route group, in `limits` syntax; "auth" (POST /auth/...) is
    # always per address.
    api_rate_limit_read: str = "600/minute"
    api_rate_limit_write: str = "120/minute"
    api_rate_limit_auth: str = "20/minute"
    # Request limits at the HTTP edge (the app, and nginx under `./shop cluster`): a request
    # body may be this large (uploads of product images and CSV files: UPLOAD_MAX_MB), and
    # may pause this long between two of its pieces before a 408. Headers must arrive
    # within REQUEST_HEADER_TIMEOUT_SECONDS (nginx; Granian under `./shop run` allows 30 s).
    request_body_max_kb: int = Field(default=1024, ge=16, le=1024 * 1024)
    upload_max_mb: int = Field(default=25, ge=1, le=1024)
    request_body_timeout_seconds: float = Field(default=20.0, gt=0.0, le=600.0)
    request_header_timeout_seconds: int = Field(default=10, ge=1, le=600)
    # Reverse proxies (addresses or networks, comma separated) whose X-Forwarded-For is
    # believed when finding a caller's address. Empty: the connecting address is the caller.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Who may read a web process's /metrics (addresses or networks, comma separated; the
    # connecting address counts, never X-Forwarded-For). Default: this machine only.
    metrics_allowed_networks: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.0/8", "::1/128"]
    )
    # The worker's /metrics, /health/live and /health/ready (on loopback); 0: none.
    worker_metrics_port: int = Field(default=9108, ge=0, le=65535)

    # Carts (Redis): forgotten after this many days without a change; per-line and
    # per-cart limits.
    cart_ttl_days: int = Field(default=30, ge=1, le=365)
    cart_max_line_quantity: int = Field(default=10, ge=1, le=1000)
    cart_max_lines: int = Field(default=50, ge=1, le=500)

    # Wishlists: how many products one shopper may save.
    wishlist_max_items: int = Field(default=200, ge=1, le=10_000)
    # Back-in-stock notices: how long a guest's e-mailed confirmation link works.
    stock_notice_confirm_hours: int = Field(default=48, ge=1, le=24 * 30)

    # Checkout: prices are in this currency. Shipping zones, methods and tax rates are
    # the merchant's, in the admin (backend/shipping, backend/tax).
    shop_currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    # Unpaid orders hold stock and discount uses: at most this many at a time per session
    # (a cart: guest cookie or account) and per guest e-mail address, and at most this
    # many new orders per network address (`limits` syntax, a moving window).
    checkout_max_unpaid_orders_per_session: int = Field(default=3, ge=1, le=100)
    checkout_max_unpaid_orders_per_email: int = Field(default=3, ge=1, le=100)
    checkout_orders_per_network_address: str = "10/hour"
    # The built-in test gateway: how long its "asynchronous" card takes to succeed.
    test_gateway_async_delay_seconds: float = Field(default=3.0, ge=0.0, le=3600.0)

    # Log lines on stdout: "json" (one JSON object a line, for a log pipeline) or "text"
    # (for people). Unset: JSON in production, text elsewhere.
    log_format: LogFormat | None = None
    log_level: LogLevel = LogLevel.INFO
    # Traces: exported by OTLP/HTTP to this collector (the standard OpenTelemetry variable,
    # e.g. http://collector:4318); unset, tracing is off (no spans are made or kept).
    otel_exporter_otlp_endpoint: str | None = None
    # The service name traces carry (standard variable); unset: shop-web, shop-worker.
    otel_service_name: str | None = None

    @field_validator("database_url")
    @classmethod
    def _database_url_is_postgres(cls, value: str) -> str:
        scheme = urlsplit(value).scheme
        if scheme not in {"postgresql", "postgresql+psycopg", "postgres"}:
            msg = "must be a PostgreSQL URL such as postgresql+psycopg://user:pass@host:5432/db"
            raise ValueError(msg)
        # One driver everywhere: psycopg 3.
        return "postgresql+psycopg://" + value.split("://", 1)[1]

    @field_validator("redis_url")
    @classmethod
    def _redis_url_is_redis(cls, value: str) -> str:
        if urlsplit(value).scheme not in {"redis", "rediss"}:
            msg = "must be a Redis URL such as redis://host:6379/0"
            raise ValueError(msg)
        return value

    @field_validator("public_base_url")
    @classmethod
    def _public_base_url_is_http(cls, value: str) -> str:
        if not value:
            return value  # filled in from PORT below
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            msg = "must be an absolute http(s) URL such as https://shop.example.com"
            raise ValueError(msg)
        return value.rstrip("/")

    @field_validator("cors_allowed_origins", "api_cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

    @field_validator(
        "api_rate_limit_read",
        "api_rate_limit_write",
        "api_rate_limit_auth",
        "sign_in_account_failure_limit",
        "sign_in_ip_limit",
        "checkout_orders_per_network_address",
    )
    @classmethod
    def _rate_limit_parses(cls, value: str) -> str:
        from limits import parse  # a bad limit fails at start, not on the first request

        parse(value)
        return value

    @field_validator("trusted_proxies", "metrics_allowed_networks", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            value = [item.strip() for item in value.split(",") if item.strip()]
        if isinstance(value, list):
            for item in value:
                ip_network(str(item), strict=False)  # ValueError names the bad entry
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url_is_smtp(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value():
            parts = urlsplit(value.get_secret_value())
            if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
                msg = "must look like smtp://user:password@host:587 or smtps://host:465"
                raise ValueError(msg)
            return value
        return None

    @field_validator("log_format", mode="before")
    @classmethod
    def _log_format_lower(cls, value: object) -> object:
        return value.strip().lower() or None if isinstance(value, str) else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level_upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("otel_exporter_otlp_endpoint", "otel_service_name")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @model_validator(mode="after")
    def _default_log_format(self) -> Settings:
        if self.log_format is None:
            chosen = LogFormat.JSON if self.is_production else LogFormat.TEXT
            object.__setattr__(self, "log_format", chosen)
        return self

    @model_validator(mode="after")
    def _default_public_base_url(self) -> Settings:
        if not self.public_base_url:
            object.__setattr__(self, "public_base_url", f"http://localhost:{self.port}")
        return self

    @model_validator(mode="after")
    def _production_needs_real_secrets(self) -> Settings:
        if self.environment is Environment.PRODUCTION:
            problem = secret_key_problem(self.secret_key.get_secret_value())
            if problem:
                raise ValueError(problem)
            if self.smtp_url is None:
                msg = (
                    "production needs a mail transport: set SMTP_URL (without one, e-mails "
                    "and their one-time links would only be stored for staff to read)"
                )
                raise ValueError(msg)
        return self

    @model_validator(mode="after")
    def _choose_payment_gateway(self) -> Settings:
        chosen = self.payment_gateway
        if chosen is None:
            if self.stripe_secret_key is not None:
                chosen = PaymentGatewayName.STRIPE
            elif self.environment is Environment.PRODUCTION:
                msg = (
                    "production needs a real payment gateway: set STRIPE_SECRET_KEY and "
                    "STRIPE_PUBLISHABLE_KEY, or set PAYMENT_GATEWAY=test to take test "
                    "payments only (nobody is charged, and every page says so)"
                )
                raise ValueError(msg)
            else:
                chosen = PaymentGatewayName.TEST
        if chosen is PaymentGatewayName.STRIPE:
            if self.stripe_secret_key is None:
                msg = "PAYMENT_GATEWAY=stripe needs STRIPE_SECRET_KEY"
                raise ValueError(msg)
            if self.environment is Environment.PRODUCTION:
                if not self.stripe_publishable_key:
                    msg = "production with Stripe needs STRIPE_PUBLISHABLE_KEY (the card form)"
                    raise ValueError(msg)
                if self.stripe_webhook_secret is None:
                    msg = (
                        "production with Stripe needs STRIPE_WEBHOOK_SECRET (payments that "
                        "succeed later are only announced by webhooks)"
                    )
                    raise ValueError(msg)
        object.__setattr__(self, "payment_gateway", chosen)
        return self

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    @property
    def fast_password_hashing(self) -> bool:
        return self.fast_password_hashing_in_tests and self.environment is Environment.TEST

    @property
    def uses_https(self) -> bool:
        return self.public_base_url.startswith("https://")

    @property
    def session_cookie_name(self) -> str:
        # The __Host- prefix makes browsers insist on Secure, Path=/ and no Domain.
        return "__Host-shop_session" if self.uses_https else "shop_session"

    @property
    def test_payments(self) -> bool:
        """The built-in test gateway takes the payments: test cards only, nobody is
        charged; every page and order says so."""
        return self.payment_gateway is PaymentGatewayName.TEST

    @property
    def stripe_enabled(self) -> bool:
        """Payments go through Stripe, with Stripe.js collecting cards in the browser."""
        return (
            self.payment_gateway is PaymentGatewayName.STRIPE
            and self.stripe_secret_key is not None
            and bool(self.stripe_publishable_key)
        )

    @property
    def cart_cookie_name(self) -> str:
        return "__Host-shop_cart" if self.uses_https else "shop_cart"

    @property
    def public_origin(self) -> str:
        parts = urlsplit(self.public_base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def request_body_max_bytes(self) -> int:
        return self.request_body_max_kb * 1024

    @property
    def upload_max_bytes(self) -> int:
        return self.upload_max_mb * 1024 * 1024

    @property
    def allowed_origins(self) -> list[str]:
        return [
            self.public_origin,
            *(o for o in self.cors_allowed_origins if o != self.public_origin),
        ]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
