"""Abandoned-cart recovery: one reminder e-mail per abandoned cart, the link that restores
it, unsubscribing, and the figures admins see (reminders sent, revenue recovered)."""
