"""Where media files live: a small interface, and its local-disk implementation.

Keys are relative, slash-separated names such as `images/3f/3fa9…c2.webp`. Originals are
content-addressed (the hash of their bytes is the file name) and thumbnails are named
after their original, so a URL always means the same bytes and can be cached forever.
An object store (S3, GCS…) can replace the local disk behind the same interface.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Protocol

from backend.media.errors import InvalidMediaKeyError, MediaNotFoundError
from backend.settings import get_settings

MEDIA_URL_PREFIX = "/media"
IMAGES_FOLDER = "images"
# Segments of letters, digits, dot, dash and underscore, never starting with a dot: no
# "..", no hidden files, no absolute paths, no backslashes.
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)*$")
MAX_KEY_LENGTH = 255


def check_key(key: str) -> str:
    if len(key) > MAX_KEY_LENGTH or not _KEY.match(key):
        raise InvalidMediaKeyError("That is not a valid media file name.", key=key[:100])
    return key


def content_key(data: bytes, extension: str, *, folder: str = IMAGES_FOLDER) -> str:
    """`images/ab/ab12…ef.webp`: the same bytes always get the same key."""
    digest = hashlib.sha256(data).hexdigest()[:32]
    return check_key(f"{folder}/{digest[:2]}/{digest}.{extension.lstrip('.').lower()}")


def key_from_url(url: str) -> str | None:
    """The key of one of our media URLs (`/media/<key>`), or None for any other URL."""
    prefix = MEDIA_URL_PREFIX + "/"
    if not url.startswith(prefix):
        return None
    key = url.removeprefix(prefix)
    return key if len(key) <= MAX_KEY_LENGTH and _KEY.match(key) else None


class MediaStorage(Protocol):
    def save(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key` (replacing what was there, atomically)."""

    def open(self, key: str) -> BinaryIO:
        """The stored bytes for reading; raises `MediaNotFoundError`."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the file; nothing happens when there is none."""

    def url(self, key: str) -> str:
        """The address browsers load it from."""


class LocalMediaStorage:
    """Files under one folder, served by `api.media_routes` at `/media/<key>`."""

    def __init__(self, root: Path, *, base_url: str = MEDIA_URL_PREFIX) -> None:
        self.root = Path(root)
        self.base_url = base_url.rstrip("/")

    def path(self, key: str) -> Path:
        """The file for a key; refuses any key that would leave the media folder."""
        check_key(key)
        root = self.root.resolve()
        path = (root / key).resolve()
        if not path.is_relative_to(root):
            raise InvalidMediaKeyError("That is not a valid media file name.", key=key[:100])
        return path

    def save(self, key: str, data: bytes, content_type: str) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write a temporary file next to it, then rename: readers never see half a file.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            Path(temporary).chmod(0o644)
            Path(temporary).replace(path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                Path(temporary).unlink()
            raise

    def open(self, key: str) -> BinaryIO:
        try:
            return self.path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise MediaNotFoundError("There is no such file.", key=key) from exc

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def url(self, key: str) -> str:
        return f"{self.base_url}/{check_key(key)}"


@lru_cache(maxsize=4)
def _local_storage(root: Path) -> LocalMediaStorage:
    return LocalMediaStorage(root)


def get_storage() -> LocalMediaStorage:
    """The configured storage: the local folder `MEDIA_DIR`."""
    return _local_storage(get_settings().media_dir)
