"""Completion items from the schema and the document: keys, values, ids, secrets, files (core).

Nothing here lists keys by hand: every key and value comes from the schema or the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .cursor import CursorContext, locate
from .model import Pos, Span
from .rules import declared_secrets, file_stem, tasks_of
from .schema import JsonSchema, SpecSchema
from .yamldoc import Mapping, ParsedDocument

_PLACEHOLDER = re.compile(r"\{\{\s*(secrets|ospec)\.([\w.]*)$")
_PLAIN_OK = re.compile(r"^[A-Za-z_/][\w./@ +-]*$")
_NOT_TEXT = re.compile(
    r"^(?:[-+]?(?:\d[\d_]*(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+|0x[0-9a-fA-F]+|0o[0-7]+|\.inf|\.nan)"
    r"|true|false|True|False|TRUE|FALSE|null|Null|NULL|~|\d{4}-\d\d-\d\d.*)$"
)
FILE_SUFFIXES = {"prompts": (".md", ".txt"), "scripts": (".sh", ".py", ".js", ".ts", ".rb", ".pl")}


@dataclass(frozen=True, slots=True)
class Completion:
    label: str
    kind: str  # key | value | enum | reference | secret | file | snippet
    text: str
    replace: Span
    detail: str = ""
    documentation: str = ""
    snippet: bool = False
    sort: str = ""


@dataclass(frozen=True, slots=True)
class Env:
    """What completion may use besides the text: the parse, the file name, the folder."""

    tree: ParsedDocument | None = None
    filename: str | None = None
    # Files next to the spec (relative paths), for prompts and scripts values.
    list_files: Callable[[], Iterable[str]] | None = None
    snippets: bool = True


def complete(lines: list[str], pos: Pos, schema: SpecSchema, env: Env) -> list[Completion]:
    if not any(line.strip() and not line.lstrip().startswith("#") for line in lines):
        return [_skeleton(schema, env, Span(pos, pos))]
    line = lines[pos.line] if pos.line < len(lines) else ""
    placeholder = _PLACEHOLDER.search(line[: pos.col])
    if placeholder:
        return _placeholder_items(placeholder, pos, env)
    ctx = locate(lines, pos)
    sub = schema.at(ctx.path)
    if sub is None:
        return []
    if ctx.kind == "key" and _is_object(sub):
        return _keys(ctx, sub, env)
    return _values(ctx, sub, env)


# -- keys -------------------------------------------------------------------------------------


def _keys(ctx: CursorContext, sub: JsonSchema, env: Env) -> list[Completion]:
    required = set(sub.get("required", []))
    out = []
    for name, prop in (sub.get("properties") or {}).items():
        if name in ctx.present:
            continue
        text, snippet = _key_text(name, prop, ctx.indent, env.snippets, ctx.in_flow)
        out.append(
            Completion(
                label=name,
                kind="key",
                text=text,
                replace=ctx.replace,
                detail=("required · " if name in required else "") + _type_label(prop),
                documentation=_doc(prop),
                snippet=snippet,
                sort=("0" if name in required else "1") + name,
            )
        )
    return out


def _key_text(
    name: str, prop: JsonSchema, indent: int, snippets: bool, flow: bool
) -> tuple[str, bool]:
    if flow:
        return f"{name}: ", False
    body, used = _value_skeleton(prop, indent, snippets, [0])
    return f"{name}:{body}", snippets and used


def _value_skeleton(
    prop: JsonSchema, indent: int, snippets: bool, stops: list[int]
) -> tuple[str, bool]:
    """Text after `key:` that starts a sensible value: a scalar stop, a sub-mapping or a list."""
    pad = " " * (indent + 2)
    if _is_object(prop) and prop.get("required"):
        lines = []
        for req in prop["required"]:
            sub = (prop.get("properties") or {}).get(req, {})
            body, _ = _value_skeleton(sub, indent + 2, snippets, stops)
            lines.append(f"\n{pad}{req}:{body}")
        return "".join(lines), True
    if _is_object(prop):
        return (f"\n{pad}{_stop(stops)}", True) if snippets else (f"\n{pad}", False)
    if prop.get("type") == "array":
        items = prop.get("items") or {}
        if _is_object(items) and items.get("required"):
            first, *rest = items["required"]
            props = items.get("properties") or {}
            body, _ = _value_skeleton(props.get(first, {}), indent + 4, snippets, stops)
            text = f"\n{pad}- {first}:{body}"
            for req in rest:
                body, _ = _value_skeleton(props.get(req, {}), indent + 4, snippets, stops)
                text += f"\n{pad}  {req}:{body}"
            return text, True
        return (f"\n{pad}- {_stop(stops)}", True) if snippets else (f"\n{pad}- ", False)
    if not snippets:
        return " ", False
    choices = _choices(prop)
    if choices:
        stops[0] += 1
        escaped = ",".join(c.replace(",", "\\,").replace("|", "\\|") for c in choices)
        return f" ${{{stops[0]}|{escaped}|}}", True
    return f" {_stop(stops)}", True


def _stop(stops: list[int]) -> str:
    stops[0] += 1
    return f"${stops[0]}"


def _choices(prop: JsonSchema) -> list[str]:
    if "enum" in prop:
        return [yaml_scalar(v) for v in prop["enum"]]
    if prop.get("type") == "boolean":
        return ["true", "false"]
    return []


# -- values -----------------------------------------------------------------------------------


def _values(ctx: CursorContext, sub: JsonSchema, env: Env) -> list[Completion]:
    if ctx.kind == "key" and sub.get("type") == "array":
        return []
    out: list[Completion] = []
    seen: set[str] = set()

    def add(value: Any, kind: str, doc: str = "", detail: str = "", sort: str = "") -> None:
        label = value if isinstance(value, str) else yaml_scalar(value)
        if label in seen:
            return
        seen.add(label)
        text = label if ctx.quoted or not isinstance(value, str) else yaml_scalar(value)
        out.append(
            Completion(label, kind, text, ctx.replace, detail, doc, sort=sort or f"1{label}")
        )

    path = ctx.path
    if len(path) == 4 and path[0] == "tasks" and path[2] == "dependencies":
        for task_id, title in _dependency_candidates(env.tree, path[1]):
            add(task_id, "reference", detail=title, sort=f"0{task_id}")
    if len(path) == 2 and path[0] in FILE_SUFFIXES and env.list_files is not None:
        for rel in env.list_files():
            if rel.endswith(FILE_SUFFIXES[str(path[0])]):
                add(rel, "file", sort=f"0{rel}")
    glosses = sub.get("enumDescriptions") or []
    for i, value in enumerate(sub.get("enum", [])):
        add(value, "enum", glosses[i] if i < len(glosses) else "", sort=f"0{i:03}")
    if sub.get("type") == "boolean":
        add(True, "value")
        add(False, "value")
    if "default" in sub:
        add(sub["default"], "value", detail="default")
    for example in sub.get("examples", []):
        if not isinstance(example, (dict, list)):
            add(example, "value", detail="example")
    if path == ("id",) and env.filename:
        add(_kebab(file_stem(env.filename)), "value", detail="from the file name", sort="0")
    return out


def _dependency_candidates(tree: ParsedDocument | None, index: str | int) -> list[tuple[str, str]]:
    if tree is None:
        return []
    tasks = tasks_of(tree)
    me = next((t for t in tasks if t.index == index), None)
    taken = {d for d, _ in me.dependencies} if me else set()
    out = []
    for task in tasks:
        if task.index == index or task.id in taken:
            continue
        item = tree.node_at(("tasks", task.index))
        title = ""
        if isinstance(item, Mapping) and "title" in item.index:
            title = str(getattr(item.index["title"].value, "value", "") or "")
        out.append((task.id, title))
    return out


def _placeholder_items(match: re.Match[str], pos: Pos, env: Env) -> list[Completion]:
    root, dotted = match.group(1), match.group(2)
    head, _, partial = dotted.rpartition(".")
    replace = Span(Pos(pos.line, pos.col - len(partial)), pos)
    out: list[Completion] = []
    tree = env.tree
    if tree is None:
        return out
    if root == "secrets":
        for name, node in declared_secrets(tree).items():
            line = node.span.start.line + 1
            out.append(Completion(name, "secret", name, replace, f"declared on line {line}"))
        return out
    data: Any = tree.data
    for part in filter(None, head.split(".")):
        data = data.get(part) if isinstance(data, dict) else None
    if isinstance(data, dict):
        for key, value in data.items():
            preview = value if isinstance(value, (str, int, float, bool)) else type(value).__name__
            out.append(Completion(str(key), "key", str(key), replace, str(preview)[:60]))
    return out


# -- the empty document -----------------------------------------------------------------------


def _skeleton(schema: SpecSchema, env: Env, at: Span) -> Completion:
    """A whole minimal spec that is valid as inserted (id from the file name)."""
    root = schema.schema
    props = root.get("properties") or {}
    spec_id = _kebab(file_stem(env.filename or "")) or "my-project"
    values = {
        "ospec_version": '"1.0.0"',
        "id": spec_id,
        "name": yaml_scalar(spec_id.replace("-", " ").title()),
        "description": yaml_scalar(
            _first_example(
                props.get("description", {}), "Describe the outcome in a sentence or two."
            )
        ),
        "outcome_type": yaml_scalar(_first_example(props.get("outcome_type", {}), "web-app")),
    }
    lines = []
    stops = 0
    for key in root.get("required", []):
        if key in values:
            value = values[key]
            if env.snippets and key not in ("ospec_version",):
                stops += 1
                value = f"${{{stops}:{_escape(value)}}}"
            lines.append(f"{key}: {value}")
        elif key == "acceptance":
            lines.append("acceptance:\n  http_endpoints:\n    - path: /health\n      status: 200")
    text = "\n".join(lines) + "\n"
    return Completion(
        label="OSpec skeleton",
        kind="snippet",
        text=text,
        replace=at,
        detail="a minimal valid spec",
        documentation="Inserts every required key with a valid starting value.",
        snippet=env.snippets,
        sort="0",
    )


def _first_example(prop: JsonSchema, fallback: str) -> str:
    if prop.get("enum"):
        return str(prop["enum"][0])
    for example in prop.get("examples", []):
        if isinstance(example, str):
            return example
    return fallback


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


# -- shared helpers ---------------------------------------------------------------------------


def _is_object(prop: JsonSchema) -> bool:
    return prop.get("type") == "object" or "properties" in prop


def _type_label(prop: JsonSchema) -> str:
    kind = prop.get("type")
    if "enum" in prop:
        return (
            "one of "
            + ", ".join(map(str, prop["enum"][:4]))
            + ("…" if len(prop["enum"]) > 4 else "")
        )
    if kind == "array":
        items = prop.get("items") or {}
        return f"list of {_type_label(items) if items else 'values'}"
    if isinstance(kind, list):
        return " or ".join(kind)
    return {"object": "mapping", "string": "text"}.get(str(kind), str(kind or "value"))


def _doc(prop: JsonSchema) -> str:
    return str(prop.get("markdownDescription") or prop.get("description") or "")


def _kebab(text: str) -> str:
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", text)
    text = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    text = re.sub(r"^[^a-z]+", "", text)
    return text


def kebab(text: str) -> str:
    """text as an OSpec id: lowercase words joined by '-', starting with a letter."""
    return _kebab(text)


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
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
