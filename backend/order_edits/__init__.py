"""Editing an order before it ships, and settling the difference (ADR 0018)."""
