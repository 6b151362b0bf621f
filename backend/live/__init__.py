"""Live pages: telling open storefront pages that what they show has changed."""
