"""The OpenAPI description and the app agree: same routes, same scopes, valid schemas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML
from starlette.routing import Route

from ospec.api_terms import SCOPES
from ospec.sandbox.app import create_app
from ospec.sandbox.config import Settings

from .conftest import OPENAPI, report

METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load(OPENAPI.read_text())
    return loaded


def app_routes(tmp: Path) -> dict[tuple[str, str], str]:
    """(METHOD, path) -> required scope, from the app object the server runs."""
    app = create_app(Settings(data_dir=tmp))  # no startup: the database is never opened
    found = {}
    for route in app.routes:
        assert isinstance(route, Route)
        for method in route.methods or ():
            if method == "HEAD":  # Starlette answers HEAD for every GET route by itself
                continue
            found[(method, route.path)] = route.endpoint.required_scope  # type: ignore[attr-defined]
    return found


def spec_routes(doc: dict[str, Any]) -> dict[tuple[str, str], str]:
    found = {}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                (requirement,) = op["security"]
                (scope,) = requirement["bearerAuth"]
                found[(method.upper(), path)] = scope
    return found


def test_routes_match_the_openapi_description(doc: dict[str, Any], tmp_path: Path) -> None:
    served, described = app_routes(tmp_path), spec_routes(doc)
    assert set(served) - set(described) == set(), "routes missing from the OpenAPI file"
    assert set(described) - set(served) == set(), "documented routes the app does not serve"
    report(f"{len(served)} routes match the OpenAPI description")


def test_scopes_match_the_openapi_description(doc: dict[str, Any], tmp_path: Path) -> None:
    assert app_routes(tmp_path) == spec_routes(doc)
    assert set(spec_routes(doc).values()) <= set(SCOPES)
    assert doc["components"]["schemas"]["Scope"]["enum"] == list(SCOPES)


def test_document_is_well_formed(doc: dict[str, Any]) -> None:
    assert doc["openapi"].startswith("3.1")
    ids = [
        op["operationId"]
        for item in doc["paths"].values()
        for method, op in item.items()
        if method in METHODS
    ]
    assert len(ids) == len(set(ids))
    for schema in doc["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    refs = list(_refs(doc))
    assert refs
    for ref in refs:
        node: Any = doc
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
    sandbox_only = [
        path for path, item in doc["paths"].items() if any(
            op.get("x-sandbox-only") for m, op in item.items() if m in METHODS
        )
    ]  # fmt: skip
    assert sandbox_only == ["/api/v1/_sandbox/faults"]


def _refs(node: Any) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)
