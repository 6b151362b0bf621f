"""Draft orders: orders staff build for a customer (phone and B2B orders)."""
