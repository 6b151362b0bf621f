"""Product images: uploads are checked by content, stored once, thumbnailed once, and served
with cache headers and without ever leaving the media folder."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from PIL import Image

from api.media_routes import IMMUTABLE
from api.media_routes import router as media_router
from backend.catalog.events import ProductChanged
from backend.media.errors import (
    ImageTooLargeError,
    ImageTooManyPixelsError,
    InvalidImageError,
    InvalidMediaKeyError,
    MediaNotFoundError,
    UnsupportedImageTypeError,
)
from backend.media.images import MAX_IMAGE_BYTES, inspect_image
from backend.media.services import save_image, upload_image
from backend.media.storage import LocalMediaStorage, content_key, get_storage, key_from_url
from backend.media.thumbnails import (
    THUMBNAIL_SIZES,
    generate_thumbnails,
    thumbnail_key,
    thumbnail_url,
)
from backend.settings import get_settings
from jobs.event_handlers.catalog_upkeep import make_product_thumbnails
from tests.fixtures.catalog import MakeProduct


@pytest.fixture
def media_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "media"
    monkeypatch.setenv("MEDIA_DIR", str(folder))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def picture(image_format: str, size: tuple[int, int] = (640, 480), **options: object) -> bytes:
    image = Image.new("RGB", size, (200, 90, 40))
    for x in range(0, size[0], 40):  # some detail, so each format has real content
        image.paste((30, 120, 200), (x, 0, x + 20, size[1]))
    out = io.BytesIO()
    image.save(out, image_format, **options)
    return out.getvalue()


# ── Validation ────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("image_format", "content_type", "extension"),
    [("PNG", "image/png", "png"), ("JPEG", "image/jpeg", "jpg"), ("WEBP", "image/webp", "webp")],
)
def test_real_png_jpeg_and_webp_are_accepted(
    media_dir: Path, image_format: str, content_type: str, extension: str
) -> None:
    data = picture(image_format)

    info = inspect_image(data)
    stored = save_image(data)

    assert (info.content_type, info.extension, info.width, info.height) == (
        content_type,
        extension,
        640,
        480,
    )
    assert stored.key == content_key(data, extension)
    assert stored.key.endswith(f".{extension}")
    assert stored.url == f"/media/{stored.key}"
    assert (media_dir / stored.key).read_bytes() == data


def test_the_type_comes_from_the_content_not_the_name(media_dir: Path) -> None:
    # A JPEG whose name says .png is stored as what it is.
    stored = save_image(picture("JPEG"))
    assert stored.content_type == "image/jpeg"
    assert stored.key.endswith(".jpg")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"This is a text file renamed to photo.png\n" * 20, id="text-as-png"),
        pytest.param(b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', id="svg"),
        pytest.param(picture("GIF"), id="gif"),
        pytest.param(picture("BMP"), id="bmp"),
        pytest.param(b"", id="empty"),
    ],
)
def test_anything_but_jpeg_png_and_webp_is_refused(media_dir: Path, data: bytes) -> None:
    with pytest.raises(UnsupportedImageTypeError) as refused:
        save_image(data)

    assert refused.value.code == "unsupported_image_type"
    assert not media_dir.exists() or not any(media_dir.rglob("*.*"))


def test_a_damaged_image_is_refused() -> None:
    data = picture("PNG")
    with pytest.raises(InvalidImageError) as refused:
        inspect_image(data[: len(data) // 2])
    assert refused.value.code in {"invalid_image", "unsupported_image_type"}


def test_an_oversized_file_is_refused_before_it_is_decoded() -> None:
    data = picture("PNG") + b"\0" * MAX_IMAGE_BYTES

    with pytest.raises(ImageTooLargeError) as refused:
        inspect_image(data)

    assert refused.value.code == "image_too_large"
    assert "10 MB" in refused.value.message


def test_too_many_pixels_are_refused_even_in_a_tiny_file() -> None:
    # 48 megapixels of one colour: a few kilobytes as PNG, 144 MB once decoded.
    bomb = io.BytesIO()
    Image.new("1", (8000, 6000)).save(bomb, "PNG")
    assert len(bomb.getvalue()) < 100_000

    with pytest.raises(ImageTooManyPixelsError) as refused:
        inspect_image(bomb.getvalue())

    assert refused.value.code == "image_too_many_pixels"
    assert "40 megapixels" in refused.value.message


async def test_an_upload_is_checked_and_stored_off_the_event_loop(media_dir: Path) -> None:
    stored = await upload_image(picture("WEBP"))
    assert get_storage().exists(stored.key)


# ── Storage ───────────────────────────────────────────────────────────────────


def test_storage_saves_opens_gives_a_url_and_deletes(tmp_path: Path) -> None:
    storage = LocalMediaStorage(tmp_path)
    data = picture("PNG")
    key = content_key(data, "png")

    storage.save(key, data, "image/png")

    assert storage.exists(key)
    with storage.open(key) as file:
        assert file.read() == data
    assert storage.url(key) == f"/media/{key}"
    assert key_from_url(storage.url(key)) == key
    assert [p.name for p in (tmp_path / key).parent.iterdir()] == [Path(key).name]  # no temp

    storage.delete(key)
    storage.delete(key)  # nothing there: no error

    assert not storage.exists(key)
    with pytest.raises(MediaNotFoundError):
        storage.open(key)


def test_the_same_picture_is_stored_once(media_dir: Path) -> None:
    data = picture("PNG")
    first, second = save_image(data), save_image(data)
    assert first.key == second.key
    assert len([p for p in media_dir.rglob("*") if p.is_file()]) == 1


@pytest.mark.parametrize(
    "key",
    ["../secret.png", "images/../../secret.png", "/etc/passwd", ".hidden.png", "a\\b.png", ""],
)
def test_keys_cannot_leave_the_media_folder(tmp_path: Path, key: str) -> None:
    storage = LocalMediaStorage(tmp_path / "media")
    with pytest.raises(InvalidMediaKeyError):
        storage.save(key, b"x", "image/png")
    with pytest.raises(InvalidMediaKeyError):
        storage.open(key)
    assert not (tmp_path / "secret.png").exists()


# ── Thumbnails ────────────────────────────────────────────────────────────────


def test_thumbnails_are_made_once_in_every_size(media_dir: Path) -> None:
    stored = save_image(picture("JPEG", (1600, 1200)))
    storage = get_storage()

    created = generate_thumbnails(stored.key)

    assert created == sorted(thumbnail_key(stored.key, size) for size in THUMBNAIL_SIZES)
    for size in THUMBNAIL_SIZES:
        with storage.open(thumbnail_key(stored.key, size)) as file:
            thumbnail = Image.open(file)
            assert thumbnail.format == "WEBP"
            assert thumbnail.size == (size, size * 3 // 4)
    written = {key: storage.path(key).stat().st_mtime_ns for key in created}

    assert generate_thumbnails(stored.key) == []
    assert {key: storage.path(key).stat().st_mtime_ns for key in created} == written


def test_a_small_picture_is_never_enlarged(media_dir: Path) -> None:
    stored = save_image(picture("PNG", (300, 200)))

    generate_thumbnails(stored.key)

    sizes = {}
    for size in THUMBNAIL_SIZES:
        with get_storage().open(thumbnail_key(stored.key, size)) as file:
            sizes[size] = Image.open(file).size
    assert sizes == {160: (160, 107), 480: (300, 200), 960: (300, 200)}


def test_thumbnail_urls_pick_the_smallest_size_that_covers_the_width() -> None:
    url = "/media/images/ab/ab12.jpg"
    assert thumbnail_url(url, 100) == "/media/images/ab/ab12_160.webp"
    assert thumbnail_url(url, 300) == "/media/images/ab/ab12_480.webp"
    assert thumbnail_url(url, 480) == "/media/images/ab/ab12_480.webp"
    assert thumbnail_url(url, 4000) == "/media/images/ab/ab12_960.webp"
    assert thumbnail_url("https://cdn.example.com/a.jpg", 300) == "https://cdn.example.com/a.jpg"
    assert thumbnail_url("/media/images/ab/ab12_480.webp", 160) == (
        "/media/images/ab/ab12_480.webp"
    )


# ── Serving ───────────────────────────────────────────────────────────────────


@pytest.fixture
async def client(media_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.include_router(media_router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as client:
        yield client


async def test_media_is_served_with_its_type_and_cached_forever(
    client: httpx.AsyncClient,
) -> None:
    data = picture("WEBP")
    stored = save_image(data)

    response = await client.get(stored.url)
    head = await client.head(stored.url)

    assert response.status_code == 200
    assert response.content == data
    assert response.headers["content-type"] == "image/webp"
    assert response.headers["cache-control"] == IMMUTABLE == "public, max-age=31536000, immutable"
    assert head.status_code == 200
    assert head.headers["cache-control"] == IMMUTABLE


async def test_a_missing_file_is_a_404_that_is_not_cached(client: httpx.AsyncClient) -> None:
    response = await client.get("/media/images/00/" + "0" * 32 + ".png")

    assert response.status_code == 404
    assert "immutable" not in response.headers.get("cache-control", "")


async def test_a_thumbnail_not_made_yet_is_made_on_first_request(
    client: httpx.AsyncClient,
) -> None:
    stored = save_image(picture("PNG", (1000, 1000)))

    response = await client.get(thumbnail_url(stored.url, 480))

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/webp"
    assert Image.open(io.BytesIO(response.content)).size == (480, 480)
    assert get_storage().exists(thumbnail_key(stored.key, 480))


async def test_thumbnails_of_thumbnails_are_never_made(client: httpx.AsyncClient) -> None:
    stored = save_image(picture("PNG", (1000, 1000)))
    generate_thumbnails(stored.key)
    thumbnail = thumbnail_url(stored.url, 160)

    response = await client.get(thumbnail.removesuffix(".webp") + "_160.webp")

    assert response.status_code == 404
    files = [p for p in get_storage().root.rglob("*") if p.is_file()]
    assert len(files) == 1 + len(THUMBNAIL_SIZES)


@pytest.fixture
def secret(media_dir: Path) -> bytes:
    """An image next to the media folder, a text file and a hidden file inside it."""
    data = picture("PNG")
    (media_dir.parent / "secret.png").write_bytes(data)
    media_dir.mkdir(exist_ok=True)
    (media_dir / "notes.txt").write_text("not an image")
    (media_dir / ".hidden.png").write_bytes(data)
    return data


@pytest.mark.parametrize(
    "path",
    [
        "/media/../secret.png",
        "/media/..%2Fsecret.png",
        "/media/%2e%2e/secret.png",
        "/media/%2E%2E%2Fsecret.png",
        "/media/images/..%2F..%2Fsecret.png",
        "/media/images/%2e%2e/%2e%2e/secret.png",
        "/media/%2Ftmp%2Fsecret.png",
        "/media/images%5C..%5C..%5Csecret.png",
        "/media/notes.txt",
        "/media/.hidden.png",
    ],
)
async def test_nothing_outside_the_media_folder_is_served(
    client: httpx.AsyncClient, secret: bytes, path: str
) -> None:
    response = await client.get(path)

    assert response.status_code == 404
    assert secret not in response.content
    assert b"not an image" not in response.content


# ── Thumbnails made by the worker after a product change ─────────────────────


async def test_a_product_change_makes_the_thumbnails_of_its_images(
    media_dir: Path, make_product: MakeProduct
) -> None:
    stored = save_image(picture("JPEG", (1200, 900)))
    product_id = await make_product(image_urls=[stored.url, "https://cdn.example.com/x.jpg"])
    event = ProductChanged(aggregate_id=str(product_id), change="created", sku="unused")

    await make_product_thumbnails(event)
    await make_product_thumbnails(event)  # a redelivery finds nothing left to do

    storage = get_storage()
    assert all(storage.exists(thumbnail_key(stored.key, size)) for size in THUMBNAIL_SIZES)
    with storage.open(thumbnail_key(stored.key, 160)) as file, Image.open(file) as small:
        assert max(small.size) == 160
