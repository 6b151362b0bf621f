"""The merchant's store settings, kept in PostgreSQL and changed in the admin: legal
address and VAT number (e-mail footers), sender and support addresses, the order-number
prefix, the unpaid-order timeout, the return window and the cart-reminder delay.

- `models.py`: the one-row table.
- `values.py`: the current values, read at most once a second per process (a change
  applies within a second on every web process and worker, with no restart).
- `services.py`: admins change them (validated per field, audited).

The countries sold to are the shipping zones' (`backend/shipping`); environment
variables keep only deployment concerns (URLs, secrets, services).
"""
