"""`/media/<key>`: product images from the media folder, cacheable forever.

Keys are content-addressed, so a URL never changes meaning: browsers and CDNs may keep
a response for a year without asking again. Only image files inside the media folder
are served; anything else (other extensions, `..`, absolute or hidden paths) is a 404.
A thumbnail that the worker has not made yet is made on its first request.
"""

from __future__ import annotations

from anyio import to_thread
from fastapi import APIRouter
from fastapi.responses import FileResponse, PlainTextResponse, Response

from backend.media.errors import InvalidImageError, InvalidMediaKeyError, MediaNotFoundError
from backend.media.images import CONTENT_TYPES
from backend.media.storage import MEDIA_URL_PREFIX, LocalMediaStorage, get_storage
from backend.media.thumbnails import generate_thumbnails, original_keys

IMMUTABLE = "public, max-age=31536000, immutable"

router = APIRouter(tags=["media"])


def _not_found() -> Response:
    # Not cached: a missing thumbnail may exist a moment later.
    return PlainTextResponse("Not found", status_code=404, headers={"Cache-Control": "no-store"})


def _make_thumbnail(storage: LocalMediaStorage, key: str) -> bool:
    for original in original_keys(key):
        if storage.exists(original):
            generate_thumbnails(original, storage=storage)
            return storage.exists(key)
    return False


@router.api_route(
    MEDIA_URL_PREFIX + "/{key:path}", methods=["GET", "HEAD"], include_in_schema=False
)
async def serve_media(key: str) -> Response:
    storage = get_storage()
    content_type = CONTENT_TYPES.get(key.rpartition(".")[2])
    if content_type is None:
        return _not_found()
    try:
        path = storage.path(key)
        if not path.is_file() and not await to_thread.run_sync(_make_thumbnail, storage, key):
            return _not_found()
    except (InvalidMediaKeyError, MediaNotFoundError, InvalidImageError):
        return _not_found()
    return FileResponse(path, media_type=content_type, headers={"Cache-Control": IMMUTABLE})
