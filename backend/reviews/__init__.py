"""Product reviews and ratings: buyers write them, staff moderate them, shoppers read the
approved ones and vote them helpful. Each moderation decision or edit keeps the product's
stored rating (`products.rating_*`) exact in the same transaction."""
