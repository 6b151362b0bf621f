"""Errors of the demo data: why a process refuses to start."""

from __future__ import annotations


class PublishedDemoAccountsError(RuntimeError):
    """Production was about to serve while demo accounts keep published passwords."""
