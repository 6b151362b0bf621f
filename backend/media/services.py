"""Use cases of the media domain: store an uploaded image, make its thumbnails.

Image work is CPU and disk bound: the `async` functions run it in a thread so the event
loop (Reflex, API, worker) keeps serving; the plain functions are for scripts and jobs
that are already off the loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass

from backend.media.images import inspect_image
from backend.media.storage import MediaStorage, content_key, get_storage, key_from_url
from backend.media.thumbnails import generate_thumbnails


@dataclass(frozen=True)
class StoredImage:
    key: str
    url: str
    content_type: str
    width: int
    height: int


def save_image(data: bytes, *, storage: MediaStorage | None = None) -> StoredImage:
    """Validate an uploaded image and store it under its content hash (the same picture
    uploaded twice is stored once). Raises an `InvalidImageError` with a user-safe message.
    Thumbnails are made afterwards by `generate_thumbnails(stored.key)` (a worker job)."""
    info = inspect_image(data)
    store = storage or get_storage()
    key = content_key(data, info.extension)
    if not store.exists(key):
        store.save(key, data, info.content_type)
    return StoredImage(
        key=key,
        url=store.url(key),
        content_type=info.content_type,
        width=info.width,
        height=info.height,
    )


async def upload_image(data: bytes) -> StoredImage:
    return await asyncio.to_thread(save_image, data)


async def create_thumbnails(key: str) -> list[str]:
    """`generate_thumbnails` off the event loop: what the worker's job awaits."""
    return await asyncio.to_thread(generate_thumbnails, key)


async def create_thumbnails_for(image_urls: Iterable[str]) -> list[str]:
    """The missing thumbnails of every stored image among `image_urls` (addresses that
    are not our media, such as an external picture, are skipped); the keys created."""
    created: list[str] = []
    for url in image_urls:
        key = key_from_url(url)
        if key is not None and get_storage().exists(key):
            created += await create_thumbnails(key)
    return created
