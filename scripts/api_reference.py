"""Write docs/api-reference.md from the API's own OpenAPI document.

    .venv/bin/python scripts/api_reference.py          # rewrite the page
    .venv/bin/python scripts/api_reference.py --check  # exit 1 if it is out of date

The page is generated, never edited by hand; a test fails when a route changed and the
page was not written again.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from api.v1.app import build_api_v1  # noqa: E402  # the project on the path first

PAGE = PROJECT_ROOT / "docs" / "api-reference.md"
METHODS = ("get", "post", "put", "patch", "delete")


def _anchor(text: str) -> str:
    kept = "".join(char for char in text.lower() if char.isalnum() or char in " -_")
    return kept.replace(" ", "-")


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _type_of(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        name = schema["$ref"].rpartition("/")[2]
        return f"[{name}](#{_anchor(name)})"
    if "anyOf" in schema:
        kinds = [_type_of(option) for option in schema["anyOf"]]
        named = " or ".join(kind for kind in kinds if kind != "null")
        return named + (" or null" if "null" in kinds else "")
    if "enum" in schema or "const" in schema:
        values = schema.get("enum", [schema.get("const")])
        return "one of " + ", ".join(f"`{value}`" for value in values)
    return _plain_type_of(schema)


def _plain_type_of(schema: dict[str, Any]) -> str:
    kind = schema.get("type", "object")
    if kind == "array":
        return f"list of {_type_of(schema.get('items', {}))}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"map of {_type_of(schema['additionalProperties'])}"
    return str(kind) + (f" ({schema['format']})" if "format" in schema else "")


def _limits(schema: dict[str, Any]) -> str:
    words = {
        "minLength": "at least {} characters",
        "maxLength": "at most {} characters",
        "minimum": "≥ {}",
        "maximum": "≤ {}",
        "exclusiveMinimum": "> {}",
        "exclusiveMaximum": "< {}",
        "minItems": "at least {} items",
        "maxItems": "at most {} items",
        "pattern": "matches `{}`",
    }
    found = [text.format(schema[key]) for key, text in words.items() if key in schema]
    for option in schema.get("anyOf", []):
        found.extend(text.format(option[key]) for key, text in words.items() if key in option)
    if "default" in schema:
        found.append(f"default `{schema['default']}`")
    return "; ".join(found)


def _operation(lines: list[str], method: str, path: str, operation: dict[str, Any]) -> None:
    lines.append(f"### `{method.upper()} {path}`")
    lines.append("")
    lines.append(f"**{operation.get('summary', '')}** (`{operation['operationId']}`)")
    lines.append("")
    if operation.get("description"):
        lines.extend([operation["description"].strip(), ""])
    # Every read takes If-None-Match and may answer 304: said once, at the top.
    parameters = [p for p in operation.get("parameters", []) if p["name"] != "If-None-Match"]
    if parameters:
        lines.append("| parameter | in | type | required | limits | description |")
        lines.append("|---|---|---|---|---|---|")
        for parameter in parameters:
            schema = parameter.get("schema", {})
            lines.append(
                f"| `{parameter['name']}` | {parameter['in']} | {_cell(_type_of(schema))} "
                f"| {'yes' if parameter.get('required') else 'no'} | {_cell(_limits(schema))} "
                f"| {_cell(parameter.get('description', schema.get('description', '')))} |"
            )
        lines.append("")
    body = operation.get("requestBody")
    if body:
        kinds = ", ".join(
            f"`{media}` {_type_of(content.get('schema', {}))}"
            for media, content in body.get("content", {}).items()
        )
        lines.extend([f"Body: {kinds}", ""])
    lines.append("| status | meaning | body |")
    lines.append("|---|---|---|")
    for status, response in sorted(operation.get("responses", {}).items()):
        if status == "304":
            continue
        content = response.get("content", {})
        shown = ", ".join(
            f"`{media}` {_type_of(item.get('schema', {}))}" for media, item in content.items()
        )
        lines.append(f"| {status} | {_cell(response.get('description', ''))} | {_cell(shown)} |")
    lines.append("")


def _schema(lines: list[str], name: str, schema: dict[str, Any]) -> None:
    lines.append(f"### {name}")
    lines.append("")
    if schema.get("description"):
        lines.extend([_cell(schema["description"]), ""])
    properties = schema.get("properties", {})
    if not properties:
        lines.extend([f"{_type_of(schema)}", ""])
        return
    required = set(schema.get("required", []))
    lines.append("| field | type | required | limits | description |")
    lines.append("|---|---|---|---|---|")
    for field, spec in properties.items():
        lines.append(
            f"| `{field}` | {_cell(_type_of(spec))} | {'yes' if field in required else 'no'} "
            f"| {_cell(_limits(spec))} | {_cell(spec.get('description', ''))} |"
        )
    lines.append("")


def render(document: dict[str, Any]) -> str:
    by_tag: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, operations in document["paths"].items():
        for method in METHODS:
            if method in operations:
                operation = operations[method]
                tag = (operation.get("tags") or ["other"])[0]
                by_tag.setdefault(tag, []).append((method, path, operation))
    info = document["info"]
    lines = [
        f"# {info['title']} reference (version {info['version']})",
        "",
        "Generated from `/api/v1/openapi.json` by `scripts/api_reference.py`: do not edit.",
        "Paths are under `/api/v1`. Interactive docs: `/api/v1/docs`. How to build a client:",
        "the README's *Build a client* section.",
        "",
        info.get("description", "").strip(),
        "",
        "Every read (GET) answers with an `ETag`; send it back as `If-None-Match` to get an",
        "empty 304 while the answer is unchanged. Every write takes an `Idempotency-Key`.",
        "Each operation's **Access** line says who may call it (staff: which permission).",
        "",
        "## Contents",
        "",
    ]
    for tag in sorted(by_tag):
        lines.append(f"- [{tag}](#{_anchor(tag)}) ({len(by_tag[tag])} operations)")
    lines.extend(["- [Schemas](#schemas)", ""])
    for tag in sorted(by_tag):
        lines.extend([f"## {tag}", ""])
        for method, path, operation in by_tag[tag]:
            _operation(lines, method, path, operation)
    lines.extend(["## Schemas", ""])
    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        _schema(lines, name, schema)
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    arguments = parser.parse_args()
    page = render(build_api_v1().openapi())
    if arguments.check:
        current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
        if current != page:
            print(f"{PAGE} is out of date: run .venv/bin/python scripts/api_reference.py")
            return 1
        return 0
    PAGE.write_text(page, encoding="utf-8")
    print(f"wrote {PAGE.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
