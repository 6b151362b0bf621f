"""The promotions page's look: the list and the editor (admin/pages/promotions.py holds
the state)."""

from __future__ import annotations

import reflex as rx

from admin.components.catalog_pickers import choice_select
from admin.components.layout import admin_page
from admin.components.row_actions import edit_and_delete
from admin.pages.promotions import PromotionListRow, PromotionsState
from backend.accounts.permissions import Permission
from ui.forms import bound_input, form_alert, save_or_cancel, success_note
from ui.tables import data_table


def _row(row: rx.Var[PromotionListRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.title),
        rx.table.cell(row.discount),
        rx.table.cell(row.covers),
        rx.table.cell(rx.text(row.when, size="1", color_scheme="gray")),
        rx.table.cell(row.priority, text_align="right"),
        rx.table.cell(
            rx.badge(
                row.status,
                color_scheme=rx.match(
                    row.status, ("Active", "grass"), ("Scheduled", "blue"), "gray"
                ),
            )
        ),
        rx.table.cell(
            edit_and_delete(
                row.title,
                on_edit=PromotionsState.edit(row.id),
                on_delete=PromotionsState.delete(row.id),
                consequence="Prices go back at once; orders placed under it keep what they got.",
            )
        ),
    )


def _target_picker() -> rx.Component:
    return rx.vstack(
        rx.text("Covers", size="2", weight="medium"),
        rx.hstack(
            rx.select.root(
                rx.select.trigger(aria_label="Covers"),
                rx.select.content(
                    rx.select.item("Everything", value="all"),
                    rx.select.item("A category", value="category"),
                    rx.select.item("A collection", value="collection"),
                    rx.select.item("Chosen products", value="products"),
                ),
                value=PromotionsState.target,
                on_change=PromotionsState.set_target,
            ),
            rx.cond(
                PromotionsState.target == "category",
                choice_select(
                    PromotionsState.categories,
                    label="Category",
                    value=PromotionsState.target_id,
                    on_change=PromotionsState.set_target_id,
                    width="220px",
                ),
            ),
            rx.cond(
                PromotionsState.target == "collection",
                choice_select(
                    PromotionsState.collections,
                    label="Collection",
                    value=PromotionsState.target_id,
                    on_change=PromotionsState.set_target_id,
                    width="220px",
                ),
            ),
            spacing="2",
            wrap="wrap",
        ),
        rx.cond(PromotionsState.target == "products", _chosen_products()),
        rx.text(
            "A category includes its subcategories. Where several promotions cover a product, "
            "the highest priority applies; among equals, the lowest price.",
            size="1",
            color_scheme="gray",
        ),
        rx.el.label(
            rx.hstack(
                rx.checkbox(checked=PromotionsState.stacks, on_change=PromotionsState.set_stacks),
                rx.text("Adds up with other item promotions that add up", size="2"),
                spacing="2",
                align="center",
            ),
        ),
        rx.text(
            "Promotions that add up each take their part off the price before promotions "
            "(20 % and 10 % make 30 %). One that does not applies alone, and a multi-buy "
            "that does not leaves out items already on sale.",
            size="1",
            color_scheme="gray",
        ),
        spacing="1",
        width="100%",
    )


def _chosen_products() -> rx.Component:
    """The products a promotion covers by name, as SKUs (any variant's names its product)."""
    error = PromotionsState.errors.get("product_skus", "")
    return rx.box(
        rx.el.label(
            rx.text("Products, one SKU per line", size="2", weight="medium"),
            rx.text_area(
                name="product_skus",
                id="p-product_skus",
                default_value=PromotionsState.values["product_skus"],
                rows="4",
                placeholder="KG-MUG-1",
                aria_invalid=rx.cond(error != "", "true", "false"),
                aria_describedby="p-product_skus-message",
                width="100%",
            ),
            display="flex",
            flex_direction="column",
            gap="4px",
        ),
        rx.cond(
            error != "",
            rx.text(
                error, id="p-product_skus-message", size="2", color_scheme="tomato", role="alert"
            ),
            rx.text(
                "Each product with all its variants; a variant's SKU names its product.",
                id="p-product_skus-message",
                size="1",
                color_scheme="gray",
            ),
        ),
        width="100%",
        max_width="520px",
    )


def _multibuy_quantities() -> rx.Component:
    """A multi-buy's group: how many items, and how many of them the percentage is off."""
    errors, values = PromotionsState.errors, PromotionsState.values
    return rx.hstack(
        rx.box(
            bound_input(
                "Items in a group",
                "buy_quantity",
                errors=errors,
                values=values,
                id_prefix="p-",
                input_mode="numeric",
                hint="2 for “buy 2, get 1 free”",
            ),
            width="200px",
        ),
        rx.cond(
            PromotionsState.kind == "percent",
            rx.box(
                bound_input(
                    "Discounted items per group",
                    "discounted_quantity",
                    errors=errors,
                    values=values,
                    id_prefix="p-",
                    input_mode="numeric",
                    hint="The cheapest; … get 1 free: 1 at 100 %",
                ),
                width="240px",
            ),
        ),
        spacing="3",
        align="start",
        wrap="wrap",
    )


def _applies_to_picker() -> rx.Component:
    return rx.vstack(
        rx.text("Applies to", size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(aria_label="Applies to"),
            rx.select.content(
                rx.select.item("Each item it covers", value="items"),
                rx.select.item("Groups of items (multi-buy)", value="multibuy"),
                rx.select.item("The whole order", value="order"),
                rx.select.item("Shipping", value="shipping"),
            ),
            value=PromotionsState.applies_to,
            on_change=PromotionsState.set_applies_to,
        ),
        rx.text(
            "Multi-buy: buy 2, get the cheapest free; 3 for $50; buy 3, save $10 (the items "
            "it covers, pooled; the dearest grouped first). The whole order: off the goods "
            "once the order reaches a minimum. Shipping: off the shipping price (100 % off is "
            "free shipping). One of each of these two applies per order.",
            size="1",
            color_scheme="gray",
        ),
        spacing="1",
        width="100%",
    )


def _order_wide() -> rx.Component:
    """An order or shipping promotion's minimum, zone and whether codes combine with it."""
    errors, values = PromotionsState.errors, PromotionsState.values
    return rx.vstack(
        rx.hstack(
            rx.box(
                bound_input(
                    "Minimum order",
                    "min_subtotal",
                    errors=errors,
                    values=values,
                    id_prefix="p-",
                    input_mode="decimal",
                    hint="The goods at sale prices; empty: any order",
                ),
                width="240px",
            ),
            rx.box(
                bound_input(
                    "Uses per customer",
                    "limit_per_customer",
                    errors=errors,
                    values=values,
                    id_prefix="p-",
                    input_mode="numeric",
                    hint="Orders one customer may get it on; empty: no limit",
                ),
                width="240px",
            ),
            rx.cond(
                PromotionsState.applies_to == "shipping",
                rx.vstack(
                    rx.text("Shipping zone", size="2", weight="medium"),
                    rx.select.root(
                        rx.select.trigger(aria_label="Shipping zone", width="220px"),
                        rx.select.content(
                            rx.select.item("Every zone", value="any"),
                            rx.foreach(
                                PromotionsState.zones,
                                lambda zone: rx.select.item(zone.label, value=zone.value),
                            ),
                        ),
                        value=rx.cond(
                            PromotionsState.zone_id == "", "any", PromotionsState.zone_id
                        ),
                        on_change=PromotionsState.set_zone_id,
                    ),
                    spacing="1",
                ),
            ),
            spacing="3",
            align="start",
            wrap="wrap",
        ),
        rx.el.label(
            rx.hstack(
                rx.checkbox(
                    checked=PromotionsState.combines_with_codes,
                    on_change=PromotionsState.set_combines_with_codes,
                ),
                rx.text("Discount codes can be used with it", size="2"),
                spacing="2",
                align="center",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _editor() -> rx.Component:
    errors, values = PromotionsState.errors, PromotionsState.values
    zone = " (" + PromotionsState.time_zone + ")"
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(
                    rx.cond(PromotionsState.editing_id == "", "New promotion", "Edit promotion"),
                    size="4",
                    as_="h2",
                ),
                bound_input(
                    "Title",
                    "title",
                    errors=errors,
                    values=values,
                    id_prefix="p-",
                    hint="Shoppers see it beside the price and in the cart",
                ),
                _applies_to_picker(),
                rx.hstack(
                    rx.vstack(
                        rx.text("Takes off", size="2", weight="medium"),
                        rx.select.root(
                            rx.select.trigger(aria_label="Takes off"),
                            rx.select.content(
                                rx.select.item(
                                    rx.cond(
                                        PromotionsState.applies_to == "multibuy",
                                        "A percentage off the cheapest",
                                        "A percentage",
                                    ),
                                    value="percent",
                                ),
                                rx.select.item(
                                    rx.match(
                                        PromotionsState.applies_to,
                                        ("items", "An amount per item"),
                                        ("multibuy", "An amount per group"),
                                        "An amount",
                                    ),
                                    value="fixed",
                                ),
                                rx.cond(
                                    PromotionsState.applies_to == "multibuy",
                                    rx.select.item("A price for the group", value="bundle"),
                                ),
                            ),
                            value=PromotionsState.kind,
                            on_change=PromotionsState.set_kind,
                        ),
                        spacing="1",
                    ),
                    rx.box(
                        bound_input(
                            rx.match(
                                PromotionsState.kind,
                                ("percent", "Percent off"),
                                ("bundle", "Price of a group"),
                                "Amount off",
                            ),
                            "value",
                            errors=errors,
                            values=values,
                            id_prefix="p-",
                            input_mode="decimal",
                            hint=rx.match(
                                PromotionsState.kind,
                                ("percent", "20 = 20 %; 100 = free"),
                                ("bundle", "3 for $50: 50.00"),
                                "5.00",
                            ),
                        ),
                        width="200px",
                    ),
                    spacing="3",
                    align="start",
                    wrap="wrap",
                ),
                rx.cond(PromotionsState.applies_to == "multibuy", _multibuy_quantities()),
                rx.cond(
                    (PromotionsState.applies_to == "items")
                    | (PromotionsState.applies_to == "multibuy"),
                    _target_picker(),
                    _order_wide(),
                ),
                rx.grid(
                    bound_input(
                        "Starts" + zone,
                        "starts_at",
                        errors=errors,
                        values=values,
                        id_prefix="p-",
                        type="datetime-local",
                        hint="Empty: at once",
                    ),
                    bound_input(
                        "Ends" + zone,
                        "ends_at",
                        errors=errors,
                        values=values,
                        id_prefix="p-",
                        type="datetime-local",
                        hint="Empty: no end",
                    ),
                    bound_input(
                        "Priority",
                        "priority",
                        errors=errors,
                        values=values,
                        id_prefix="p-",
                        input_mode="numeric",
                        hint="Higher wins where promotions overlap",
                    ),
                    columns=rx.breakpoints(initial="1", md="3"),
                    spacing="3",
                    width="100%",
                ),
                rx.el.label(
                    rx.hstack(
                        rx.switch(
                            checked=PromotionsState.is_active,
                            on_change=PromotionsState.set_is_active,
                        ),
                        rx.text("Switched on", size="2"),
                        spacing="2",
                        align="center",
                    ),
                ),
                save_or_cancel(
                    "Save promotion",
                    editing=PromotionsState.editing,
                    on_cancel=PromotionsState.cancel,
                ),
                spacing="4",
                width="100%",
            ),
            key=PromotionsState.form_version.to_string(),
            on_submit=PromotionsState.save,
            reset_on_submit=False,
            width="100%",
        ),
        width="100%",
    )


def _preview() -> rx.Component:
    state = PromotionsState
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Preview a cart", size="3", as_="h2"),
                rx.text(
                    "What would these cost at a given moment, under the promotions switched "
                    "on then: sales, multi-buys and the order promotion, and which shipping "
                    "promotions it gets? Today's catalog prices; codes, shipping prices and "
                    "tax aside.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.hstack(
                    rx.el.label(
                        rx.text("At (" + state.time_zone + ")", size="2", weight="medium"),
                        rx.input(name="at", type="datetime-local"),
                        display="flex",
                        flex_direction="column",
                        gap="4px",
                    ),
                    rx.el.label(
                        rx.text("SKUs, one per line, with a quantity", size="2", weight="medium"),
                        rx.text_area(name="skus", placeholder="KG-MUG-1 2", rows="3"),
                        display="flex",
                        flex_direction="column",
                        gap="4px",
                        flex="1",
                        min_width="220px",
                    ),
                    spacing="3",
                    wrap="wrap",
                    width="100%",
                ),
                rx.button("Preview", type="submit", variant="soft"),
                form_alert(state.preview_message),
                rx.cond(
                    state.preview_rows.length() > 0,
                    rx.vstack(
                        data_table(
                            (
                                "Product",
                                ("Qty", "right"),
                                "Price then",
                                "Promotion",
                                ("Total", "right"),
                            ),
                            state.preview_rows,
                            lambda line: rx.table.row(
                                rx.table.row_header_cell(line.name),
                                rx.table.cell(line.quantity, text_align="right"),
                                rx.table.cell(line.price),
                                rx.table.cell(line.promotion),
                                rx.table.cell(line.line_total, text_align="right"),
                            ),
                        ),
                        rx.text(state.preview_summary, size="2", weight="medium", role="status"),
                        width="100%",
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=state.preview,
            reset_on_submit=False,
            width="100%",
        ),
        width="100%",
    )


def promotions_page() -> rx.Component:
    return admin_page(
        "Promotions",
        rx.vstack(
            rx.text(
                "Automatic promotions: no code needed. Listings, product pages, carts and "
                "checkout show and charge the sale price while a sale runs; carts and checkout "
                "apply multi-buys and order offers.",
                size="2",
                color_scheme="gray",
            ),
            form_alert(PromotionsState.message),
            success_note(PromotionsState.done),
            rx.cond(
                PromotionsState.editing,
                _editor(),
                rx.button(rx.icon("plus", size=16), "New promotion", on_click=PromotionsState.new),
            ),
            data_table(
                (
                    "Promotion",
                    "Discount",
                    "Covers",
                    "When",
                    ("Priority", "right"),
                    "Status",
                    "",
                ),
                PromotionsState.rows,
                _row,
            ),
            _preview(),
            spacing="4",
            width="100%",
        ),
        permission=Permission.PROMOTIONS,
    )
