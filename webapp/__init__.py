"""The Reflex composition root (`webapp/app.py`, named by rxconfig.py)."""
