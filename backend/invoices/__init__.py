"""Invoices and credit notes: numbered without gaps, snapshots of what was sold and
refunded, rendered as PDF."""
