"""Figures for the admin: sales, orders by status, low stock."""
