"""Checkout and cancellation: the use cases that cross domains, one service each, called
alike by the storefront's Reflex handlers, the REST API and the worker's jobs.

- `services.py`: place an order from a cart (within the unpaid-order limits of
  `limits.py`), pay for it, confirm a payment, take the paid lines out of the cart.
- `cancellation.py`: cancel an order, the shopper's way (while unpaid) or the shop's
  (also paid and not shipped, refunding it), with one idempotency key for that refund.

Why a package of its own rather than a module of `backend/orders`: these steps
orchestrate orders, payments and the cart, and `backend/payments` already imports
`backend/orders` (it locks and moves orders). Written inside orders, the orchestration
would make orders import payments and payments import orders. Here the arrows point one
way: storefront, admin, api, jobs → checkout → orders, payments, cart; no domain imports
checkout.
"""
