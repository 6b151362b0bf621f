"""The event handlers, by concern; `jobs.handlers` maps each event type to them."""
