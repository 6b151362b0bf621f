"""Wishlists: products a signed-in shopper saved for later, and a revocable share link."""
