"""Shipping: zones (countries, optionally regions or postcode prefixes), each with its
methods and their rates, and which methods an address and a cart get.

- `models.py`: zones, methods, rate bands and method exclusions.
- `rules.py`: pure rules: the zone of an address, each method's price for a cart.
- `quotes.py`: the methods offered for an address and cart, read from the database.
- `services.py`: staff editing zones and methods (admins, audited).
"""
