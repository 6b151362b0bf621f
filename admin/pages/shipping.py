"""Admin shipping: zones (countries, regions, postcode prefixes) and their methods (flat,
by weight or by value bands, free from an amount, categories they do not carry).
Admins only; the shipping services check the role again and write the audit log."""

from __future__ import annotations

import dataclasses
import uuid
from decimal import Decimal
from functools import partial
from typing import ClassVar

import reflex as rx

from admin.components.layout import admin_page
from admin.state import AdminState
from backend.accounts.permissions import Permission
from backend.catalog import taxonomy
from backend.core.errors import DomainError, InvalidInputError
from backend.core.money import format_money
from backend.core.validation import parse_input
from backend.settings import get_settings
from backend.shipping import services as shipping
from backend.shipping.inputs import MethodInput, ZoneInput, parse_bands
from backend.shipping.rules import Band
from ui.errors import form_feedback
from ui.forms import bound_input, form_alert, save_or_cancel, success_note

ZONE_FIELDS = ("name", "countries", "regions", "postcode_prefixes")
METHOD_FIELDS = (
    "zone_id",
    "code",
    "name",
    "delivery_time",
    "rate_basis",
    "flat_price",
    "bands",
    "free_above",
)


@dataclasses.dataclass(frozen=True)
class ZoneRow:
    id: str
    name: str
    places: str
    taxes_shipping: str


@dataclasses.dataclass(frozen=True)
class MethodRow:
    id: str
    zone_id: str
    name: str
    code: str
    price: str
    delivery: str
    excluded: str
    active: bool


@dataclasses.dataclass(frozen=True)
class CategoryChoice:
    id: str
    label: str
    excluded: bool


def _amount(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _bands_text(bands: tuple[Band, ...]) -> str:
    return "; ".join(
        f"{_amount(b.up_to) if b.up_to is not None else 'more'}: {_amount(b.price)}" for b in bands
    )


def _describe_price(method: shipping.MethodView, currency: str) -> str:
    if method.rate_basis == "flat" and method.flat_price is not None:
        text = format_money(method.flat_price, currency)
    else:
        unit = " kg" if method.rate_basis == "weight" else ""
        text = ("By weight: " if method.rate_basis == "weight" else "By order value: ") + "; ".join(
            (
                f"up to {_amount(b.up_to)}{unit} {format_money(b.price, currency)}"
                if b.up_to is not None
                else f"above {format_money(b.price, currency)}"
            )
            for b in method.bands
        )
    if method.free_above is not None:
        text += f" · free from {format_money(method.free_above, currency)}"
    return text


class ShippingAdminState(AdminState):
    permission: ClassVar[Permission] = Permission.SETTINGS

    zones: list[ZoneRow] = []
    methods: list[MethodRow] = []
    categories: list[CategoryChoice] = []
    zone_form: dict[str, str] = {}
    zone_taxes_shipping: bool = True
    editing_zone: str = ""
    method_form: dict[str, str] = {}
    editing_method: str = ""
    zone_errors: dict[str, str] = {}
    method_errors: dict[str, str] = {}
    message: str = ""
    done: str = ""
    form_version: int = 0

    _views: dict[str, shipping.MethodView] = {}
    _zone_views: dict[str, shipping.ZoneView] = {}

    async def _reload(self) -> None:
        currency = get_settings().shop_currency
        zones = await shipping.list_zones(self.staff_viewer)
        self._zone_views = {str(zone.id): zone for zone in zones}
        self.zones = [
            ZoneRow(
                id=str(zone.id),
                name=zone.name,
                places=" · ".join(
                    filter(
                        None,
                        (
                            ", ".join(zone.countries),
                            ("regions " + ", ".join(zone.regions)) if zone.regions else "",
                            ("postcodes " + ", ".join(zone.postcode_prefixes) + "…")
                            if zone.postcode_prefixes
                            else "",
                        ),
                    )
                ),
                taxes_shipping="Shipping taxed" if zone.taxes_shipping else "Shipping not taxed",
            )
            for zone in zones
        ]
        self._views = {str(m.id): m for zone in zones for m in zone.methods}
        self.methods = [
            MethodRow(
                id=str(method.id),
                zone_id=str(zone.id),
                name=method.name,
                code=method.code,
                price=_describe_price(method, currency),
                delivery=method.delivery_time,
                excluded=", ".join(
                    name for _, name in method.excluded_categories + method.excluded_products
                ),
                active=method.is_active,
            )
            for zone in zones
            for method in zone.methods
        ]

    async def _load_categories(self, excluded: set[str]) -> None:
        self.categories = [
            CategoryChoice(str(row.id), "— " * row.depth + row.name, str(row.id) in excluded)
            for row in await taxonomy.list_categories(self.staff_viewer)
        ]

    def _blank_forms(self) -> None:
        self.zone_form = {name: "" for name in ZONE_FIELDS}
        self.zone_taxes_shipping = True
        self.editing_zone = ""
        first_zone = self.zones[0].id if self.zones else ""
        self.method_form = {name: "" for name in METHOD_FIELDS} | {
            "zone_id": first_zone,
            "rate_basis": "flat",
        }
        self.editing_method = ""
        self.form_version += 1

    @rx.event
    async def load(self) -> None:
        self.zone_errors, self.method_errors, self.message, self.done = {}, {}, "", ""
        await self._reload()
        await self._load_categories(set())
        self._blank_forms()

    @rx.event
    def edit_zone(self, zone_id: str) -> None:
        zone = self._zone_views.get(str(zone_id))
        if zone is None:
            return
        self.zone_form = {
            "name": zone.name,
            "countries": ", ".join(zone.countries),
            "regions": ", ".join(zone.regions),
            "postcode_prefixes": ", ".join(zone.postcode_prefixes),
        }
        self.zone_taxes_shipping = zone.taxes_shipping
        self.editing_zone, self.zone_errors = str(zone.id), {}
        self.form_version += 1

    @rx.event
    def set_zone_taxes_shipping(self, value: bool) -> None:
        self.zone_taxes_shipping = value is True

    @rx.event
    async def save_zone(self, form_data: dict[str, str]) -> None:
        self.zone_errors, self.message, self.done = {}, "", ""
        data = {name: str(form_data.get(name) or "")[:2000] for name in ZONE_FIELDS}
        self.zone_form = data
        try:
            zone = parse_input(ZoneInput, data | {"taxes_shipping": self.zone_taxes_shipping})
            await shipping.save_zone(
                zone,
                actor=self.staff_viewer,
                zone_id=uuid.UUID(self.editing_zone) if self.editing_zone else None,
            )
        except DomainError as error:
            self.message, self.zone_errors = form_feedback(error)
            return
        self.done = f"Zone {zone.name} saved."
        await self._reload()
        self._blank_forms()

    @rx.event
    async def delete_zone(self, zone_id: str) -> None:
        self.message, self.done = "", ""
        try:
            await shipping.delete_zone(uuid.UUID(str(zone_id)), actor=self.staff_viewer)
        except (DomainError, ValueError) as error:
            self.message = getattr(error, "message", "There is no such shipping zone.")
            return
        self.done = "Zone deleted."
        await self._reload()
        self._blank_forms()

    @rx.event
    async def edit_method(self, method_id: str) -> None:
        method = self._views.get(str(method_id))
        row = next((m for m in self.methods if m.id == str(method_id)), None)
        if method is None or row is None:
            return
        self.method_form = {
            "zone_id": row.zone_id,
            "code": method.code,
            "name": method.name,
            "delivery_time": method.delivery_time,
            "rate_basis": method.rate_basis,
            "flat_price": _amount(method.flat_price),
            "bands": _bands_text(method.bands),
            "free_above": _amount(method.free_above),
        }
        self.editing_method, self.method_errors = str(method.id), {}
        await self._load_categories({str(i) for i, _ in method.excluded_categories})
        self.form_version += 1

    @rx.event
    async def cancel_edit(self) -> None:
        self.zone_errors, self.method_errors = {}, {}
        await self._load_categories(set())
        self._blank_forms()

    @rx.event
    async def save_method(self, form_data: dict[str, str]) -> None:
        self.method_errors, self.message, self.done = {}, "", ""
        data = {name: str(form_data.get(name) or "").strip()[:2000] for name in METHOD_FIELDS}
        self.method_form = data
        excluded = [
            key.removeprefix("exclude:")
            for key, value in form_data.items()
            if str(key).startswith("exclude:") and value
        ]
        try:
            fields: dict[str, object] = {
                k: v for k, v in data.items() if k not in ("bands", "zone_id")
            }
            fields["bands"] = parse_bands(data["bands"]) if data["rate_basis"] != "flat" else []
            fields["excluded_category_ids"] = excluded
            method = parse_input(MethodInput, fields)
            zone_id = uuid.UUID(data["zone_id"]) if data["zone_id"] else None
            await shipping.save_method(
                method,
                actor=self.staff_viewer,
                zone_id=zone_id,
                method_id=uuid.UUID(self.editing_method) if self.editing_method else None,
            )
        except ValueError:
            self.method_errors = {"zone_id": "Choose a zone."}
            return
        except DomainError as error:
            self.message, self.method_errors = form_feedback(error)
            if isinstance(error, InvalidInputError) and not error.field_errors:
                self.message = error.message
            return
        self.done = f"Method {method.name} saved."
        await self._reload()
        await self._load_categories(set())
        self._blank_forms()

    @rx.event
    async def set_method_active(self, method_id: str, active: bool) -> None:
        try:
            await shipping.set_method_active(
                uuid.UUID(str(method_id)), active=active is True, actor=self.staff_viewer
            )
        except (DomainError, ValueError) as error:
            self.message = getattr(error, "message", "There is no such shipping method.")
        await self._reload()

    @rx.event
    async def delete_method(self, method_id: str) -> None:
        self.message, self.done = "", ""
        try:
            await shipping.delete_method(uuid.UUID(str(method_id)), actor=self.staff_viewer)
        except (DomainError, ValueError) as error:
            self.message = getattr(error, "message", "There is no such shipping method.")
            return
        self.done = "Method deleted."
        await self._reload()


def _zone_form() -> rx.Component:
    field = partial(
        bound_input,
        errors=ShippingAdminState.zone_errors,
        values=ShippingAdminState.zone_form,
        id_prefix="zone-",
    )
    return rx.form(
        rx.vstack(
            rx.heading(
                rx.cond(ShippingAdminState.editing_zone != "", "Edit zone", "New zone"),
                size="3",
                as_="h2",
            ),
            rx.grid(
                field("Zone name", "name"),
                field("Countries", "countries", hint="Two-letter codes, e.g. DE, FR, NL"),
                field("Regions (optional)", "regions", hint="Of one country, e.g. CA, NY"),
                field(
                    "Postcode prefixes (optional)", "postcode_prefixes", hint="e.g. 10, 12 (Berlin)"
                ),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="3",
                width="100%",
            ),
            rx.el.label(
                rx.hstack(
                    rx.checkbox(
                        checked=ShippingAdminState.zone_taxes_shipping,
                        on_change=ShippingAdminState.set_zone_taxes_shipping,
                        aria_label="Charge tax on shipping to this zone",
                    ),
                    rx.text("Charge tax on shipping to this zone", size="2"),
                    spacing="2",
                    align="center",
                )
            ),
            save_or_cancel(
                "Save zone",
                editing=ShippingAdminState.editing_zone != "",
                on_cancel=ShippingAdminState.cancel_edit,
            ),
            spacing="3",
            width="100%",
        ),
        key="zone-" + ShippingAdminState.form_version.to_string(),
        on_submit=ShippingAdminState.save_zone,
        reset_on_submit=False,
        width="100%",
    )


def _method_form() -> rx.Component:
    errors, form = ShippingAdminState.method_errors, ShippingAdminState.method_form
    field = partial(bound_input, errors=errors, values=form, id_prefix="method-")
    return rx.form(
        rx.vstack(
            rx.heading(
                rx.cond(ShippingAdminState.editing_method != "", "Edit method", "New method"),
                size="3",
                as_="h2",
            ),
            rx.grid(
                rx.box(
                    rx.text("Zone", size="2", weight="medium"),
                    rx.select.root(
                        rx.select.trigger(aria_label="Zone", width="100%"),
                        rx.select.content(
                            rx.foreach(
                                ShippingAdminState.zones,
                                lambda zone: rx.select.item(zone.name, value=zone.id),
                            )
                        ),
                        name="zone_id",
                        default_value=form["zone_id"],
                        disabled=ShippingAdminState.editing_method != "",
                        size="3",
                    ),
                    rx.text(errors.get("zone_id", ""), color_scheme="tomato", size="2"),
                ),
                field("Method name", "name"),
                field("Code", "code", hint="e.g. standard, express"),
                field("Delivery time", "delivery_time", hint="e.g. 2–4 business days"),
                rx.box(
                    rx.text("Priced", size="2", weight="medium"),
                    rx.select.root(
                        rx.select.trigger(aria_label="Priced", width="100%"),
                        rx.select.content(
                            rx.select.item("Flat", value="flat"),
                            rx.select.item("By weight (kg bands)", value="weight"),
                            rx.select.item("By order value (bands)", value="value"),
                        ),
                        name="rate_basis",
                        default_value=form["rate_basis"],
                        size="3",
                    ),
                ),
                field("Flat price", "flat_price", hint="When priced flat"),
                field("Bands", "bands", hint="LIMIT: PRICE; …, e.g. 2: 5.90; 10: 12.50; more: 20"),
                field("Free from (optional)", "free_above", hint="Order value after discounts"),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="3",
                width="100%",
            ),
            rx.el.fieldset(
                rx.el.legend(rx.text("Not for these categories", size="2", weight="medium")),
                rx.flex(
                    rx.foreach(
                        ShippingAdminState.categories,
                        lambda category: rx.el.label(
                            rx.hstack(
                                rx.checkbox(
                                    name="exclude:" + category.id,
                                    default_checked=category.excluded,
                                    aria_label="Not for " + category.label,
                                ),
                                rx.text(category.label, size="2"),
                                spacing="1",
                                align="center",
                            ),
                            min_height="24px",
                        ),
                    ),
                    wrap="wrap",
                    spacing="4",
                ),
                border="none",
                padding="0",
                margin="0",
            ),
            save_or_cancel(
                "Save method",
                editing=ShippingAdminState.editing_method != "",
                on_cancel=ShippingAdminState.cancel_edit,
            ),
            spacing="3",
            width="100%",
        ),
        key="method-" + ShippingAdminState.form_version.to_string(),
        on_submit=ShippingAdminState.save_method,
        reset_on_submit=False,
        width="100%",
    )


def _method_item(method: rx.Var[MethodRow]) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.hstack(
                rx.text(method.name, weight="bold"),
                rx.code(method.code),
                rx.cond(
                    method.delivery != "", rx.text(method.delivery, size="2", color_scheme="gray")
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(method.price, size="2"),
            rx.cond(
                method.excluded != "",
                rx.text("Not for: ", method.excluded, size="2", color_scheme="gray"),
            ),
            spacing="1",
            flex="1",
        ),
        rx.switch(
            checked=method.active,
            on_change=lambda checked: ShippingAdminState.set_method_active(method.id, checked),
            aria_label="Offered: " + method.name,
        ),
        rx.button(
            "Edit",
            size="1",
            variant="soft",
            on_click=ShippingAdminState.edit_method(method.id),
            aria_label="Edit method " + method.name,
        ),
        rx.button(
            "Delete",
            size="1",
            variant="soft",
            color_scheme="tomato",
            on_click=ShippingAdminState.delete_method(method.id),
            aria_label="Delete method " + method.name,
        ),
        spacing="3",
        align="center",
        width="100%",
        padding_y="2",
        border_top=f"1px solid {rx.color('gray', 5)}",
        wrap="wrap",
    )


def _zone_card(zone: rx.Var[ZoneRow]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(zone.name, size="3", as_="h3"),
                rx.spacer(),
                rx.button(
                    "Edit",
                    size="1",
                    variant="soft",
                    on_click=ShippingAdminState.edit_zone(zone.id),
                    aria_label="Edit zone " + zone.name,
                ),
                rx.button(
                    "Delete",
                    size="1",
                    variant="soft",
                    color_scheme="tomato",
                    on_click=ShippingAdminState.delete_zone(zone.id),
                    aria_label="Delete zone " + zone.name,
                ),
                width="100%",
                align="center",
            ),
            rx.text(zone.places, size="2"),
            rx.text(zone.taxes_shipping, size="2", color_scheme="gray"),
            rx.foreach(
                ShippingAdminState.methods,
                lambda method: rx.cond(method.zone_id == zone.id, _method_item(method)),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="shipping-zone",
    )


def shipping_page() -> rx.Component:
    return admin_page(
        "Shipping",
        rx.vstack(
            form_alert(ShippingAdminState.message),
            success_note(ShippingAdminState.done),
            rx.text(
                "An address ships by the methods of the most specific zone that covers it "
                "(postcode prefix, then region, then country). Checkout refuses addresses no "
                "zone covers.",
                size="2",
                color_scheme="gray",
            ),
            rx.foreach(ShippingAdminState.zones, _zone_card),
            _zone_form(),
            rx.cond(ShippingAdminState.zones.length() > 0, _method_form()),
            spacing="4",
            width="100%",
        ),
        permission=Permission.SETTINGS,
    )
