"""E-mail and SMS: rendered from templates, sent once per (event, channel, recipient), recorded."""
