"""Draft order pages (state: drafts.py): the list and the editor."""

from __future__ import annotations

import reflex as rx

from admin.components.layout import admin_page
from admin.components.manual_payment import manual_payment_fields
from admin.components.variant_search import variant_search
from admin.pages.drafts import STATUSES, DraftEditorState, DraftsState
from backend.accounts.permissions import Permission
from ui.forms import form_alert, labelled_input, labelled_select, success_note
from ui.tables import data_table


def _new_draft_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.box(
                labelled_input(
                    "Customer e-mail (optional)",
                    "email",
                    DraftsState.errors.get("email", ""),
                    hint="An account's address fills in its default address.",
                    type="email",
                ),
                flex="1",
                min_width="240px",
            ),
            rx.button("New draft order", type="submit", size="3"),
            align="end",
            wrap="wrap",
            width="100%",
        ),
        on_submit=DraftsState.new_draft,
        reset_on_submit=False,
        width="100%",
    )


def drafts_page() -> rx.Component:
    return admin_page(
        "Draft orders",
        rx.vstack(
            rx.text(
                "Orders you take for a customer, by phone or for a business: nothing is "
                "reserved until you complete one.",
                color_scheme="gray",
            ),
            form_alert(DraftsState.message),
            _new_draft_form(),
            rx.segmented_control.root(
                *(rx.segmented_control.item(label, value=value) for value, label in STATUSES),
                value=DraftsState.status,
                on_change=DraftsState.show_status,
                aria_label="Which drafts",
            ),
            rx.cond(
                DraftsState.rows.length() == 0,
                rx.text("No drafts here."),
                data_table(
                    ("Draft", "Customer", "Items", "Last change", "Order"),
                    DraftsState.rows,
                    lambda row: rx.table.row(
                        rx.table.cell(rx.link(row.label, href=row.url)),
                        rx.table.cell(row.customer),
                        rx.table.cell(row.item_count),
                        rx.table.cell(row.updated),
                        rx.table.cell(
                            rx.cond(
                                row.order_number != "",
                                rx.link(row.order_number, href=row.order_url),
                                "—",
                            )
                        ),
                    ),
                ),
            ),
            spacing="4",
            width="100%",
        ),
        permission=Permission.ORDERS_EDIT,
    )


def _field(label: str, name: str, **props: object) -> rx.Component:
    return labelled_input(
        label,
        name,
        DraftEditorState.errors.get(name, ""),
        default_value=DraftEditorState.customer[name],
        id_prefix="customer-",
        **props,
    )


def _customer_card() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Customer", size="4", as_="h2"),
                rx.cond(
                    DraftEditorState.has_account,
                    rx.badge("Has an account: the order shows in it", color_scheme="grass"),
                ),
                rx.grid(
                    _field("E-mail", "email", type="email"),
                    _field("Full name", "full_name", auto_complete="off"),
                    _field("Address", "line1"),
                    _field("Address line 2", "line2"),
                    _field("City", "city"),
                    _field("Region", "region"),
                    _field("Postal code", "postal_code"),
                    _field("Country code", "country", max_length=2),
                    _field("Phone", "phone", type="tel"),
                    rx.cond(
                        DraftEditorState.shipping_choices.length() > 0,
                        labelled_select(
                            "Shipping method",
                            "shipping_method",
                            DraftEditorState.shipping_choices,
                            value=DraftEditorState.customer["shipping_method"],
                            error=DraftEditorState.errors.get("shipping_method", ""),
                        ),
                        _field(
                            "Shipping method",
                            "shipping_method",
                            hint="The methods to choose from show once the address is saved.",
                        ),
                    ),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
                rx.button("Save customer", type="submit", disabled=~DraftEditorState.is_open),
                spacing="3",
                width="100%",
            ),
            key=DraftEditorState.form_version.to_string() + "-customer",
            on_submit=DraftEditorState.save_customer,
            reset_on_submit=False,
        ),
        width="100%",
    )


def _line_row(line: rx.Var) -> rx.Component:  # type: ignore[type-arg]
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(line.title, weight="medium"),
                rx.text(line.detail, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(line.unit_price),
                rx.cond(line.was != "", rx.text("was ", line.was, size="1", color_scheme="gray")),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.input(
                type="number",
                min=1,
                max=999,
                default_value=line.quantity.to_string(),
                aria_label="Quantity of " + line.title,
                on_blur=lambda value: DraftEditorState.set_quantity(line.id, value),
                disabled=~DraftEditorState.is_open,
                width="80px",
                key=DraftEditorState.form_version.to_string() + line.id,
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
                on_click=DraftEditorState.remove_line(line.id),
                disabled=~DraftEditorState.is_open,
            )
        ),
    )


def _lines_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Items", size="4", as_="h2"),
            rx.cond(
                DraftEditorState.lines.length() == 0,
                rx.text("No items yet.", color_scheme="gray"),
                data_table(
                    ("Item", "Price", "Quantity", "Total", "Actions"),
                    DraftEditorState.lines,
                    _line_row,
                ),
            ),
            rx.cond(
                DraftEditorState.is_open,
                rx.vstack(
                    variant_search(
                        on_search=DraftEditorState.search,
                        hits=DraftEditorState.hits,
                        searched=DraftEditorState.searched,
                        on_add=DraftEditorState.add_variant,
                    ),
                    rx.form(
                        rx.vstack(
                            rx.text("Custom line", weight="medium"),
                            rx.hstack(
                                rx.box(
                                    labelled_input(
                                        "Description",
                                        "name",
                                        DraftEditorState.errors.get("name", ""),
                                        id_prefix="custom-",
                                    ),
                                    flex="2",
                                    min_width="180px",
                                ),
                                rx.box(
                                    labelled_input(
                                        "Unit price",
                                        "unit_price",
                                        DraftEditorState.errors.get("unit_price", ""),
                                        id_prefix="custom-",
                                        input_mode="decimal",
                                    ),
                                    flex="1",
                                    min_width="100px",
                                ),
                                rx.box(
                                    labelled_input(
                                        "Quantity",
                                        "quantity",
                                        DraftEditorState.errors.get("quantity", ""),
                                        id_prefix="custom-",
                                        default_value="1",
                                        input_mode="numeric",
                                    ),
                                    flex="1",
                                    min_width="80px",
                                ),
                                align="start",
                                wrap="wrap",
                                width="100%",
                            ),
                            rx.button("Add custom line", type="submit", variant="soft"),
                            spacing="2",
                            width="100%",
                        ),
                        key=DraftEditorState.form_version.to_string() + "-custom",
                        on_submit=DraftEditorState.add_custom_line,
                        reset_on_submit=False,
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _terms_card() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Discount, shipping and note", size="4", as_="h2"),
                rx.grid(
                    labelled_input(
                        "Discount amount",
                        "manual_discount",
                        DraftEditorState.errors.get("manual_discount", ""),
                        default_value=DraftEditorState.terms["manual_discount"],
                        input_mode="decimal",
                    ),
                    labelled_input(
                        "Reason for the discount",
                        "discount_reason",
                        DraftEditorState.errors.get("discount_reason", ""),
                        default_value=DraftEditorState.terms["discount_reason"],
                    ),
                    labelled_input(
                        "Shipping price",
                        "shipping_price",
                        DraftEditorState.errors.get("shipping_price", ""),
                        hint="Blank: the method's rate.",
                        default_value=DraftEditorState.terms["shipping_price"],
                        input_mode="decimal",
                    ),
                    labelled_input(
                        "Note for the team",
                        "note",
                        DraftEditorState.errors.get("note", ""),
                        default_value=DraftEditorState.terms["note"],
                    ),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
                rx.button(
                    "Save", type="submit", variant="soft", disabled=~DraftEditorState.is_open
                ),
                spacing="3",
                width="100%",
            ),
            key=DraftEditorState.form_version.to_string() + "-terms",
            on_submit=DraftEditorState.save_terms,
            reset_on_submit=False,
        ),
        width="100%",
    )


def _complete_card() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Complete the order", size="4", as_="h2"),
                rx.text(
                    "Completing reserves the stock and turns the draft into an order, once.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.radio_group.root(
                    rx.vstack(
                        rx.el.label(
                            rx.hstack(
                                rx.radio_group.item(value="payment_link"),
                                rx.text("E-mail the customer a payment link (card)"),
                                align="center",
                            ),
                        ),
                        rx.el.label(
                            rx.hstack(
                                rx.radio_group.item(value="paid_by_hand"),
                                rx.text("Paid already: bank transfer or cash"),
                                align="center",
                            ),
                        ),
                        spacing="2",
                    ),
                    name="settlement",
                    default_value="payment_link",
                    aria_label="How the customer pays",
                ),
                manual_payment_fields(DraftEditorState.errors, id_prefix="draft-"),
                rx.hstack(
                    rx.button("Complete order", type="submit", size="3"),
                    rx.button(
                        "Delete draft",
                        type="button",
                        variant="soft",
                        color_scheme="tomato",
                        on_click=DraftEditorState.delete,
                    ),
                    spacing="3",
                    wrap="wrap",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=DraftEditorState.complete,
            reset_on_submit=False,
        ),
        width="100%",
    )


def _summary_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Totals", size="4", as_="h2"),
            rx.foreach(
                DraftEditorState.problems,
                lambda problem: rx.callout(problem, icon="info", color_scheme="amber", size="1"),
            ),
            rx.cond(
                DraftEditorState.total != "",
                rx.vstack(
                    rx.foreach(
                        DraftEditorState.totals,
                        lambda row: rx.hstack(
                            rx.text(row[0]),
                            rx.spacer(),
                            rx.text(row[1], white_space="nowrap"),
                            width="100%",
                        ),
                    ),
                    rx.separator(),
                    rx.hstack(
                        rx.text("Total", weight="bold"),
                        rx.spacer(),
                        rx.text(DraftEditorState.total, weight="bold", data_testid="order-total"),
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def draft_editor_page() -> rx.Component:
    return admin_page(
        "Draft order",
        rx.cond(
            DraftEditorState.missing,
            rx.vstack(
                rx.text("There is no such draft order."),
                rx.link("All draft orders", href="/admin/drafts"),
            ),
            rx.vstack(
                rx.hstack(
                    rx.heading("Draft ", DraftEditorState.label, size="5", as_="h2"),
                    rx.badge(DraftEditorState.status),
                    rx.cond(
                        DraftEditorState.order_number != "",
                        rx.link(
                            "Order " + DraftEditorState.order_number,
                            href="/admin/orders/" + DraftEditorState.order_number,
                        ),
                    ),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                ),
                rx.cond(
                    DraftEditorState.is_open,
                    rx.text(
                        "Kept until ",
                        DraftEditorState.expires,
                        " unless changed.",
                        size="2",
                        color_scheme="gray",
                    ),
                ),
                form_alert(DraftEditorState.message),
                success_note(DraftEditorState.done),
                _lines_card(),
                _customer_card(),
                _terms_card(),
                _summary_card(),
                rx.cond(DraftEditorState.is_open, _complete_card()),
                spacing="4",
                width="100%",
                max_width="960px",
            ),
        ),
        permission=Permission.ORDERS_EDIT,
    )
