"""The fields of a payment taken by hand (how it was paid, the transfer's reference): the
draft order's completion and an unpaid order's page both record one."""

from __future__ import annotations

import reflex as rx

from backend.payments.manual import MANUAL_METHOD_LABELS, ManualMethod
from ui.forms import labelled_input, labelled_select

MANUAL_METHODS = [(method.value, label) for method, label in MANUAL_METHOD_LABELS.items()]


def manual_payment_fields(errors: rx.Var[dict[str, str]], *, id_prefix: str) -> rx.Component:
    """Submitted as `method` and `reference`; `errors` holds their messages."""
    return rx.grid(
        labelled_select(
            "Paid by",
            "method",
            rx.Var.create(MANUAL_METHODS),
            value=ManualMethod.BANK_TRANSFER.value,
            error=errors.get("method", ""),
        ),
        labelled_input(
            "Payment reference",
            "reference",
            errors.get("reference", ""),
            hint="As the bank statement shows it (for a transfer).",
            id_prefix=id_prefix,
        ),
        columns=rx.breakpoints(initial="1", sm="2"),
        spacing="3",
        width="100%",
    )
