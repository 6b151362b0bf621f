"""Input validation at the edge: pydantic models in, one `InvalidInputError` with a clear
message per field out (the same for UI forms and API bodies).

Rules every edge shares (the REST API's routes, Reflex event handlers, forms, CSV files):

- No NUL character in any string: PostgreSQL text cannot hold one, so a NUL that got
  through would fail deep in a query as a 500. `NulFreeStr` is the annotated type for
  model fields; `refuse_nul_anywhere` checks a whole payload (nested dicts and lists, keys
  too) and names the first field that holds one.
- Addresses the shop stores and renders later (images, links) are absolute `https://`
  URLs: `https_url_problem` says what is wrong with one, or None.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ValidationError, WithJsonSchema

from backend.core.errors import InvalidInputError

ModelT = TypeVar("ModelT", bound=BaseModel)

NUL = "\x00"
NUL_MESSAGE = "Must not contain a NUL character (\\0)."
MAX_URL_LENGTH = 2000

_PREFIXES = ("Value error, ", "Assertion failed, ")


def refuse_nul(value: str) -> str:
    if NUL in value:
        raise ValueError(NUL_MESSAGE)
    return value


# A str field that refuses NUL characters; `NO_NUL` goes last in an Annotated that also
# has StringConstraints (after them, or pydantic skips their length checks).
NO_NUL = AfterValidator(refuse_nul)
NulFreeStr = Annotated[str, NO_NUL]


def text_input_schema(
    max_length: int, *, pattern: str | None = None, format: str | None = None
) -> WithJsonSchema:
    """How a text input whose rules a validator of the model checks (trimming, case,
    its own message) is described to API clients: its longest length and, where the
    rule is a form, the canonical form as a pattern. Only describes, like
    `decimal_input_schema`."""
    schema: dict[str, Any] = {"type": "string", "maxLength": max_length}
    if pattern is not None:
        schema["pattern"] = pattern
    if format is not None:
        schema["format"] = format
    # Both modes: a model that is also answered (the store settings) keeps one schema.
    return WithJsonSchema(schema)


def choice_input_schema(choices: Iterable[str]) -> WithJsonSchema:
    """A text input that is one of `choices` (a validator of the model says which fit),
    described to API clients as that closed list."""
    return WithJsonSchema({"type": "string", "enum": sorted(set(choices))})


def decimal_input_schema(
    minimum: Decimal, maximum: Decimal, *, places: int = 2, above_minimum: bool = False
) -> WithJsonSchema:
    """How a decimal input (money, a percentage, a weight) is described to API clients: a
    JSON number within the bounds, or a plain decimal string ("12.50", "-5") with at most
    `places` decimals and as many whole digits as `maximum` has. It only describes: the
    field's own validators keep checking (and their messages), so annotate the Decimal
    with this and keep its rules. `above_minimum`: the minimum itself is refused."""
    whole_digits = len(str(int(abs(maximum))))
    sign = "-?" if minimum < 0 else ""
    fraction = rf"(\.\d{{1,{places}}})?" if places else ""
    number: dict[str, Any] = {"type": "number", "maximum": float(maximum)}
    number["exclusiveMinimum" if above_minimum else "minimum"] = float(minimum)
    string = {"type": "string", "pattern": rf"^{sign}\d{{1,{whole_digits}}}{fraction}$"}
    return WithJsonSchema({"anyOf": [number, string]}, mode="validation")


def nul_location(
    data: object, location: tuple[str | int, ...] = ()
) -> tuple[str | int, ...] | None:
    """Where the first string holding a NUL is in `data` (a key counts as its own place),
    or None. `()` is `data` itself."""
    if isinstance(data, str):
        return location if NUL in data else None
    if isinstance(data, Mapping):
        for key, value in data.items():
            if isinstance(key, str) and NUL in key:
                return (*location, key)
            found = nul_location(value, (*location, key))
            if found is not None:
                return found
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            found = nul_location(value, (*location, index))
            if found is not None:
                return found
    return None


def field_name(location: tuple[str | int, ...]) -> str:
    """("attributes", "colour") → "attributes.colour"; () → "form"."""
    return ".".join(str(part).replace(NUL, "\\0") for part in location) or "form"


def refuse_nul_anywhere(data: object, *, within: tuple[str | int, ...] = ()) -> None:
    """Raises InvalidInputError naming the first field of `data` that holds a NUL."""
    found = nul_location(data, within)
    if found is not None:
        field = field_name(found)
        raise InvalidInputError(
            f"“{field}” contains a NUL character (\\0), which cannot be stored.",
            {field: NUL_MESSAGE},
        )


def https_url_problem(url: str) -> str | None:
    """What keeps `url` from being an address the shop may store and render later (an
    absolute https:// URL with a host and no credentials), or None when it is one."""
    if len(url) > MAX_URL_LENGTH:
        return f"Use an address of at most {MAX_URL_LENGTH} characters."
    if NUL in url or any(character.isspace() for character in url):
        return "An address cannot contain spaces or control characters."
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        _ = parts.port  # a malformed port raises here
    except ValueError:
        return "This is not a valid address."
    if parts.scheme.lower() != "https" or not hostname:
        return "Use an https:// address."
    if parts.username or parts.password:
        return "Leave credentials out of the address."
    return None


def _readable(message: str) -> str:
    for prefix in _PREFIXES:
        if message.startswith(prefix):
            message = message[len(prefix) :]
    return message[:1].upper() + message[1:]


def field_errors(error: ValidationError) -> dict[str, str]:
    """The first problem of each field, as a sentence a person can act on."""
    problems: dict[str, str] = {}
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "form"
        problems.setdefault(field, _readable(item["msg"]))
    return problems


def parse_input(model: type[ModelT], data: dict[str, Any]) -> ModelT:
    refuse_nul_anywhere(data)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise InvalidInputError(
            "Please correct the highlighted fields.", field_errors(error)
        ) from error
