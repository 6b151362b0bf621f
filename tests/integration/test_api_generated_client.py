"""A client generated from /api/v1/openapi.json (openapi-python-client) covers every
operation of the API, with a typed function per operation named after it."""

from __future__ import annotations

import importlib
from types import ModuleType

from api.v1.app import build_api_v1


def test_the_generated_client_has_a_function_for_every_operation(
    generated_client: ModuleType,
) -> None:
    document = build_api_v1().openapi()
    for operations in document["paths"].values():
        for operation in operations.values():
            tag = operation["tags"][0].replace("-", "_").replace(" ", "_")
            module = importlib.import_module(
                f"{generated_client.__name__}.api.{tag}.{operation['operationId']}"
            )
            assert callable(module.asyncio_detailed), operation["operationId"]


def test_operation_ids_and_model_names_are_unique() -> None:
    """A generated client names a function per operationId and a class per schema title:
    two of a name would leave one out."""
    document = build_api_v1().openapi()
    operation_ids = [
        operation["operationId"]
        for operations in document["paths"].values()
        for operation in operations.values()
    ]
    titles = [
        schema.get("title", name) for name, schema in document["components"]["schemas"].items()
    ]
    assert sorted(set(operation_ids)) == sorted(operation_ids)
    assert sorted(set(titles)) == sorted(titles)
