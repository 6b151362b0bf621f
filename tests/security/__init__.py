"""Attacks replayed against the shop: one test per hole closed (see SECURITY.md)."""
