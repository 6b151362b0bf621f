"""Radix Themes' looks on plain elements, for what a page repeats dozens of times.

`rx.text`, `rx.badge`, `rx.link` and the stacks are React components that work out their
class names from their props at every render, and every style prop becomes a CSS-in-JS
class. For a listing's 24 product tiles and its filter links that was about half of the
page's main-thread work on a phone (issue #19). These helpers render the very elements and
Radix class names those components render, so they look the same and cost a plain
element. Styles of their own go in `ui/theme.py` under a class name, never in props.
"""

from __future__ import annotations

from typing import Literal

import reflex as rx
from reflex_components_core.react_router.dom import ReactRouterLink

Children = rx.Component | rx.Var | str


def flex(
    *children: Children,
    direction: Literal["row", "column"] = "row",
    align: str = "",
    justify: str = "",
    wrap: bool = False,
    gap: str = "",
    class_name: str = "",
    **props: rx.Var | str,
) -> rx.Component:
    """A `div` laid out as Radix's `Flex` (`rx.hstack`/`rx.vstack`) would lay it out."""
    classes = ["rt-Flex"]
    if direction == "column":
        classes.append("rt-r-fd-column")
    if align:
        classes.append(f"rt-r-ai-{align}")
    if justify:
        classes.append(f"rt-r-jc-{justify}")
    if wrap:
        classes.append("rt-r-fw-wrap")
    if gap:
        classes.append(f"rt-r-gap-{gap}")
    return rx.el.div(*children, class_name=_joined(*classes, class_name), **props)


def card(*children: Children) -> rx.Component:
    """A `div` as Radix's `Card` (size 1, surface) draws it."""
    return rx.el.div(
        *children, class_name="rt-reset rt-BaseCard rt-Card rt-r-size-1 rt-variant-surface"
    )


def text(
    *children: Children,
    size: str = "",
    weight: str = "",
    accent: rx.Var[str] | str = "",
    class_name: str = "",
) -> rx.Component:
    """A paragraph as Radix's `Text` draws it (`accent` is its `color_scheme`)."""
    classes = _joined(
        "rt-Text",
        f"rt-r-size-{size}" if size else "",
        f"rt-r-weight-{weight}" if weight else "",
        class_name,
    )
    if isinstance(accent, str) and not accent:
        return rx.el.p(*children, class_name=classes)
    return rx.el.p(*children, class_name=classes, custom_attrs={"data-accent-color": accent})


def badge(
    label: rx.Var[str] | str,
    accent: rx.Var[str] | str,
    variant: Literal["soft", "solid"] = "soft",
    high_contrast: bool = False,
    class_name: str = "",
) -> rx.Component:
    """A span as Radix's `Badge` (size 1) draws it."""
    classes = _joined(
        "rt-reset rt-Badge rt-r-size-1",
        f"rt-variant-{variant}",
        "rt-high-contrast" if high_contrast else "",
        class_name,
    )
    return rx.el.span(label, class_name=classes, custom_attrs={"data-accent-color": accent})


def link(
    *children: Children,
    href: rx.Var[str] | str,
    size: str = "",
    weight: str = "",
    class_name: str = "",
    **props: rx.Var | str,
) -> rx.Component:
    """A client-side navigation link as Radix's `Link` draws it, never underlined (the
    caller's class says how it shows hover and focus)."""
    classes = _joined(
        "rt-Text rt-reset rt-Link",
        f"rt-r-size-{size}" if size else "",
        f"rt-r-weight-{weight}" if weight else "",
        "rt-underline-none",
        class_name,
    )
    return ReactRouterLink.create(*children, href=href, class_name=classes, **props)


def _joined(*classes: str) -> str:
    return " ".join(name for name in classes if name)
