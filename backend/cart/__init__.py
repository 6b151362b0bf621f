"""Shopping carts in Redis: guests' by a cookie token, signed-in shoppers' by user id.

A cart stores only product ids and quantities. Names, prices and stock are read from the
catalog each time a cart is shown, so a cart never shows a stale price, and checkout
prices again from the database inside the order's transaction.
"""
