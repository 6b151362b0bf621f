"""What an acceptable image is, decided by its content, never by its name.

JPEG, PNG and WebP only; at most `MAX_IMAGE_BYTES` bytes and `MAX_IMAGE_PIXELS` pixels.
The pixel count is read from the header before anything is decoded, so a small file
that would inflate to gigabytes (a decompression bomb) is refused cheaply.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from backend.media.errors import (
    ImageTooLargeError,
    ImageTooManyPixelsError,
    InvalidImageError,
    UnsupportedImageTypeError,
)

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000

# Pillow format → (content type, file extension). MPO is how Pillow names the JPEGs many
# phone cameras write (a JPEG with extra preview frames).
ACCEPTED_FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", "jpg"),
    "MPO": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
CONTENT_TYPES = {extension: content_type for content_type, extension in ACCEPTED_FORMATS.values()}
UNSUPPORTED = "This file is not a JPEG, PNG or WebP image."


@dataclass(frozen=True)
class ImageInfo:
    format: str
    content_type: str
    extension: str
    width: int
    height: int


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB".replace(".0 MB", " MB")


def open_image(data: bytes, *, max_pixels: int = MAX_IMAGE_PIXELS) -> Image.Image:
    """Open (header only) an accepted image, refusing other types and oversized pictures."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=("JPEG", "PNG", "WEBP"))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooManyPixelsError(
            "This image has too many pixels.", max_pixels=max_pixels
        ) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise UnsupportedImageTypeError(UNSUPPORTED) from exc
    if image.format not in ACCEPTED_FORMATS:
        raise UnsupportedImageTypeError(UNSUPPORTED, format=image.format)
    width, height = image.size
    if width < 1 or height < 1:
        raise InvalidImageError("This image is empty or damaged.")
    if width * height > max_pixels:
        raise ImageTooManyPixelsError(
            f"This image is {width} × {height} pixels; the limit is "
            f"{max_pixels / 1_000_000:g} megapixels.",
            width=width,
            height=height,
            max_pixels=max_pixels,
        )
    return image


def inspect_image(
    data: bytes, *, max_bytes: int = MAX_IMAGE_BYTES, max_pixels: int = MAX_IMAGE_PIXELS
) -> ImageInfo:
    """Check an uploaded file and say what it really is; raises an `InvalidImageError`."""
    if not data:
        raise UnsupportedImageTypeError("The file is empty.")
    if len(data) > max_bytes:
        raise ImageTooLargeError(
            f"This file is {_megabytes(len(data))}; images can be at most {_megabytes(max_bytes)}.",
            size=len(data),
            max_bytes=max_bytes,
        )
    image = open_image(data, max_pixels=max_pixels)
    info = ImageInfo(
        format=image.format or "",
        content_type=ACCEPTED_FORMATS[image.format or ""][0],
        extension=ACCEPTED_FORMATS[image.format or ""][1],
        width=image.width,
        height=image.height,
    )
    try:
        image.verify()  # structure and checksums, without decoding
        # verify() leaves the image unusable: decode a fresh one fully, so a truncated or
        # corrupt file is refused now rather than when its thumbnails are made.
        open_image(data, max_pixels=max_pixels).load()
    except InvalidImageError:
        raise
    except Exception as exc:  # Pillow raises many types for damaged files
        raise InvalidImageError("This image is damaged or incomplete.") from exc
    return info


def encode_webp(image: Image.Image, *, quality: int = 82, method: int = 4) -> bytes:
    """WebP bytes of an image, keeping transparency when it has any."""
    if image.mode not in {"RGB", "RGBA"}:
        has_alpha = image.mode in {"LA", "PA"} or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    out = io.BytesIO()
    image.save(out, "WEBP", quality=quality, method=method)
    return out.getvalue()


def upright(image: Image.Image) -> Image.Image:
    """Turned the way the camera meant it (EXIF orientation), first frame only."""
    image.seek(0)
    return ImageOps.exif_transpose(image)
