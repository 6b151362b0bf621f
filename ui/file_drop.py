"""A drop zone for files (product images, a CSV import) that names its file input."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.components.el.elements.forms import Input


def _file_input(component: rx.Component) -> rx.Component | None:
    for child in component.children:
        if isinstance(child, Input):
            return child
        found = _file_input(child) if isinstance(child, rx.Component) else None
        if found is not None:
            return found
    return None


def file_drop_zone(
    upload_id: str, *, label: str, hint: str, icon: str, **props: Any
) -> rx.Component:
    """Drop files here or click to choose; the chosen files' names are listed. The hidden
    file input gets `label` as its accessible name (react-dropzone renders it unnamed)."""
    zone: rx.Component = rx.upload(
        rx.vstack(
            rx.icon(icon, size=22),
            rx.text(hint, size="2"),
            rx.foreach(rx.selected_files(upload_id), lambda name: rx.text(name, size="1")),
            align="center",
            spacing="1",
        ),
        id=upload_id,
        border=f"1px dashed {rx.color('gray', 7)}",
        width="100%",
        cursor="pointer",
        **props,
    )
    file_input = _file_input(zone)
    if file_input is None:
        raise RuntimeError("rx.upload rendered no file input to name")
    file_input.custom_attrs["aria-label"] = label
    return zone
