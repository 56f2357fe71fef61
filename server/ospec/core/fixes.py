"""Quick fixes for findings: each is a set of text edits that removes its finding (core)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .completion import kebab
from .emit import after_key, yaml_scalar
from .model import Finding, Pos, Span
from .rules import file_stem
from .schema import SpecSchema
from .yamldoc import Mapping, ParsedDocument, Scalar, Sequence


@dataclass(frozen=True, slots=True)
class Edit:
    span: Span
    text: str


@dataclass(frozen=True, slots=True)
class Fix:
    title: str
    finding: Finding
    edits: list[Edit] = field(default_factory=list)
    preferred: bool = False
    # A file to create (relative to the spec) instead of text edits.
    create_file: str | None = None
    file_text: str = ""


def fixes_for(
    doc: ParsedDocument, finding: Finding, schema: SpecSchema, filename: str | None
) -> list[Fix]:
    out: list[Fix] = []
    builder = _BUILDERS.get(finding.code)
    if builder is not None and doc.usable:
        out.extend(builder(doc, finding, schema, filename))
    out.append(_suppress(doc, finding))
    return out


def _replace_value(finding: Finding, new: str, title: str, preferred: bool = True) -> Fix:
    return Fix(title, finding, [Edit(finding.span, new)], preferred)


def _scalar_at(doc: ParsedDocument, span: Span) -> Scalar | None:
    for _, node in doc.scalars():
        if node.span == span:
            return node
    return None


def _requote(doc: ParsedDocument, span: Span, value: str) -> str:
    """value written the way the original scalar was (keeping its quotes)."""
    node = _scalar_at(doc, span)
    if node is not None and node.style in ("'", '"'):
        q = node.style
        return f"{q}{value}{q}"
    return yaml_scalar(value)


def _enum(doc: ParsedDocument, f: Finding, schema: SpecSchema, filename: str | None) -> list[Fix]:
    hit = f.data.get("suggestion")
    if not hit:
        return []
    return [_replace_value(f, _requote(doc, f.span, hit), f"Change to '{hit}'")]


def _unknown_key(
    doc: ParsedDocument, f: Finding, schema: SpecSchema, filename: str | None
) -> list[Fix]:
    out = []
    hit = f.data.get("suggestion")
    if hit:
        out.append(Fix(f"Rename '{f.data['key']}' to '{hit}'", f, [Edit(f.span, hit)], True))
    removal = _pair_removal(doc, f.span)
    if removal is not None:
        out.append(Fix(f"Remove unknown key '{f.data['key']}'", f, [removal]))
    return out


def _pair_removal(doc: ParsedDocument, key_span: Span) -> Edit | None:
    """Delete a block-style key with its value (whole lines); None for flow mappings."""
    for node, pair, _ in _pairs(doc):
        if pair.key.span == key_span:
            if node.flow:
                return None
            start = key_span.start.line
            end = max(pair.value.span.end.line, start)
            if pair.key.span.start.col != _indent(doc.lines[start]):
                return None  # `- key:` starts a list item; removing the line would break the list
            return Edit(Span(Pos(start, 0), Pos(end + 1, 0)), "")
    return None


def _pairs(doc: ParsedDocument):  # type: ignore[no-untyped-def]
    stack: list[Any] = [doc.root]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            for pair in node.pairs:
                yield node, pair, None
                stack.append(pair.value)
        elif isinstance(node, Sequence):
            stack.extend(node.items)


def _missing(
    doc: ParsedDocument, f: Finding, schema: SpecSchema, filename: str | None
) -> list[Fix]:
    keys: list[str] = f.data.get("keys", [])
    path = _path_of_owner(doc, f.span)
    if path is None:
        return []
    node = doc.node_at(path)
    sub = schema.at(path) or {}
    if not isinstance(node, Mapping) or node.flow or not node.pairs:
        return []
    last = node.pairs[-1]
    col = node.pairs[0].key.span.start.col
    # Insert after the last pair's value (whole lines), at the mapping's key column.
    line = max(last.value.span.end.line, last.key.span.end.line)
    if isinstance(last.value, Scalar) and last.value.style in ("|", ">"):
        line = max(line - 1, last.key.span.end.line)
    text = ""
    props = sub.get("properties") or {}
    for key in keys:
        value = _placeholder(props.get(key, {}), key, filename)
        text += f"{' ' * col}{key}:{after_key(value, col)}\n"
    at = Pos(line + 1, 0)
    if line + 1 >= len(doc.lines):
        at = Pos(len(doc.lines) - 1, len(doc.lines[-1]))
        text = ("\n" if doc.lines[-1] else "") + text.rstrip("\n")
    title = (
        f"Add missing key '{keys[0]}'" if len(keys) == 1 else f"Add missing keys: {', '.join(keys)}"
    )
    return [Fix(title, f, [Edit(Span(at, at), text)], True)]


def _placeholder(prop: dict[str, Any], key: str, filename: str | None) -> Any:
    if key == "id" and filename:
        return kebab(file_stem(filename)) or "my-project"
    if prop.get("examples"):
        return prop["examples"][0]
    if "default" in prop:
        return prop["default"]
    if prop.get("enum"):
        return prop["enum"][0]
    return {
        "string": "",
        "integer": 0,
        "number": 0,
        "boolean": False,
        "array": [],
        "object": {},
    }.get(str(prop.get("type")), "")


def _path_of_owner(doc: ParsedDocument, span: Span) -> tuple[str | int, ...] | None:
    """The data path of the mapping a missing-key finding is about (its key, or the root line)."""
    if span.start == Pos(0, 0) or (doc.root is not None and span.start == doc.root.span.start):
        return ()
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), doc.root)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, Mapping):
            for pair in node.pairs:
                if pair.key.span == span:
                    return (*path, pair.key.text)
                stack.append(((*path, pair.key.text), pair.value))
        elif isinstance(node, Sequence):
            for i, item in enumerate(node.items):
                if item.span.start == span.start:
                    return (*path, i)
                stack.append(((*path, i), item))
    return None


def _pattern(
    doc: ParsedDocument, f: Finding, schema: SpecSchema, filename: str | None
) -> list[Fix]:
    node = _scalar_at(doc, f.span)
    if node is None or not isinstance(node.value, str):
        return []
    value = node.value
    if f.message.startswith("ospec_version ") and re.fullmatch(r"\d+(\.\d+)?", value):
        fixed = value + ".0" * (2 - value.count("."))
        return [_replace_value(f, f'"{fixed}"', f"Change to '{fixed}'")]
    if f.message.startswith("id ") and kebab(value):
        fixed = kebab(value)
        return [
            _replace_value(f, _requote(doc, f.span, fixed), f"Change id to '{fixed}' (kebab-case)")
        ]
    return []


def _id_filename(
    doc: ParsedDocument, f: Finding, schema: SpecSchema, filename: str | None
) -> list[Fix]:
    stem = f.data.get("stem")
    if not stem or kebab(stem) != stem:
        return []
    return [
        _replace_value(
            f, _requote(doc, f.span, stem), f"Change id to '{stem}' to match the file name"
        )
    ]


def _unknown_dependency(
    doc: ParsedDocument, f: Finding, schema: SpecSchema, filename: str | None
) -> list[Fix]:
    hit = f.data.get("suggestion")
    return [_replace_value(f, _requote(doc, f.span, hit), f"Change to '{hit}'")] if hit else []


def _undeclared_secret(
    doc: ParsedDocument, f: Finding, schema: SpecSchema, filename: str | None
) -> list[Fix]:
    name = f.data.get("secret")
    if not name:
        return []
    title = f"Declare '{name}' in secrets.required"
    required = doc.node_at(("secrets", "required"))
    secrets = doc.node_at(("secrets",))
    if isinstance(required, Sequence) and required.items:
        last = required.items[-1]
        if required.flow:
            return [Fix(title, f, [Edit(Span(last.span.end, last.span.end), f", {name}")], True)]
        col = last.span.start.col
        dash_col = doc.lines[last.span.start.line].rfind("-", 0, col)
        at = Pos(last.span.end.line + 1, 0)
        return [Fix(title, f, [Edit(Span(at, at), f"{' ' * max(dash_col, 0)}- {name}\n")], True)]
    if isinstance(secrets, Mapping) and not secrets.flow and secrets.pairs and required is None:
        col = secrets.pairs[0].key.span.start.col
        pair = doc.pair_at(("secrets",))
        at = Pos((pair.key.span.start.line if pair else 0) + 1, 0)
        return [
            Fix(
                title,
                f,
                [Edit(Span(at, at), f"{' ' * col}required:\n{' ' * col}  - {name}\n")],
                True,
            )
        ]
    if secrets is None:
        end = Pos(len(doc.lines) - 1, len(doc.lines[-1]))
        lead = "\n" if doc.lines[-1] else ""
        return [
            Fix(
                title,
                f,
                [Edit(Span(end, end), f"{lead}secrets:\n  required:\n    - {name}\n")],
                True,
            )
        ]
    return []


def _missing_file(
    doc: ParsedDocument, f: Finding, schema: SpecSchema, filename: str | None
) -> list[Fix]:
    path = f.data.get("path")
    if not path:
        return []
    name = path.rsplit("/", 1)[-1]
    if path.endswith((".md", ".txt")):
        seed = f"# {name.rsplit('.', 1)[0].replace('-', ' ').replace('_', ' ').title()}\n\n"
    else:
        seed = "#!/usr/bin/env bash\nset -euo pipefail\n\n" if path.endswith(".sh") else ""
    return [Fix(f"Create '{path}'", f, [], False, create_file=path, file_text=seed)]


def _suppress(doc: ParsedDocument, f: Finding) -> Fix:
    line = min(f.span.start.line, max(len(doc.lines) - 1, 0))
    text = doc.lines[line] if doc.lines else ""
    indent = " " * _indent(text)
    at = Pos(line, 0)
    return Fix(
        f"Disable {f.code} for this line",
        f,
        [Edit(Span(at, at), f"{indent}# ospec-disable-next-line {f.code}\n")],
    )


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


_BUILDERS = {
    "OSPEC-S004": _enum,
    "OSPEC-S002": _unknown_key,
    "OSPEC-S003": _missing,
    "OSPEC-S005": _pattern,
    "OSPEC-R004": _id_filename,
    "OSPEC-R001": _unknown_dependency,
    "OSPEC-R008": _undeclared_secret,
    "OSPEC-R006": _missing_file,
}
