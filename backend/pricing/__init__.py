"""Pricing: order totals (pure arithmetic), shipping options, tax rates and discount codes.

- `totals.py`: subtotal − discount + shipping + tax = total, each rounded once.
- `shipping.py`: the shipping methods offered and their prices.
- `discounts.py`: looking up, checking and redeeming discount codes.
"""
