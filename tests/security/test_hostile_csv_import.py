"""A product CSV file is input from outside like any form: a NUL character smuggled in
through a JSON escape in the attributes cell, or an image address that runs script, is
refused on its row (with the column named), and the good rows still import."""

from __future__ import annotations

import csv
import io

from backend import product_import as product_csv
from backend.accounts.schemas import Viewer
from backend.catalog import taxonomy
from backend.catalog.inputs import CategoryCreate
from tests.fixtures.accounts import catalog_manager

COLUMNS = ("sku", "name", "price", "category", "attributes", "image_urls")


def csv_file(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


async def test_a_nul_or_a_script_address_in_a_file_is_refused_on_its_row(
    admin_viewer: Viewer, unique: str
) -> None:
    slug = f"csv-edge-{unique}"
    await taxonomy.create_category(
        CategoryCreate(name=f"CSV edge {unique}", slug=slug), actor=await catalog_manager()
    )
    good, nul, script, digits = (f"CE-{unique}-{n}" for n in range(4))
    rows = [
        {"sku": good, "name": "Good mug", "price": "5.00", "category": slug},
        {
            "sku": nul,
            "name": "Nul mug",
            "price": "5.00",
            "category": slug,
            "attributes": '{"colour": "blue\\u0000"}',  # valid JSON, a NUL once decoded
        },
        {
            "sku": script,
            "name": "Script mug",
            "price": "5.00",
            "category": slug,
            "image_urls": "javascript:alert(document.cookie)",
        },
        {"sku": digits, "name": "Digits mug", "price": "١٢", "category": slug},
    ]

    preview = await product_csv.preview_import(admin_viewer, csv_file(rows))

    reasons = {item.sku: item.reason for item in preview.rejected}
    assert set(reasons) == {nul, script, digits}, reasons
    assert "attributes" in reasons[nul]
    assert "NUL" in reasons[nul]
    assert "image_urls" in reasons[script]
    assert "https://" in reasons[script]
    assert "price" in reasons[digits]
    assert preview.create_count == 1
    assert preview.token is not None
    result = await product_csv.apply_import(admin_viewer, preview.token)
    assert (result.created, result.failed, result.rejected) == (1, (), 3)
