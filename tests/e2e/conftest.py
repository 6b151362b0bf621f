"""The browser tests' overrides of pytest-playwright's fixtures.

pytest-playwright's own `base_url` and `browser_type_launch_args` win over fixtures that
come in through `pytest_plugins`; a conftest's win over a plugin's, so the running shop's
address and Debian's Chromium are named here (defined in tests/fixtures/live_shop.py).
"""

from tests.fixtures.live_shop import base_url, browser_type_launch_args

__all__ = ["base_url", "browser_type_launch_args"]
