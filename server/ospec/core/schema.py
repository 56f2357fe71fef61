"""Our JSON Schema in its two profiles, plus lookups of the subschema at a data path (core).

The schema document holds the `default` profile. Properties that only the default profile
knows (the documented "docs superset") carry `"x-ospec-profile": "default"`; the `strict`
profile is the same document with those properties removed, which makes it agree with the
upstream schema's verdicts.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.validators import validator_for

PROFILES = ("default", "strict")
PROFILE_MARK = "x-ospec-profile"

JsonSchema = dict[str, Any]


def strict_of(schema: JsonSchema) -> JsonSchema:
    """A copy of schema without the default-profile-only properties."""
    out = copy.deepcopy(schema)
    stack: list[Any] = [out]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict):
                for name in [
                    k for k, v in props.items() if isinstance(v, dict) and v.get(PROFILE_MARK)
                ]:
                    del props[name]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return out


class SpecSchema:
    """One profile of the schema: a ready validator and path lookups for hover and completion."""

    def __init__(self, schema: JsonSchema, profile: str) -> None:
        self.profile = profile
        self.schema = schema
        cls = validator_for(schema, default=Draft7Validator)  # the draft the file declares
        self.validator = cls(schema, format_checker=cls.FORMAT_CHECKER)

    @classmethod
    def profiles(cls, schema: JsonSchema) -> dict[str, SpecSchema]:
        validator_for(schema, default=Draft7Validator).check_schema(schema)
        return {"default": cls(schema, "default"), "strict": cls(strict_of(schema), "strict")}

    def at(self, path: Sequence[str | int]) -> JsonSchema | None:
        """The subschema describing the value at a data path, or None if the schema has none."""
        node: JsonSchema | None = self.schema
        for part in path:
            if node is None:
                return None
            node = child_schema(node, part)
        return node


def child_schema(schema: JsonSchema, part: str | int) -> JsonSchema | None:
    """The schema of one key or list item inside a value described by schema."""
    if isinstance(part, int):
        items = schema.get("items")
        return items if isinstance(items, dict) else None
    props = schema.get("properties") or {}
    if part in props:
        return props[part]
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, dict) else None
