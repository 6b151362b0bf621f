"""Alembic owns the schema: it builds it from nothing, removes it, and matches the models."""

from collections.abc import Iterator

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from psycopg import sql
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

import backend.models  # noqa: F401  (registers every table)
from backend.settings import get_settings
from devstack.services import PROJECT_ROOT

SEED_TABLES = {"users", "roles", "user_roles", "categories", "products"}


@pytest.fixture(scope="module")
def scratch_database_url() -> Iterator[str]:
    yield from scratch_database("migrations")


def scratch_database(suffix: str) -> Iterator[str]:
    """An empty database of its own, so migrating down never disturbs other tests."""
    base, _, name = get_settings().database_url.rpartition("/")
    scratch = f"{name}_{suffix}"
    admin = "postgresql://" + (base + "/postgres").split("://", 1)[1]
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
    yield f"{base}/{scratch}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch))
        )


def _alembic(url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    return config


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_from_empty_then_downgrade_to_nothing_and_back(scratch_database_url: str) -> None:
    config = _alembic(scratch_database_url)
    command.upgrade(config, "head")
    assert _tables(scratch_database_url) >= SEED_TABLES

    command.downgrade(config, "base")
    assert _tables(scratch_database_url) == set()

    command.upgrade(config, "head")
    assert _tables(scratch_database_url) >= SEED_TABLES


def test_models_and_migrations_do_not_drift(scratch_database_url: str) -> None:
    command.upgrade(_alembic(scratch_database_url), "head")
    engine = create_engine(scratch_database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    assert differences == [], f"models and migrations differ: {differences}"


def test_every_migration_can_be_reversed_one_step_at_a_time(scratch_database_url: str) -> None:
    config = _alembic(scratch_database_url)
    command.upgrade(config, "head")
    script_count = sum(1 for _ in PROJECT_ROOT.joinpath("alembic", "versions").glob("*.py"))
    for _ in range(script_count):
        command.downgrade(config, "-1")
    assert _tables(scratch_database_url) == set()
