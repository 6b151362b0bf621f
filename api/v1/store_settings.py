"""The store settings (admins): legal details for e-mail footers, sender and support
addresses, order-number prefix, unpaid-order timeout, return window, cart-reminder delay.
A change is in force within a second on every web process and worker."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from api.v1.auth import SettingsStaff
from api.v1.edge import EdgeRoute
from api.v1.problems import problem_responses
from backend.accounts.permissions import Permission, require_permission
from backend.shop_settings import services as shop_settings
from backend.shop_settings.services import StoreSettingsInput
from backend.shop_settings.values import store_settings

router = APIRouter(prefix="/settings", tags=["settings"], route_class=EdgeRoute)


@router.get(
    "/store",
    response_model=StoreSettingsInput,
    summary="The store settings (admins)",
    responses=problem_responses(401, 403),
)
async def get_store_settings(viewer: SettingsStaff) -> StoreSettingsInput:
    require_permission(viewer, Permission.SETTINGS, "read the store settings")
    return StoreSettingsInput(**asdict(await store_settings()))


@router.put(
    "/store",
    response_model=StoreSettingsInput,
    summary="Change the store settings (admins)",
    responses=problem_responses(400, 401, 403),
)
async def put_store_settings(data: StoreSettingsInput, viewer: SettingsStaff) -> StoreSettingsInput:
    """Every field is replaced (400 with a message per field)."""
    saved = await shop_settings.update_store_settings(data, actor=viewer)
    return StoreSettingsInput(**asdict(saved))
