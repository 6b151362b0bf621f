"""Gift cards: codes, balances, their ledger, redemption at checkout and delivery."""
