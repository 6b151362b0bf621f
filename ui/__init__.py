"""What the storefront and the admin share: access levels and the guard, forms, tables, the
sign-in pieces, order summary, display values. Imports neither UI (pyproject.toml contracts)."""
