"""Category and brand choices for the admin's filters and forms."""

from __future__ import annotations

import dataclasses
import uuid

import reflex as rx

from backend.catalog.schemas import CategoryTree

# Radix selects cannot hold an empty value: this stands for "any" / "none".
ANY = "all"


@dataclasses.dataclass(frozen=True)
class Choice:
    value: str
    label: str


def category_choices(tree: CategoryTree) -> list[Choice]:
    """Every category, each parent followed by its children, indented by depth."""
    choices: list[Choice] = []

    def walk(parent_id: uuid.UUID | None, depth: int) -> None:
        for node in tree.children(parent_id):
            choices.append(Choice(value=str(node.id), label="\u2003" * depth + node.name))
            walk(node.id, depth + 1)

    walk(None, 0)
    return choices


def choice_select(
    choices: rx.Var[list[Choice]],
    *,
    label: str,
    value: rx.Var[str] | str | None = None,
    on_change: rx.EventHandler | None = None,
    name: str | None = None,
    default_value: rx.Var[str] | str | None = None,
    any_label: str = "",
    width: str = "100%",
) -> rx.Component:
    """A select over `choices`, with an optional first "any" entry."""
    props: dict[str, object] = {}
    if value is not None:
        props["value"] = value
    if on_change is not None:
        props["on_change"] = on_change
    if name is not None:
        props["name"] = name
    if default_value is not None:
        props["default_value"] = default_value
    return rx.select.root(
        rx.select.trigger(aria_label=label, width=width),
        rx.select.content(
            *([rx.select.item(any_label, value=ANY)] if any_label else []),
            rx.foreach(choices, lambda choice: rx.select.item(choice.label, value=choice.value)),
        ),
        **props,
    )
