"""The audit log: every change staff make, who made it, when, and what it was before and
after. Written in the same transaction as the change, so neither exists without the other."""
