"""Demo data for local runs: a small catalog and demo accounts, seeded idempotently."""
