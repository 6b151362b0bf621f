"""WebP thumbnails of stored images, and the URL of a thumbnail for an image URL.

A thumbnail of `images/ab/ab12….jpg` at 480 px is `images/ab/ab12…_480.webp`: its longest
side is at most 480 px (never enlarged). The worker makes them after an upload
(`generate_thumbnails`); the media route also makes a missing one on first request.
"""

from __future__ import annotations

import re

from PIL import Image

from backend.media.images import CONTENT_TYPES, encode_webp, open_image, upright
from backend.media.storage import MediaStorage, check_key, get_storage, key_from_url

THUMBNAIL_SIZES: tuple[int, ...] = (160, 480, 960)
# The widths the storefront shows a product at: on a card in a listing, and on its own
# page (the page and its server-rendered first paint ask for the very same file).
CARD_IMAGE_WIDTH = 480
PRODUCT_IMAGE_WIDTH = 960
ORIENTATION = 0x0112  # the EXIF tag
_THUMBNAIL = re.compile(r"^(?P<stem>.+)_(?P<size>\d+)\.webp$")


def _stem(key: str) -> str:
    stem, dot, extension = key.rpartition(".")
    if not dot or extension not in CONTENT_TYPES:
        msg = f"not an image key: {key!r}"
        raise ValueError(msg)
    return stem


def thumbnail_key(key: str, size: int) -> str:
    return check_key(f"{_stem(key)}_{size}.webp")


def thumbnail_size_for(width: int) -> int:
    """The smallest thumbnail at least `width` px wide (the largest when none is)."""
    return next((size for size in THUMBNAIL_SIZES if size >= width), THUMBNAIL_SIZES[-1])


def thumbnail_url(image_url: str, width: int) -> str:
    """The URL of the thumbnail that covers `width` px; other URLs come back unchanged."""
    key = key_from_url(image_url)
    if key is None or key.rpartition(".")[2] not in CONTENT_TYPES or is_thumbnail_key(key):
        return image_url
    prefix = image_url.removesuffix(key)
    return prefix + thumbnail_key(key, thumbnail_size_for(width))


def is_thumbnail_key(key: str) -> bool:
    match = _THUMBNAIL.match(key)
    return match is not None and int(match["size"]) in THUMBNAIL_SIZES


def original_keys(thumbnail: str) -> list[str]:
    """The keys the original of a thumbnail may have (its extension is not in the name)."""
    if not is_thumbnail_key(thumbnail):
        return []
    stem = thumbnail.rpartition("_")[0]
    if is_thumbnail_key(f"{stem}.webp"):
        return []  # no thumbnails of thumbnails
    return [f"{stem}.{extension}" for extension in CONTENT_TYPES]


def _thumbnail(image: Image.Image, size: int) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((size, size), Image.Resampling.BICUBIC, reducing_gap=3.0)
    return copy


def generate_thumbnails(
    key: str, *, storage: MediaStorage | None = None, sizes: tuple[int, ...] = THUMBNAIL_SIZES
) -> list[str]:
    """Make the missing thumbnails of the stored image `key`; returns the keys it created
    (none when they all exist, so running it again does nothing).

    Blocking (decoding, resizing, disk): from async code, run it in a thread."""
    store = storage or get_storage()
    if is_thumbnail_key(key) or all(store.exists(thumbnail_key(key, size)) for size in sizes):
        return []
    with store.open(key) as file:
        data = file.read()
    return store_thumbnails(key, open_image(data), storage=store, data=data, sizes=sizes)


def store_thumbnails(
    key: str,
    image: Image.Image,
    *,
    storage: MediaStorage,
    data: bytes | None = None,
    sizes: tuple[int, ...] = THUMBNAIL_SIZES,
    method: int = 4,
) -> list[str]:
    """Write the missing thumbnails of `key` from its already opened `image` (whose stored
    bytes are `data`, when at hand); returns the keys created. `method` is the WebP effort
    (0 fast … 6 small)."""
    missing = [size for size in sizes if not storage.exists(thumbnail_key(key, size))]
    if not missing:
        return []
    is_webp = image.format == "WEBP" or (data is not None and data[8:12] == b"WEBP")
    unchanged = image.getexif().get(ORIENTATION, 1) == 1
    picture = upright(image)
    created: list[str] = []
    # Largest first: each smaller one is made from the previous, which is faster.
    for size in sorted(missing, reverse=True):
        target = thumbnail_key(key, size)
        if max(picture.size) <= size and is_webp and unchanged and data is not None:
            encoded = data  # already a small enough WebP: the same bytes will do
        else:
            picture = _thumbnail(picture, size)
            encoded = encode_webp(picture, quality=80, method=method)
        storage.save(target, encoded, "image/webp")
        created.append(target)
    return sorted(created)
