"""The shop funnel's daily visitor counts (viewed a product, added to cart, started checkout, …).

A small domain near the bottom: the cart and the checkout count steps here, and the
analytics reports above read them.
"""
