"""Typed settings, read once from environment variables and an optional `.env` file.

Every process (web app, worker, migrations, scripts, tests) builds its configuration
here, so there is exactly one list of knobs. The README documents each variable.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The local-development secret. Anything signed with it is forgeable by anyone who has
# read this file, so production refuses to start with it.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-secret-key-change-me-in-production"  # noqa: S105

MIN_SECRET_KEY_LENGTH = 32


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=PROJECT_ROOT / ".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    environment: Environment = Environment.DEVELOPMENT
    shop_name: str = Field(default="Kestrel Goods", min_length=1, max_length=60)

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

    stripe_secret_key: SecretStr | None = None
    stripe_publishable_key: str | None = None
    stripe_webhook_secret: SecretStr | None = None
    # Lets tests point the official SDK at a fake Stripe server (localstripe).
    stripe_api_base: str | None = None

    # smtp://user:password@host:port (STARTTLS when offered) or smtps://... (implicit TLS).
    # Unset: outgoing mail is stored in the database and readable by staff, never dropped.
    smtp_url: SecretStr | None = None
    mail_from: str = "Kestrel Goods <shop@localhost>"

    # Events: a handler that keeps failing is retried with exponential backoff
    # (base, 2×base, 4×base, …) and dead-lettered after this many attempts.
    event_max_attempts: int = Field(default=5, ge=1, le=50)
    event_retry_base_seconds: float = Field(default=5.0, ge=0.0, le=3600.0)
    # A job running longer than this is cancelled; a job whose worker died runs again
    # after this plus 10 s.
    worker_job_timeout_seconds: int = Field(default=60, ge=1, le=3600)

    # A worker that finds no search index builds one when it starts.
    build_search_index_on_start: bool = True

    media_dir: Path = PROJECT_ROOT / "var" / "media"
    search_index_dir: Path = PROJECT_ROOT / "var" / "search-index"

    # Demo accounts seeded by the run command in development (never in production).
    demo_admin_password: SecretStr = SecretStr("kestrel-demo-admin")
    demo_shopper_password: SecretStr = SecretStr("kestrel-demo-shopper")

    # Sign-in protection: this many failed sign-ins for one e-mail within the lock period
    # lock the account for that period; one network may try this often in total.
    sign_in_max_failures: int = Field(default=5, ge=1, le=100)
    account_lock_minutes: int = Field(default=15, ge=1, le=24 * 60)
    sign_in_ip_limit: str = "30/10 minutes"

    session_max_age_seconds: int = Field(default=14 * 24 * 3600, ge=300)

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

    @field_validator("cors_allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
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

    @model_validator(mode="after")
    def _default_public_base_url(self) -> Settings:
        if not self.public_base_url:
            object.__setattr__(self, "public_base_url", f"http://localhost:{self.port}")
        return self

    @model_validator(mode="after")
    def _production_needs_real_secrets(self) -> Settings:
        if self.environment is Environment.PRODUCTION:
            secret = self.secret_key.get_secret_value()
            if secret == DEVELOPMENT_SECRET_KEY:
                msg = "SECRET_KEY is the development default; set a random value in production"
                raise ValueError(msg)
            if len(secret) < MIN_SECRET_KEY_LENGTH:
                msg = f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters"
                raise ValueError(msg)
        return self

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    @property
    def uses_https(self) -> bool:
        return self.public_base_url.startswith("https://")

    @property
    def session_cookie_name(self) -> str:
        # The __Host- prefix makes browsers insist on Secure, Path=/ and no Domain.
        return "__Host-shop_session" if self.uses_https else "shop_session"

    @property
    def public_origin(self) -> str:
        parts = urlsplit(self.public_base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def allowed_origins(self) -> list[str]:
        return [
            self.public_origin,
            *(o for o in self.cors_allowed_origins if o != self.public_origin),
        ]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
