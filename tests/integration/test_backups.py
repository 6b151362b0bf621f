"""`./shop backup` and `./shop restore`: a shop with orders, product images and reviews
comes back whole in a fresh database and media folder, searchable; a restore over data
or from an altered archive is refused before anything is touched.

The commands run as an operator runs them (`python -m devstack backup|restore`, in a
process of their own) against the real PostgreSQL 15 of the test session.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from backend.accounts import registration
from backend.accounts.roles import RoleName
from backend.accounts.schemas import Viewer
from backend.cart import owners as cart_owners
from backend.cart import services as carts
from backend.core.db import dispose_engine
from backend.media.services import create_thumbnails, upload_image
from backend.orders import services as orders
from backend.payments import services as payments
from backend.payments import test_gateway as cards
from backend.reviews import services as review_services
from backend.search import queries as search
from backend.search.schemas import SearchQuery
from backend.settings import get_settings
from devstack import backups
from devstack.services import PROJECT_ROOT
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import checkout_details, tab_that_placed
from tests.integration.test_media import picture


def shop_command(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "devstack", *arguments],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def _admin_connection() -> psycopg.Connection[tuple[object, ...]]:
    base = get_settings().database_url.rpartition("/")[0]
    return psycopg.connect(backups.libpq_url(f"{base}/postgres"), autocommit=True)


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """An empty database on the same server, dropped afterwards."""
    source = get_settings().database_url
    name = f"{source.rpartition('/')[2]}_restore_{uuid.uuid4().hex[:6]}"
    with _admin_connection() as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield f"{source.rpartition('/')[0]}/{name}"
    with _admin_connection() as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture
def media_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "media"
    monkeypatch.setenv("MEDIA_DIR", str(folder))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


async def a_buyer(unique: str) -> Viewer:
    await registration.ensure_roles()
    username = f"bk_{unique}"
    user_id = await registration.create_user(
        username=username,
        email=f"{username}@example.com",
        password="correct horse battery staple",
        first_name="Ada",
        last_name="Backup",
        status="active",
        email_verified=True,
        roles=frozenset({RoleName.USER}),
    )
    return Viewer(
        user_id=user_id,
        username=username,
        email=f"{username}@example.com",
        display_name="Ada Backup",
    )


@pytest.fixture
async def shop_with_orders_images_and_reviews(
    media_dir: Path, make_product: MakeProduct, unique: str
) -> str:
    """A product with a stored picture and its thumbnails, bought (paid) and reviewed by a
    signed-in shopper; a second, unpaid order by a guest. Returns the product's name."""
    stored = await upload_image(picture("PNG"))
    await create_thumbnails(stored.key)
    name = f"Backup Teapot {unique}"
    product_id = await make_product(name=name, image_urls=[stored.url])
    buyer = await a_buyer(unique)
    owner = cart_owners.user_owner(buyer.user_id)
    await carts.add_item(owner, product_id, 1)
    placed = await orders.place_order(
        cart_owner=owner,
        details=checkout_details(email=buyer.email),
        checkout_key=uuid.uuid4().hex,
        user_id=buyer.user_id,
    )
    await payments.pay_order(
        placed.id,
        shopper=tab_that_placed(placed.id),
        payment_method=cards.SUCCEEDS,
        attempt_key=uuid.uuid4().hex,
    )
    await review_services.write_review(
        product_id,
        {"rating": 5, "title": "Lovely", "body": "Pours well and keeps tea hot for an hour."},
        author=buyer,
    )
    guest = cart_owners.guest_owner(cart_owners.new_guest_token())
    assert guest is not None
    await carts.add_item(guest, product_id, 2)
    await orders.place_order(
        cart_owner=guest, details=checkout_details(), checkout_key=uuid.uuid4().hex
    )
    assert len(backups.media_checksums(media_dir)) > 1  # the picture and its thumbnails
    return name


def restore_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "MEDIA_DIR": str(tmp_path / "restored-media"),
        "SEARCH_INDEX_DIR": str(tmp_path / "restored-index"),
    }


def make_backup(tmp_path: Path) -> Path:
    done = shop_command("backup", "--to", str(tmp_path / "backups"), env={})
    assert done.returncode == 0, done.stderr
    (archive,) = (tmp_path / "backups").glob("shop-backup-*.tar")
    assert archive.stat().st_mode & 0o777 == 0o600  # personal data: the owner's only
    return archive


async def test_a_restored_shop_has_every_row_and_picture_and_answers_searches(
    shop_with_orders_images_and_reviews: str,
    media_dir: Path,
    fresh_database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = get_settings().database_url
    archive = make_backup(tmp_path)
    manifest = backups.read_verified_archive(archive, tmp_path / "look")
    assert manifest["postgresql_server_version"].startswith("15")
    assert manifest["alembic_revision"]
    assert manifest["row_counts"]["public.orders"] >= 2
    assert manifest["row_counts"]["public.reviews"] >= 1

    env = restore_env(fresh_database, tmp_path)
    done = shop_command("restore", str(archive), env=env)
    assert done.returncode == 0, done.stderr
    assert "Search index rebuilt" in done.stdout

    assert backups.row_counts(fresh_database) == backups.row_counts(source)
    assert backups.media_checksums(Path(env["MEDIA_DIR"])) == backups.media_checksums(media_dir)

    # The restored shop's search finds the product, from the index the restore rebuilt.
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    try:
        results = await search.search_products(
            SearchQuery(text=shop_with_orders_images_and_reviews)
        )
        assert [hit.name for hit in results.items] == [shop_with_orders_images_and_reviews]
    finally:
        await dispose_engine()


def test_a_restore_over_data_is_refused_unless_forced(
    shop_with_orders_images_and_reviews: str, fresh_database: str, tmp_path: Path
) -> None:
    source = get_settings().database_url
    archive = make_backup(tmp_path)
    env = restore_env(fresh_database, tmp_path)
    assert shop_command("restore", str(archive), env=env).returncode == 0
    with psycopg.connect(backups.libpq_url(fresh_database), autocommit=True) as connection:
        connection.execute("CREATE TABLE left_behind (id int)")
        connection.execute("INSERT INTO left_behind VALUES (1)")

    refused = shop_command("restore", str(archive), env=env)
    assert refused.returncode == 1
    assert "refusing to restore over existing data" in refused.stderr
    assert "--force" in refused.stderr
    assert "public.left_behind" in backups.row_counts(fresh_database)  # untouched

    forced = shop_command("restore", str(archive), "--force", env=env)
    assert forced.returncode == 0, forced.stderr
    assert backups.row_counts(fresh_database) == backups.row_counts(source)


def test_a_restore_into_an_empty_database_refuses_a_media_folder_with_files(
    shop_with_orders_images_and_reviews: str, fresh_database: str, tmp_path: Path
) -> None:
    archive = make_backup(tmp_path)
    env = restore_env(fresh_database, tmp_path)
    Path(env["MEDIA_DIR"]).mkdir()
    (Path(env["MEDIA_DIR"]) / "someone-elses.png").write_bytes(b"not ours")

    refused = shop_command("restore", str(archive), env=env)
    assert refused.returncode == 1
    assert "media folder" in refused.stderr
    assert "--force" in refused.stderr
    assert backups.user_relations(fresh_database) == []


def rewritten(archive: Path, target: Path, *, change: str) -> Path:
    """A copy of `archive` with one byte of member `change` altered (the manifest kept)."""
    with tarfile.open(archive) as source, tarfile.open(target, "w") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None  # type: ignore[union-attr]
            if data is not None and member.name == change:
                data = bytes([data[0] ^ 0xFF]) + data[1:]
            copy.addfile(member, io.BytesIO(data) if data is not None else None)
    return target


@pytest.mark.parametrize("altered", ["database.dump", "a media file"])
def test_an_altered_archive_is_refused_before_anything_is_restored(
    shop_with_orders_images_and_reviews: str,
    fresh_database: str,
    tmp_path: Path,
    altered: str,
) -> None:
    archive = make_backup(tmp_path)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    member = altered if altered in names else next(n for n in names if n.startswith("media/"))
    tampered = rewritten(archive, tmp_path / "tampered.tar", change=member)
    env = restore_env(fresh_database, tmp_path)

    refused = shop_command("restore", str(tampered), env=env)
    assert refused.returncode == 1
    assert f"checksum of {member} does not match" in refused.stderr
    assert backups.user_relations(fresh_database) == []
    assert not list(Path(env["MEDIA_DIR"]).rglob("*"))
