"""The CSV file's columns, limits and the messages the import shows."""

from __future__ import annotations

import re
import uuid
from typing import Any

from backend.catalog.models import Category, Product

PRODUCT_COLUMNS = (
    "sku",
    "name",
    "description",
    "price",
    "currency",
    "category",
    "brand",
    "stock_quantity",
    "low_stock_threshold",
    "is_active",
    "attributes",
    "image_urls",
)
# Products sold in sizes or colours: one row per variant, grouped by handle
# (`variant_rows.py`); empty on rows of products without options.
VARIANT_COLUMNS = (
    "handle",
    "option1_name",
    "option1_value",
    "option2_name",
    "option2_value",
    "option3_name",
    "option3_value",
    "compare_at_price",
    "barcode",
    "weight_grams",
    "variant_active",
)
CSV_COLUMNS = PRODUCT_COLUMNS + VARIANT_COLUMNS
REQUIRED_COLUMNS = ("sku", "name", "price", "category")
MAX_FILE_MB = 5
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024
MAX_FILE_ROWS = 20_000
PREVIEW_TTL_SECONDS = 30 * 60
SAMPLE_ROWS = 20
MAX_REJECTED_LISTED = 1_000  # the counts stay exact; the UI lists this many
EXPORT_BATCH_ROWS = 1_000
APPLY_CHUNK_ROWS = 200
STOCK_REASON = "csv_import"  # stock ledger reason, lower_snake like "order_placed"

EXPORT = "export the catalog"
IMPORT = "import products"
TOO_MANY_CELLS = (
    "This row has more cells than the header has columns (a value holding a comma must be "
    "in quotes)."
)
ALREADY_APPLIED = "This import was already applied or has expired: upload the file again."
NOT_UTF8 = (
    "The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8 (comma "
    "delimited)” and upload it again."
)

# What an import writes besides the SKU (the key) and the slug (a product keeps its address).
_WRITTEN_FIELDS = (
    "name",
    "description",
    "price",
    "currency",
    "category_id",
    "brand",
    "stock_quantity",
    "low_stock_threshold",
    "is_active",
    "attributes",
    "image_urls",
)
_KEPT_WHEN_EMPTY = ("currency", "stock_quantity", "low_stock_threshold", "is_active")
_CLEARED_WHEN_EMPTY = ("description", "brand")
_COLUMN_OF_FIELD = {"category_id": "category"}
# Short values a merchant wants to see before and after in the preview's sample.
_SHOWN_CHANGES = (
    "price",
    "currency",
    "brand",
    "stock_quantity",
    "low_stock_threshold",
    "is_active",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
# The export's columns, in CSV_COLUMNS order (the category by its slug).
_EXPORTED: tuple[Any, ...] = (
    Product.sku,
    Product.name,
    Product.description,
    Product.price,
    Product.currency,
    Category.slug,
    Product.brand,
    Product.stock_quantity,
    Product.low_stock_threshold,
    Product.is_active,
    Product.attributes,
    Product.image_urls,
)
# What the import compares and locks of an existing product.
_CURRENT_FIELDS = ("id", "sku", "slug", *_WRITTEN_FIELDS)
# Stands in for an unknown category while the rest of the row is checked.
_NO_CATEGORY = uuid.UUID(int=0)
