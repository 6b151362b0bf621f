"""Local tooling: start private services, prepare databases, run the shop and its tests.

Not part of the shop itself; `backend/`, `storefront/`, `admin/` and `jobs/` never import it.
"""
