"""Tax: rates by country (and region) and tax class, and whether catalog prices include
tax. What an order is charged is worked out by `backend/pricing/totals.py` from the
rates found here, and written down with the order.

- `models.py`: tax classes, tax rates, the shop's tax configuration (one row).
- `rates.py`: the rates that apply to an address (`TaxTable`) and the configuration.
- `services.py`: staff editing rates and the configuration (admins, audited).
"""
