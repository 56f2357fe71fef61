"""Template placeholders inside string values: {{ ... }} and ${ ... } (core)."""

from __future__ import annotations

import re

PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\$\{[^}]*\}", re.DOTALL)
SECRET_REF = re.compile(r"\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def has_placeholder(value: object) -> bool:
    return isinstance(value, str) and PLACEHOLDER.search(value) is not None
