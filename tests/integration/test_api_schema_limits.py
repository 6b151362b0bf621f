"""The API document carries the server's limits (#25 item 3), so a client generated from
it refuses what the server would refuse before sending it: every string a client sends
in a request body or a query parameter has a longest length, a closed list, a pattern or
a format; every array a most-items; every number-or-decimal-string amount its bounds and
the decimals the shop keeps. A route that adds an unbounded field fails here until it
gets its limit (or a reasoned entry on the list below)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from api.v1.app import build_api_v1

# Fields that truly carry no limit in the document, and why.
UNBOUNDED_ON_PURPOSE = {
    # The token route checks its own form so that every refusal, a too-long field too,
    # is an OAuth error (`invalid_request`) rather than a validation problem; a schema
    # limit would make generated clients refuse before the OAuth answer (accounts.py).
    "TokenRequest.grant_type",
    "TokenRequest.username",
    "TokenRequest.refresh_token",
    "TokenRequest.scope",
}

BOUNDED_STRING = ("maxLength", "enum", "const", "pattern", "format")


def _schemas(document: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    return schemas


def _unbounded(
    schema: dict[str, Any],
    where: str,
    schemas: dict[str, Any],
    inherited: dict[str, Any],
    seen: frozenset[str],
) -> Iterator[str]:
    """Where in `schema` a string has no bound or an array no most-items. `inherited`:
    the keywords of the schema around an anyOf/oneOf/allOf, which apply to its branches
    as well (JSON Schema: maxLength binds any string the value is)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from _unbounded(schemas[name], name, schemas, inherited, seen | {name})
        return
    here = {**inherited, **schema}
    branches = [b for key in ("anyOf", "oneOf", "allOf") for b in schema.get(key, [])]
    for branch in branches:
        yield from _unbounded(branch, where, schemas, here, seen)
    kind = schema.get("type")
    if kind == "string" and not any(key in here for key in BOUNDED_STRING):
        yield where
    if kind == "array":
        if "maxItems" not in here:
            yield f"{where} (maxItems)"
        yield from _unbounded(schema.get("items", {}), f"{where}[]", schemas, {}, seen)
    for name, field in schema.get("properties", {}).items():
        yield from _unbounded(field, f"{where}.{name}", schemas, {}, seen)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        yield from _unbounded(extra, f"{where}.*", schemas, {}, seen)


def unbounded_inputs(document: dict[str, Any]) -> set[str]:
    """Every request-body field and query parameter of the document without a limit."""
    schemas = _schemas(document)
    found: set[str] = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            name = f"{method.upper()} {path}"
            for content in operation.get("requestBody", {}).get("content", {}).values():
                found.update(
                    _unbounded(content["schema"], f"{name} body", schemas, {}, frozenset())
                )
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "query":
                    continue
                where = f"{name} ?{parameter['name']}"
                found.update(
                    _unbounded(parameter.get("schema", {}), where, schemas, {}, frozenset())
                )
    return found


def _amounts(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Every number-or-string value (a decimal amount) of the request bodies' schemas and
    the query parameters: where, its number branch, its string branch."""

    def visit(schema: dict[str, Any], where: str) -> Iterator[tuple[str, Any, Any]]:
        branches = schema.get("anyOf", [])
        number = next((b for b in branches if b.get("type") == "number"), None)
        string = next((b for b in branches if b.get("type") == "string"), None)
        if number is not None and string is not None:
            yield where, number, string
        for name, field in schema.get("properties", {}).items():
            yield from visit(field, f"{where}.{name}")

    for name, schema in _schemas(document).items():
        if name.endswith("-Output"):
            continue
        yield from visit(schema, name)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                where = f"{method.upper()} {path} ?{parameter['name']}"
                yield from visit(parameter.get("schema", {}), where)


class Note(BaseModel):
    """A body as a careless new route would declare it."""

    text: str
    tags: list[str]
    subtitle: str | None = None


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_api_v1().openapi()


def test_every_string_and_array_a_client_sends_has_its_limit(document: dict[str, Any]) -> None:
    found = unbounded_inputs(document)
    # Reported by schema name (shared bodies once) or by operation for inline ones.
    fields = {where.split(" body.", 1)[-1] if " body." in where else where for where in found}
    missing = sorted(fields - UNBOUNDED_ON_PURPOSE)
    assert not missing, (
        "These request fields have no maxLength/enum/pattern/format (strings) or "
        "maxItems (arrays) in the API document; give them the service's real limit, "
        f"or a reasoned entry in UNBOUNDED_ON_PURPOSE: {missing}"
    )


def test_the_list_of_unbounded_fields_has_no_stale_entries(document: dict[str, Any]) -> None:
    assert unbounded_inputs(document) >= UNBOUNDED_ON_PURPOSE


def test_a_new_unbounded_field_is_caught() -> None:
    """The walk finds a plain string, one in a list, an optional one and a list without
    a most-items, as a new route would add them."""

    app = FastAPI()

    @app.post("/notes")
    async def create(note: Note, q: str = "") -> None: ...

    assert unbounded_inputs(app.openapi()) == {
        "Note.text",
        "Note.tags (maxItems)",
        "Note.tags[]",
        "Note.subtitle",
        "POST /notes ?q",
    }


def test_amounts_have_their_bounds_and_the_decimals_the_shop_keeps(
    document: dict[str, Any],
) -> None:
    amounts = list(_amounts(document))
    names = {where for where, _, _ in amounts}
    # The money fields of the catalog, gift cards, shipping, promotions and taxes.
    for expected in (
        "ProductWrite.price",
        "VariantIn.price",
        "VariantPatch.compare_at_price",
        "VariantRowIn.price",
        "BulkPriceIn.percent",
        "IssueInput.amount",
        "PurchaseInput.amount",
        "AdjustInput.amount",
        "MethodInput.flat_price",
        "MethodInput.free_above",
        "BandInput.up_to",
        "BandInput.price",
        "PromotionInput.value",
        "PromotionInput.min_subtotal",
        "TaxRateInput.percent",
        "GET /products ?min_price",
        "GET /products ?max_price",
    ):
        assert expected in names, expected
    for where, number, string in amounts:
        assert "maximum" in number, where
        assert "minimum" in number or "exclusiveMinimum" in number, where
        assert "pattern" in string, where

    by_name = {where: (number, string) for where, number, string in amounts}
    price_number, price_string = by_name["ProductWrite.price"]
    assert price_number["maximum"] == 99999999.99  # NUMERIC(10, 2)
    assert price_number["minimum"] == 0
    price = re.compile(price_string["pattern"])
    for accepted in ("4.95", "10", "0.5", "99999999.99"):
        assert price.search(accepted), accepted
    for refused in ("4.955", "1e3", "-1", "123456789", "12,50", " 4.95"):
        assert not price.search(refused), refused

    card_number, _ = by_name["IssueInput.amount"]
    assert (card_number["minimum"], card_number["maximum"]) == (5, 1000)
    adjustment_number, adjustment_string = by_name["AdjustInput.amount"]
    assert adjustment_number["minimum"] == -1000
    assert re.search(adjustment_string["pattern"], "-5.50")
    _, rate_string = by_name["TaxRateInput.percent"]
    assert re.search(rate_string["pattern"], "19.125")  # NUMERIC(6, 3)
    assert not re.search(rate_string["pattern"], "1000")
    band_number, _ = by_name["BandInput.up_to"]
    assert band_number["exclusiveMinimum"] == 0


def test_limits_come_from_the_domains(document: dict[str, Any]) -> None:
    """A few of the limits, as the services hold them."""
    from backend.accounts import inputs as accounts
    from backend.catalog.inputs import SKU
    from backend.webhooks.event_types import WEBHOOK_EVENT_TYPES

    schemas = _schemas(document)

    def field(model: str, name: str) -> dict[str, Any]:
        found = schemas.get(model) or schemas[f"{model}-Input"]
        schema: dict[str, Any] = found["properties"][name]
        return next((b for b in schema.get("anyOf", []) if b.get("type") != "null"), schema)

    assert field("OrderCreate", "country")["pattern"] == "^[A-Z]{2}$"
    assert field("OrderCreate", "line1")["maxLength"] == accounts.LINE_MAX_LENGTH
    assert field("OrderCreate", "email")["maxLength"] == accounts.EMAIL_MAX_LENGTH == 254
    assert field("OrderCreate", "phone")["maxLength"] == accounts.MAX_PHONE_LENGTH
    assert field("RegistrationBody", "username")["maxLength"] == accounts.USERNAME_MAX_LENGTH
    assert field("ProductWrite", "sku")["pattern"] == SKU.pattern
    assert field("ProductWrite", "currency")["pattern"] == "^[A-Z]{3}$"
    operators = set(field("CollectionRule", "operator")["enum"])
    assert {"is", "is_not", "within", "below", "at_least", "equals", "within_days"} == operators
    endpoint = schemas["EndpointCreate"]["properties"]["event_types"]
    assert endpoint["maxItems"] == len(WEBHOOK_EVENT_TYPES)
    assert set(endpoint["items"]["enum"]) == set(WEBHOOK_EVENT_TYPES)


def test_each_decimal_form_the_services_take_still_passes() -> None:
    """The described forms are the ones clients send today: "4.95", "10" and 4.95."""
    from backend.catalog.inputs import ProductUpdate
    from backend.giftcards.inputs import AdjustInput
    from backend.shipping.inputs import BandInput

    for sent in ("4.95", "10", 4.95, 10):
        assert ProductUpdate(price=sent).price == Decimal(str(sent))
        assert BandInput(price=sent).price == Decimal(str(sent))
        assert AdjustInput(amount=sent, note="x").amount == Decimal(str(sent))
