"""An axe-core check of the page as it stands: zero violations of the WCAG 2.0 and 2.1
level A and AA rules (axe's tags for them), each violation named with its nodes when it
fails."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_axe = Axe()


def violations(page: Page) -> list[dict[str, Any]]:
    """axe's violations of the WCAG 2.1 A/AA rules on the page as it is now."""
    options = {"runOnly": {"type": "tag", "values": WCAG_A_AA}, "resultTypes": ["violations"]}
    results = _axe.run(page, options=options)
    return list(results.response["violations"])


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['failureSummary'].splitlines()[-1]}")
    return "\n".join(lines)


def assert_accessible(page: Page, where: str) -> None:
    found = violations(page)
    assert not found, f"{where}: axe found WCAG 2.1 A/AA violations\n{describe(found)}"
