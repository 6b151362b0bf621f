"""The page to change an order before it ships (state: order_editor.py)."""

from __future__ import annotations

import reflex as rx

from admin.components.layout import admin_page
from admin.components.variant_search import variant_search
from admin.pages.order_editor import OrderEditorState
from backend.accounts.permissions import Permission
from ui.forms import form_alert, labelled_input, labelled_select, success_note
from ui.tables import data_table

State = OrderEditorState


def _line_row(line: rx.Var) -> rx.Component:  # type: ignore[type-arg]
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(line.title, weight="medium"),
                rx.text(
                    line.sku,
                    rx.cond(line.note != "", " · " + line.note, ""),
                    size="1",
                    color_scheme="gray",
                ),
                spacing="0",
            )
        ),
        rx.table.cell(line.unit_price),
        rx.table.cell(
            rx.cond(
                line.changeable,
                rx.input(
                    type="number",
                    min=1,
                    max=999,
                    default_value=line.quantity.to_string(),
                    aria_label="Quantity of " + line.title,
                    on_blur=lambda value: State.set_quantity(line.key, value),
                    width="80px",
                    key=State.form_version.to_string() + line.key,
                ),
                rx.text(line.quantity),
            )
        ),
        rx.table.cell(line.line_total),
        rx.table.cell(
            rx.button(
                "Remove",
                variant="soft",
                color_scheme="tomato",
                size="1",
                aria_label="Remove " + line.title,
                on_click=State.remove(line.key),
            )
        ),
    )


def _lines_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Items", size="4", as_="h2"),
            data_table(("Item", "Price", "Quantity", "Total", "Actions"), State.lines, _line_row),
            rx.foreach(
                State.removed,
                lambda line: rx.hstack(
                    rx.text("Removed: ", line.quantity, " × ", line.title, color_scheme="gray"),
                    rx.spacer(),
                    rx.button(
                        "Put back",
                        size="1",
                        variant="soft",
                        aria_label="Put back " + line.title,
                        on_click=State.put_back(line.key),
                    ),
                    width="100%",
                    align="center",
                ),
            ),
            variant_search(
                on_search=State.search,
                hits=State.hits,
                searched=State.searched,
                on_add=State.add,
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _field(label: str, name: str, **props: object) -> rx.Component:
    return labelled_input(
        label,
        name,
        State.errors.get(name, ""),
        default_value=State.shipping[name],
        id_prefix="ship-",
        **props,
    )


def _shipping_card() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Shipping", size="4", as_="h2"),
                rx.grid(
                    _field("Full name", "full_name", auto_complete="off"),
                    _field("Phone", "phone", type="tel"),
                    _field("Address", "line1"),
                    _field("Address line 2", "line2"),
                    _field("City", "city"),
                    _field("Region", "region"),
                    _field("Postal code", "postal_code"),
                    _field("Country code", "country", max_length=2),
                    labelled_select(
                        "Shipping method",
                        "shipping_method",
                        State.shipping_choices,
                        value=State.shipping["shipping_method"],
                        error=State.errors.get("shipping_method", ""),
                    ),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
                rx.hstack(
                    rx.button("Use this address", type="submit", variant="soft"),
                    rx.cond(
                        State.shipping_changed,
                        rx.button(
                            "Keep the address as it was",
                            type="button",
                            variant="ghost",
                            on_click=State.keep_shipping,
                        ),
                    ),
                    spacing="3",
                    wrap="wrap",
                ),
                spacing="3",
                width="100%",
            ),
            key=State.form_version.to_string() + "-shipping",
            on_submit=State.change_shipping,
            reset_on_submit=False,
        ),
        width="100%",
    )


def _summary_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("New totals", size="4", as_="h2"),
            rx.foreach(
                State.totals,
                lambda row: rx.hstack(
                    rx.text(row[0]),
                    rx.spacer(),
                    rx.text(row[1], white_space="nowrap"),
                    width="100%",
                ),
            ),
            rx.separator(),
            rx.hstack(
                rx.text("Total was"),
                rx.spacer(),
                rx.text(State.old_total, white_space="nowrap"),
                width="100%",
            ),
            rx.hstack(
                rx.text("Total now", weight="bold"),
                rx.spacer(),
                rx.text(State.total, weight="bold", data_testid="edited-total"),
                width="100%",
            ),
            rx.cond(
                State.changes.length() > 0,
                rx.vstack(
                    rx.text("Changes", weight="medium"),
                    rx.unordered_list(rx.foreach(State.changes, rx.list_item)),
                    rx.callout(State.settlement, icon="info", size="1", role="status"),
                    rx.button("Save changes", size="3", on_click=State.save),
                    spacing="2",
                    width="100%",
                ),
                rx.text("Nothing changed yet.", color_scheme="gray"),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def order_editor_page() -> rx.Component:
    return admin_page(
        "Change order",
        rx.cond(
            State.missing,
            rx.vstack(
                rx.text("There is no such order."),
                rx.link("All orders", href="/admin/orders"),
            ),
            rx.vstack(
                rx.link("← Order " + State.number, href="/admin/orders/" + State.number, size="2"),
                rx.text(
                    "Lines kept keep their price; products added are priced as the shop sells "
                    "them now. Shipping is kept unless the address or method changes.",
                    color_scheme="gray",
                ),
                form_alert(State.message),
                success_note(State.done),
                _lines_card(),
                _shipping_card(),
                _summary_card(),
                spacing="4",
                width="100%",
                max_width="960px",
            ),
        ),
        permission=Permission.ORDERS_EDIT,
    )
