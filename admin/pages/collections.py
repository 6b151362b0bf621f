"""Admin collections: the list with each one's status, products and place on the home
page, and the editor. A hand-picked collection's products are searched, added and put in
order; a rule-based one's rules are built row by row, with the number of products they
match now recounted at every change. Admins only; the merchandising services check the
role again and write the audit log."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import reflex as rx

from admin.components.catalog_pickers import Choice, category_choices
from admin.state import AdminState
from backend.accounts.permissions import Permission
from backend.catalog import queries as catalog
from backend.catalog.category_queries import get_category_tree
from backend.catalog.staff_table import StaffProductQuery, list_products_for_staff
from backend.core.clock import moment_from_wall_clock, wall_clock_text
from backend.core.errors import DomainError
from backend.merchandising import queries as collections
from backend.merchandising import services
from backend.merchandising.queries import CollectionView
from backend.merchandising.rules import OPERATORS, CollectionRule, Match
from backend.shop_settings.values import store_settings

MAX_HITS = 8
FIELD_LABELS = {
    "brand": "Brand",
    "category": "Category",
    "price": "Price",
    "attribute": "Attribute or option",
    "created": "Added",
    "on_sale": "On sale",
}
OPERATOR_LABELS = {
    "is": "is",
    "is_not": "is not",
    "within": "is within",
    "below": "is below",
    "at_least": "is at least",
    "equals": "equals",
    "within_days": "in the last (days)",
}
STATUS_LABELS = {"scheduled": "Scheduled", "active": "Active", "ended": "Ended"}


@dataclasses.dataclass(frozen=True)
class CollectionListRow:
    id: str
    title: str
    url: str
    kind: str  # "Hand-picked" / "Rule-based"
    rules: str
    products: int
    status: str
    home: str  # "1st" … or "—"


@dataclasses.dataclass(frozen=True)
class RuleRow:
    field: str
    operator: str
    value: str = ""
    name: str = ""
    operators: list[Choice] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class PickedProduct:
    id: str
    name: str
    sku: str


def _rule_row(field: str, operator: str = "", value: str = "", name: str = "") -> RuleRow:
    operators = OPERATORS[field]
    return RuleRow(
        field=field,
        operator=operator if operator in operators else operators[0],
        value=value,
        name=name,
        operators=[Choice(op, OPERATOR_LABELS[op]) for op in operators],
    )


def _moment(text: str, zone: ZoneInfo) -> str | None:
    """A datetime-local input's value, typed in the shop's zone, in ISO form for the
    service (which names what is no date and time)."""
    try:
        moment = moment_from_wall_clock(text[:25], zone)
    except ValueError:
        return text[:25]
    return moment.isoformat() if moment else None


def _ordinal(position: int) -> str:
    return f"{position + 1}."


class CollectionsState(AdminState):
    permission: ClassVar[Permission] = Permission.CATALOG

    rows: list[CollectionListRow] = []
    editing: bool = False
    editing_id: str = ""  # "" while creating one
    values: dict[str, str] = {}
    kind: str = "manual"
    match: str = "all"
    rules: list[RuleRow] = []
    picked: list[PickedProduct] = []
    dragged: int = -1  # the picked product a drag started on (-1: none)
    hits: list[PickedProduct] = []
    matching: str = ""
    time_zone: str = "UTC"  # the shop's, which the dates are typed and read in
    categories: list[Choice] = []
    errors: dict[str, str] = {}
    message: str = ""
    done: str = ""
    form_version: int = 0

    async def _reload(self) -> None:
        self.rows = [
            CollectionListRow(
                id=str(row.collection.id),
                title=row.collection.title,
                url=row.collection.path,
                kind="Hand-picked" if row.collection.kind == "manual" else "Rule-based",
                rules=row.rules_text,
                products=row.product_count,
                status=STATUS_LABELS[row.status],
                home=(
                    "—"
                    if row.collection.home_position is None
                    else _ordinal(row.collection.home_position)
                ),
            )
            for row in await collections.list_collections(self.staff_viewer)
        ]

    @rx.event
    async def load(self) -> None:
        self.errors, self.message, self.done, self.editing = {}, "", "", False
        self.categories = category_choices(await get_category_tree())
        self.time_zone = (await store_settings()).time_zone
        await self._reload()

    async def _open(self, view: CollectionView | None) -> None:
        zone = (await store_settings()).zone
        self.editing, self.errors, self.message, self.done = True, {}, "", ""
        self.editing_id = str(view.id) if view else ""
        self.values = {
            "title": view.title if view else "",
            "slug": view.slug if view else "",
            "description": view.description if view else "",
            "image_url": (view.image_url or "") if view else "",
            "starts_at": wall_clock_text(view.starts_at if view else None, zone),
            "ends_at": wall_clock_text(view.ends_at if view else None, zone),
            "home_position": (
                "" if view is None or view.home_position is None else str(view.home_position + 1)
            ),
        }
        self.kind = view.kind if view else "manual"
        self.match = view.match if view else "all"
        self.rules = [
            _rule_row(rule.field, rule.operator, rule.value, rule.name)
            for rule in (view.rules if view else ())
        ]
        self.hits, self.matching = [], ""
        self.form_version += 1

    @rx.event
    async def new(self) -> None:
        await self._open(None)
        self.picked = []

    @rx.event
    async def edit(self, collection_id: str) -> None:
        try:
            view = await collections.get_collection(
                uuid.UUID(str(collection_id)), actor=self.staff_viewer
            )
        except (ValueError, DomainError):
            self.message = "That collection no longer exists."
            return
        await self._open(view)
        summaries = await catalog.get_product_summaries(list(view.product_ids))
        self.picked = [
            PickedProduct(id=str(pid), name=summaries[pid].name, sku=summaries[pid].sku)
            for pid in view.product_ids
            if pid in summaries
        ]
        await self._recount()

    @rx.event
    def cancel(self) -> None:
        self.editing, self.errors, self.message = False, {}, ""

    # --- kind, rules and the live count ---------------------------------------------------

    @rx.event
    async def set_kind(self, kind: str) -> None:
        self.kind = "rules" if kind == "rules" else "manual"
        if self.kind == "rules" and not self.rules:
            self.rules = [_rule_row("brand")]
        await self._recount()

    @rx.event
    async def set_match(self, match: str) -> None:
        self.match = "any" if match == "any" else "all"
        await self._recount()

    @rx.event
    async def add_rule(self) -> None:
        if len(self.rules) < 10:
            self.rules = [*self.rules, _rule_row("brand")]
        await self._recount()

    @rx.event
    async def remove_rule(self, index: int) -> None:
        self.rules = [rule for i, rule in enumerate(self.rules) if i != int(index)]
        await self._recount()

    async def _change_rule(self, index: int, **changes: str) -> None:
        index = int(index)
        if not 0 <= index < len(self.rules):
            return
        current = self.rules[index]
        fields = {
            "field": current.field,
            "operator": current.operator,
            "value": current.value,
            "name": current.name,
        }
        fields.update({key: str(value)[:100] for key, value in changes.items()})
        if fields["field"] not in OPERATORS:
            return
        if fields["field"] != current.field:  # a new kind of condition starts empty
            fields["value"], fields["name"], fields["operator"] = "", "", ""
        self.rules = [
            _rule_row(**fields) if i == index else rule for i, rule in enumerate(self.rules)
        ]
        await self._recount()

    @rx.event
    async def set_rule_field(self, index: int, field: str) -> None:
        await self._change_rule(index, field=field)

    @rx.event
    async def set_rule_operator(self, index: int, operator: str) -> None:
        await self._change_rule(index, operator=operator)

    @rx.event
    async def set_rule_value(self, index: int, value: str) -> None:
        await self._change_rule(index, value=value)

    @rx.event
    async def set_rule_name(self, index: int, name: str) -> None:
        await self._change_rule(index, name=name)

    def _rule_data(self) -> list[dict[str, str]]:
        return [
            {"field": r.field, "operator": r.operator, "value": r.value, "name": r.name}
            for r in self.rules
        ]

    async def _recount(self) -> None:
        if self.kind != "rules":
            self.matching = ""
            return
        try:
            rules = [CollectionRule.model_validate(rule) for rule in self._rule_data()]
        except ValueError:
            self.matching = "Complete the rules to see how many products match."
            return
        if not rules:
            self.matching = "Add a rule."
            return
        match: Match = "any" if self.match == "any" else "all"
        count = await collections.count_matching(rules, match, actor=self.staff_viewer)
        self.matching = f"{count} active product{'' if count == 1 else 's'} match now."

    # --- hand-picked products ---------------------------------------------------------------

    @rx.event
    async def search_products(self, text: str) -> None:
        text = str(text).strip()[:100]
        if len(text) < 2:
            self.hits = []
            return
        page = await list_products_for_staff(StaffProductQuery(text=text), limit=MAX_HITS)
        chosen = {product.id for product in self.picked}
        self.hits = [
            PickedProduct(id=str(item.id), name=item.name, sku=item.sku)
            for item in page.items
            if str(item.id) not in chosen
        ]

    @rx.event
    def add_product(self, product_id: str) -> None:
        hit = next((h for h in self.hits if h.id == str(product_id)), None)
        if hit is not None and len(self.picked) < 500:
            self.picked = [*self.picked, hit]
            self.hits = [h for h in self.hits if h.id != hit.id]

    @rx.event
    def move_product(self, index: int, offset: int) -> None:
        index, target = int(index), int(index) + int(offset)
        if 0 <= index < len(self.picked) and 0 <= target < len(self.picked):
            picked = list(self.picked)
            picked[index], picked[target] = picked[target], picked[index]
            self.picked = picked

    @rx.event
    def pick_up_product(self, index: int) -> None:
        """A drag of the product at `index` started (the mouse's way to reorder)."""
        self.dragged = int(index) if 0 <= int(index) < len(self.picked) else -1

    @rx.event
    def put_down_product(self, index: int) -> None:
        """The dragged product was dropped on the one at `index`: it takes that place."""
        source, target = self.dragged, int(index)
        self.dragged = -1
        if 0 <= source < len(self.picked) and 0 <= target < len(self.picked):
            picked = list(self.picked)
            picked.insert(target, picked.pop(source))
            self.picked = picked

    @rx.event
    def remove_product(self, index: int) -> None:
        self.picked = [p for i, p in enumerate(self.picked) if i != int(index)]

    # --- saving -------------------------------------------------------------------------------

    @rx.event
    async def save(self, form_data: dict[str, Any]) -> None:
        self.errors, self.message, self.done = {}, "", ""
        fields = {key: str(form_data.get(key) or "") for key in self.values}
        self.values = {key: value[:5000] for key, value in fields.items()}
        position = fields["home_position"].strip()
        zone = (await store_settings()).zone
        data: dict[str, Any] = {
            "title": fields["title"][:200],
            "slug": fields["slug"][:200],
            "description": fields["description"][:5000],
            "image_url": fields["image_url"][:2000],
            "kind": self.kind,
            "match": self.match,
            "rules": self._rule_data() if self.kind == "rules" else [],
            "product_ids": [p.id for p in self.picked] if self.kind == "manual" else [],
            "starts_at": _moment(fields["starts_at"], zone),
            "ends_at": _moment(fields["ends_at"], zone),
            "home_position": None,
        }
        if position:
            if not (position.isascii() and position.isdigit() and 1 <= int(position) <= 1000):
                self.errors = {"home_position": "A place from 1 to 1000, or empty."}
                return
            data["home_position"] = int(position) - 1
        existing = uuid.UUID(self.editing_id) if self.editing_id else None
        try:
            await services.save_collection(existing, data, actor=self.staff_viewer)
        except DomainError as error:
            self.errors = dict(getattr(error, "field_errors", {}) or {})
            general = self.errors.pop("form", "")
            self.message = general or error.message
            return
        self.done = f"“{data['title'].strip()}” saved."
        self.editing = False
        await self._reload()

    @rx.event
    async def delete(self, collection_id: str) -> None:
        self.message, self.done = "", ""
        try:
            await services.delete_collection(uuid.UUID(str(collection_id)), actor=self.staff_viewer)
        except (ValueError, DomainError):
            self.message = "That collection no longer exists."
        else:
            self.done = "Collection deleted; its products stay in the catalog."
            self.editing = False
        await self._reload()
