"""Self-service returns: a shopper asks to send back delivered goods, staff decide,
receive them, refund and optionally restock."""
