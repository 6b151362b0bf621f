"""CSV export and two-step CSV import of products, for the admin dashboard. Admins only.
A use case above the catalog and inventory: product rows are the catalog's, stock
counts go through inventory (`inventory.set_stock`).

The file: UTF-8, commas between cells, one header row naming the columns. The export
writes every column of `CSV_COLUMNS` in this order; an import needs at least sku, name,
price and category, in any order.

    sku                  an existing SKU updates that product, a new one creates a product
    name
    description          an empty cell clears it
    price                a plain number with at most two decimals: 19.99
    currency             three letters: USD
    category             the category's address (slug): kitchen-mugs
    brand                an empty cell clears it; a new brand name is added to the brands
    stock_quantity       units on hand; a change goes through inventory (stock ledger)
    low_stock_threshold  staff are alerted at or below this
    is_active            true or false (yes/no and 1/0 are read too)
    attributes           a JSON object of text values: {"color": "blue", "size": "M"}; an
                         empty cell clears them. JSON because commas, semicolons, quotes and
                         "=" in values then need no escaping rules of our own.
    image_urls           addresses separated by spaces (an address never holds a raw space)

Products sold in sizes or colours take one row per variant (`variant_rows.py`), grouped by

    handle               the product's address (slug); rows with the same handle are one
                         product, whose own columns are read from its first row
    option1_name …       up to three options ("Size") and each row's value ("M")
    option3_value
    sku, price, stock_quantity, low_stock_threshold   the variant's
    compare_at_price, barcode, weight_grams, variant_active   the variant's too

A column left out of the file keeps the current value of existing products (new products
get the usual default); so does an empty currency, stock_quantity, low_stock_threshold or
is_active cell.

The export starts with a UTF-8 byte order mark (so Excel reads accents right) and puts an
apostrophe before any cell a spreadsheet would run as a formula (= + - @, tab, CR: CSV
injection). The import removes both again, so an exported file imports unchanged.

Importing is two steps. `preview_import` checks every row, compares it with the catalog,
and keeps what would change in Redis for 30 minutes under a random token (UI state then
holds only the small preview). `apply_import` takes that token exactly once (GETDEL) and
writes the rows in chunks, one transaction each; a row the database still refuses is
reported and the others land.
"""

from backend.product_import.applying import apply_import
from backend.product_import.columns import CSV_COLUMNS, MAX_FILE_BYTES, MAX_FILE_MB
from backend.product_import.export import export_products_csv, stream_products_csv
from backend.product_import.previews import preview_import
from backend.product_import.shapes import (
    ImportPreview,
    ImportResult,
    PlannedRow,
    ProgressCallback,
    RejectedRow,
)

__all__ = [
    "CSV_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_FILE_MB",
    "ImportPreview",
    "ImportResult",
    "PlannedRow",
    "ProgressCallback",
    "RejectedRow",
    "apply_import",
    "export_products_csv",
    "preview_import",
    "stream_products_csv",
]
