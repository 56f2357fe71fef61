"""Files shipped inside the package: our JSON Schemas and example specs (edge: reads them)."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

SPEC_SCHEMA = "ospec-1.0.schema.json"
CONFIG_SCHEMA = "ospec-config.schema.json"


def schema_dir() -> Traversable:
    """The bundled copy of the repository's schema/ folder."""
    return files("ospec") / "schema"


@cache
def load_schema(name: str = SPEC_SCHEMA) -> dict[str, Any]:
    return json.loads((schema_dir() / name).read_text(encoding="utf-8"))
