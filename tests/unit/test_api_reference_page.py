"""docs/api-reference.md is the API document rendered: it must say what the API is now."""

from __future__ import annotations

import subprocess
import sys

from devstack.services import PROJECT_ROOT


def test_the_api_reference_page_is_current() -> None:
    checked = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "api_reference.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
