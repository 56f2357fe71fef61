"""Write small values as YAML text, for inserted skeletons and quick fixes (core)."""

from __future__ import annotations

import re
from typing import Any

_PLAIN_OK = re.compile(r"^[A-Za-z_/][\w./@ +-]*$")
_NOT_TEXT = re.compile(
    r"^(?:[-+]?(?:\d[\d_]*(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+|0x[0-9a-fA-F]+|0o[0-7]+|\.inf|\.nan)"
    r"|true|false|True|False|TRUE|FALSE|null|Null|NULL|~|\d{4}-\d\d-\d\d.*)$"
)


def yaml_scalar(value: Any) -> str:
    """value as YAML text, quoted only when YAML would read it as something else."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if not isinstance(value, str):
        return str(value)
    if value and _PLAIN_OK.match(value) and not _NOT_TEXT.match(value) and not value.endswith(" "):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def after_key(value: Any, indent: int) -> str:
    """The text that follows `key:` for value, in block style, for a key at column indent."""
    pad = " " * (indent + 2)
    if isinstance(value, dict) and value:
        return "".join(f"\n{pad}{k}:{after_key(v, indent + 2)}" for k, v in value.items())
    if isinstance(value, list) and value:
        out = []
        for item in value:
            body = after_key(item, indent + 2)
            # "- " takes the place of the item's own first-line indentation.
            out.append(
                f"\n{pad}- {body.lstrip()}"
                if not isinstance(item, (dict, list))
                else f"\n{pad}- {body.lstrip(chr(10)).lstrip()}"
            )
        return "".join(out)
    if isinstance(value, dict):
        return " {}"
    if isinstance(value, list):
        return " []"
    return f" {yaml_scalar(value)}"
