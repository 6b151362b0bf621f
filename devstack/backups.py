"""`./shop backup` and `./shop restore FILE`: the whole shop in one archive, and back.

An archive is an uncompressed tar (its big parts are compressed already) holding:

    manifest.json     versions, row counts per table, sha256 of every other member
    database.dump     pg_dump's custom format (restored with pg_restore)
    media/…           the media folder (MEDIA_DIR): product images and thumbnails

A restore checks every checksum before it touches anything, refuses a database or media
folder that is not empty unless forced, restores in one transaction, compares the row
counts with the manifest's, and then rebuilds the search index (it is derived data, so
it is not in the archive). Redis holds carts, sessions, queues and caches only: it is not
backed up.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from devstack.errors import SetupError
from devstack.services import PROJECT_ROOT

if TYPE_CHECKING:
    import psycopg

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"
# Objects a user can make; an "empty" database has none outside the system schemas.
_USER_RELATIONS = """
    SELECT n.nspname, c.relname, c.relkind
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%'
    ORDER BY 1, 2
"""


class BackupError(SetupError):
    """A backup that cannot be made or restored: one line saying why and what to do."""


@dataclass(frozen=True)
class BackupReport:
    archive: Path
    tables: int
    rows: int
    media_files: int


@dataclass(frozen=True)
class RestoreReport:
    tables: int
    rows: int
    media_files: int
    alembic_revision: str | None


def libpq_url(url: str) -> str:
    """SQLAlchemy's `postgresql+psycopg://…` as the `postgresql://…` libpq tools accept."""
    return "postgresql://" + url.split("://", 1)[1]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_checksums(media_dir: Path) -> dict[str, str]:
    """{path relative to the media folder: sha256} of every file in it."""
    if not media_dir.is_dir():
        return {}
    return {
        path.relative_to(media_dir).as_posix(): sha256_of(path)
        for path in sorted(media_dir.rglob("*"))
        if path.is_file()
    }


def _count_rows(connection: psycopg.Connection[Any]) -> dict[str, int]:
    from psycopg import sql

    counts: dict[str, int] = {}
    for schema, name, kind in connection.execute(_USER_RELATIONS).fetchall():
        if kind not in ("r", "p"):
            continue
        (count,) = connection.execute(
            sql.SQL("SELECT count(*) FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(name)
            )
        ).fetchone() or (0,)
        counts[f"{schema}.{name}"] = count
    return counts


def row_counts(database_url: str) -> dict[str, int]:
    """Exact rows per table (schema-qualified)."""
    import psycopg

    with psycopg.connect(libpq_url(database_url)) as connection:
        return _count_rows(connection)


def _database_versions(connection: psycopg.Connection[Any]) -> tuple[str, str | None]:
    """(PostgreSQL server version, alembic revision or None)."""
    (server,) = connection.execute("SHOW server_version").fetchone() or ("unknown",)
    has_alembic = connection.execute(
        "SELECT to_regclass('public.alembic_version') IS NOT NULL"
    ).fetchone()
    revision = None
    if has_alembic and has_alembic[0]:
        row = connection.execute("SELECT version_num FROM public.alembic_version").fetchone()
        revision = row[0] if row else None
    return str(server), revision


def app_version() -> str | None:
    """The git commit the code was checked out at (with `-dirty` for local changes), or
    None outside a git checkout."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{commit}-dirty" if changes else commit


def _run_tool(arguments: list[str], *, what: str) -> str:
    binary = shutil.which(arguments[0])
    if binary is None:
        raise BackupError(
            f"{arguments[0]} is not installed: install the PostgreSQL client "
            "(apt-get install postgresql-client), the same major version as the server"
        )
    result = subprocess.run([binary, *arguments[1:]], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()
        raise BackupError(f"{what} failed: {detail[-1] if detail else result.returncode}")
    return result.stdout


def _tool_version(name: str) -> str:
    return _run_tool([name, "--version"], what=f"{name} --version").strip()


def _dump_database(database_url: str, dump: Path) -> tuple[dict[str, int], str, str | None]:
    """pg_dump into `dump`, and the row counts and versions of exactly what it dumped: both
    read one snapshot (exported from a repeatable-read transaction held open meanwhile), so
    a shop taking orders during the backup still gets a manifest that matches its dump."""
    import psycopg

    with psycopg.connect(libpq_url(database_url)) as connection:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        (snapshot,) = connection.execute("SELECT pg_export_snapshot()").fetchone() or ("",)
        counts = _count_rows(connection)
        server_version, revision = _database_versions(connection)
        _run_tool(
            [
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={dump}",
                f"--dbname={libpq_url(database_url)}",
            ],
            what="pg_dump",
        )
    return counts, server_version, revision


def create_backup(
    *, database_url: str, media_dir: Path, destination: Path, now: datetime | None = None
) -> BackupReport:
    """Write `shop-backup-<UTC time>.tar` into `destination` (made if missing)."""
    moment = now or datetime.now(UTC)
    destination.mkdir(parents=True, exist_ok=True)
    archive = destination / f"shop-backup-{moment:%Y%m%dT%H%M%SZ}.tar"
    if archive.exists():
        raise BackupError(f"{archive} exists already: wait a second and run the backup again")
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=destination) as work:
        dump = Path(work) / DUMP
        counts, server_version, revision = _dump_database(database_url, dump)
        media = media_checksums(media_dir)
        checksums = {DUMP: sha256_of(dump)} | {
            f"{MEDIA}/{key}": value for key, value in media.items()
        }
        manifest: dict[str, Any] = {
            "format": ARCHIVE_FORMAT,
            "created_at": moment.isoformat(),
            "app_version": app_version(),
            "alembic_revision": revision,
            "postgresql_server_version": server_version,
            "pg_dump_version": _tool_version("pg_dump"),
            "row_counts": counts,
            "checksums": checksums,
        }
        manifest_file = Path(work) / MANIFEST
        manifest_file.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        partial = archive.with_suffix(".tar.partial")
        # Readable by its owner only: it holds customers' addresses and password hashes.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file, tarfile.open(fileobj=file, mode="w") as tar:
            tar.add(manifest_file, arcname=MANIFEST)
            tar.add(dump, arcname=DUMP)
            for key in media:
                tar.add(media_dir / key, arcname=f"{MEDIA}/{key}")
        partial.rename(archive)  # a crash never leaves a half archive under the final name
    return BackupReport(
        archive=archive, tables=len(counts), rows=sum(counts.values()), media_files=len(media)
    )


def _safe_members(tar: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    for member in tar.getmembers():
        path = PurePosixPath(member.name)
        allowed = member.name in (MANIFEST, DUMP) or (
            path.parts[:1] == (MEDIA,) and ".." not in path.parts and not path.is_absolute()
        )
        if not allowed or not (member.isfile() or member.isdir()):
            raise BackupError(f"the archive holds an unexpected member {member.name!r}: refused")
        yield member


def read_verified_archive(archive: Path, into: Path) -> dict[str, Any]:
    """Unpack `archive` into `into` and return its manifest, once every member's sha256
    matches the manifest and no member is missing or extra. Nothing is restored before."""
    if not archive.is_file():
        raise BackupError(f"no backup archive at {archive}")
    try:
        with tarfile.open(archive, "r:") as tar:
            tar.extractall(into, members=list(_safe_members(tar)), filter="data")
        manifest: dict[str, Any] = json.loads((into / MANIFEST).read_text())
        expected: dict[str, str] = dict(manifest["checksums"])
    except (tarfile.TarError, OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{archive} is not a readable shop backup ({exc})") from exc
    if manifest.get("format") != ARCHIVE_FORMAT:
        raise BackupError(f"{archive} has archive format {manifest.get('format')!r}, not 1")
    present = {path.relative_to(into).as_posix() for path in into.rglob("*") if path.is_file()}
    present.discard(MANIFEST)
    if present != set(expected):
        differing = sorted(present.symmetric_difference(expected))
        raise BackupError(
            f"{archive} does not match its manifest (missing or extra: {', '.join(differing[:5])})"
            ": refused, nothing was restored"
        )
    for name, checksum in sorted(expected.items()):
        if sha256_of(into / name) != checksum:
            raise BackupError(
                f"{archive}: the checksum of {name} does not match the manifest (damaged or "
                "altered): refused, nothing was restored"
            )
    return manifest


def user_relations(database_url: str) -> list[str]:
    import psycopg

    with psycopg.connect(libpq_url(database_url)) as connection:
        rows = connection.execute(_USER_RELATIONS).fetchall()
    return [f"{schema}.{name}" for schema, name, _kind in rows]


def _empty_database(database_url: str) -> None:
    """Drop every schema holding user objects, and give the database a fresh `public`."""
    import psycopg
    from psycopg import sql

    schemas = sorted({name.split(".", 1)[0] for name in user_relations(database_url)})
    with psycopg.connect(libpq_url(database_url), autocommit=True) as connection:
        for schema in {*schemas, "public"}:
            connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            )
        connection.execute("CREATE SCHEMA public")


def restore_backup(
    archive: Path, *, database_url: str, media_dir: Path, force: bool = False
) -> RestoreReport:
    """Restore `archive` into the database at `database_url` and into `media_dir`.

    Refuses a database with tables (or other relations) or a media folder with files in
    it, unless `force`: then both are emptied first. The search index is rebuilt by the
    caller afterwards (`rebuild_search_index`), with settings pointing at this database."""
    with tempfile.TemporaryDirectory(prefix="shop-restore-") as work:
        unpacked = Path(work)
        manifest = read_verified_archive(archive, unpacked)
        existing = user_relations(database_url)
        media_files = [path for path in media_dir.rglob("*") if path.is_file()]
        if (existing or media_files) and not force:
            where = []
            if existing:
                where.append(f"the database has {len(existing)} tables or other relations")
            if media_files:
                where.append(f"the media folder {media_dir} has {len(media_files)} files")
            raise BackupError(
                f"refusing to restore over existing data: {' and '.join(where)}. Restore into "
                "an empty database and media folder, or add --force to replace what is there"
            )
        if existing:
            _empty_database(database_url)
        if media_files:
            shutil.rmtree(media_dir)
        _run_tool(
            [
                "pg_restore",
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                f"--dbname={libpq_url(database_url)}",
                str(unpacked / DUMP),
            ],
            what="pg_restore",
        )
        media_dir.mkdir(parents=True, exist_ok=True)
        if (unpacked / MEDIA).is_dir():
            shutil.copytree(unpacked / MEDIA, media_dir, dirs_exist_ok=True)
    counts = row_counts(database_url)
    expected_counts: dict[str, int] = manifest["row_counts"]
    if counts != expected_counts:
        differing = sorted(
            name
            for name in set(counts) | set(expected_counts)
            if counts.get(name) != expected_counts.get(name)
        )
        raise BackupError(
            f"after the restore, rows differ from the manifest in {', '.join(differing[:5])}"
        )
    restored_media = media_checksums(media_dir)
    wanted_media = {
        name.removeprefix(f"{MEDIA}/"): value
        for name, value in manifest["checksums"].items()
        if name.startswith(f"{MEDIA}/")
    }
    if restored_media != wanted_media:
        raise BackupError(
            f"after the restore, the media folder {media_dir} differs from the archive"
        )
    return RestoreReport(
        tables=len(counts),
        rows=sum(counts.values()),
        media_files=len(restored_media),
        alembic_revision=manifest.get("alembic_revision"),
    )


async def rebuild_search_index() -> int:
    """Index the restored catalog (the settings' database and SEARCH_INDEX_DIR); returns
    the number of products indexed."""
    from backend.core.db import dispose_engine
    from backend.core.redis import close_redis
    from backend.search.services import rebuild_index

    try:
        result = await rebuild_index()
        return result.indexed
    finally:
        await dispose_engine()
        await close_redis()
