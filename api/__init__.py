"""The HTTP surface mounted into the Reflex backend: browser session routes and the REST API."""
