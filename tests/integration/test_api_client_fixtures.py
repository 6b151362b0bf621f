"""The API test helpers themselves: `staff_with` grants exactly what it names."""

from __future__ import annotations

import httpx

from backend.accounts.permissions import Permission
from tests.fixtures.api_client import StaffWith, assert_problem


async def test_staff_with_one_permission_reach_its_routes_only(
    api: httpx.AsyncClient, staff_with: StaffWith
) -> None:
    promoter = await staff_with(Permission.PROMOTIONS)

    assert (await api.get("/admin/promotions", headers=promoter)).status_code == 200
    assert_problem(await api.get("/admin/staff-groups", headers=promoter), 403)
