"""The public REST API, version 1, mounted at /api/v1 (see `app.py`)."""
