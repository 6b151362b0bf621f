"""The orders domain. Its services arrive with the checkout work; its events exist already."""
