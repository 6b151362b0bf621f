"""A breadcrumb trail: links up the category tree, the current page last and unlinked."""

from __future__ import annotations

import reflex as rx

from ui.viewmodels import Crumb


def breadcrumb(crumbs: rx.Var[list[Crumb]]) -> rx.Component:
    return rx.el.nav(
        rx.hstack(
            rx.foreach(
                crumbs,
                lambda crumb, index: rx.hstack(
                    rx.cond(index > 0, rx.text("/", size="2", color_scheme="gray")),
                    rx.cond(
                        crumb.url != "",
                        rx.link(crumb.name, href=crumb.url, size="2"),
                        rx.text(crumb.name, size="2", color_scheme="gray", aria_current="page"),
                    ),
                    spacing="2",
                ),
            ),
            spacing="2",
            wrap="wrap",
        ),
        aria_label="Breadcrumb",
    )
