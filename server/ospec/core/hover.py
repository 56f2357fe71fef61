"""Hover text for keys, enum values, task references and secret placeholders (core)."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Pos, Span
from .placeholders import SECRET_REF
from .rules import declared_secrets, tasks_of
from .schema import JsonSchema, SpecSchema
from .yamldoc import Mapping, Node, ParsedDocument, Scalar, Sequence

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class HoverInfo:
    span: Span
    markdown: str
    plain: str


class _Doc:
    """Builds the same content as markdown and as plain text."""

    def __init__(self) -> None:
        self.md: list[str] = []
        self.txt: list[str] = []

    def add(self, markdown: str, plain: str | None = None) -> None:
        self.md.append(markdown)
        self.txt.append(plain if plain is not None else markdown)

    def done(self, span: Span) -> HoverInfo:
        return HoverInfo(span, "\n\n".join(self.md), "\n\n".join(self.txt))


def hover_at(doc: ParsedDocument, pos: Pos, schema: SpecSchema) -> HoverInfo | None:
    hit = _find(doc.root, pos, ())
    if hit is None:
        return None
    kind, path, node = hit
    if kind == "value" and isinstance(node, Scalar):
        return _value_hover(doc, path, node, pos, schema)
    return _key_hover(path, node.span, schema)


def _find(node: Node | None, pos: Pos, path: Path) -> tuple[str, Path, Node] | None:
    if isinstance(node, Mapping):
        for pair in node.pairs:
            if pair.key.span.contains(pos):
                return "key", (*path, pair.key.text), pair.key
            if pair.value.span.contains(pos):
                found = _find(pair.value, pos, (*path, pair.key.text))
                if found:
                    return found
    elif isinstance(node, Sequence):
        for i, item in enumerate(node.items):
            if item.span.contains(pos):
                return _find(item, pos, (*path, i))
    elif isinstance(node, Scalar) and node.span.contains(pos):
        return "value", path, node
    return None


def _key_hover(path: Path, span: Span, schema: SpecSchema) -> HoverInfo | None:
    sub = schema.at(path)
    if sub is None:
        return None
    out = _Doc()
    title = sub.get("title") or str(path[-1])
    out.add(f"**{title}** (`{path[-1]}`)", f"{title} ({path[-1]})")
    description = sub.get("markdownDescription") or sub.get("description")
    if description:
        out.add(str(description), str(sub.get("description") or description))
    facts = _facts(sub, _required(schema, path))
    if facts:
        out.add("\n".join(f"- {f}" for f in facts), "\n".join(facts).replace("`", ""))
    values = _enum_lines(sub)
    if values:
        out.add(
            "Allowed values:\n" + "\n".join(f"- {v}" for v in values),
            "Allowed values:\n" + "\n".join(v.replace("`", "") for v in values),
        )
    return out.done(span)


def _required(schema: SpecSchema, path: Path) -> bool:
    parent = schema.at(path[:-1])
    return bool(parent) and path[-1] in (parent or {}).get("required", [])


def _facts(sub: JsonSchema, required: bool) -> list[str]:
    facts = [f"Type: {_type_words(sub)}" + (" · required" if required else "")]
    if "x-ospec-pattern-hint" in sub:
        facts.append(f"Must be {sub['x-ospec-pattern-hint']}")
    bounds = [
        (k, sub[k])
        for k in ("minimum", "maximum", "minLength", "maxLength", "minItems")
        if k in sub
    ]
    for key, value in bounds:
        facts.append(
            {
                "minimum": f"At least {value}",
                "maximum": f"At most {value}",
                "minLength": f"At least {value} characters",
                "maxLength": f"At most {value} characters",
                "minItems": f"At least {value} item{'s' if value != 1 else ''}",
            }[key]
        )
    if "format" in sub:
        facts.append(f"Format: {sub['format']}")
    if "default" in sub:
        facts.append(f"Default: `{sub['default']}`")
    examples = [e for e in sub.get("examples", []) if not isinstance(e, (dict, list))]
    if examples:
        facts.append("Example: " + ", ".join(f"`{e}`" for e in examples[:2]))
    return facts


def _type_words(sub: JsonSchema) -> str:
    kind = sub.get("type")
    if kind == "array":
        items = sub.get("items") or {}
        return f"list of {_type_words(items)}" if items else "list"
    if "enum" in sub and not kind:
        return "one of the values below"
    return {
        "object": "mapping",
        "string": "text",
        "integer": "whole number",
        "number": "number",
        "boolean": "true or false",
    }.get(str(kind), str(kind or "any value"))


def _enum_lines(sub: JsonSchema) -> list[str]:
    glosses = sub.get("enumDescriptions") or []
    return [
        f"`{v}`" + (f" — {glosses[i]}" if i < len(glosses) else "")
        for i, v in enumerate(sub.get("enum", []))
    ]


def _value_hover(
    doc: ParsedDocument, path: Path, node: Scalar, pos: Pos, schema: SpecSchema
) -> HoverInfo | None:
    secret = _secret_hover(doc, node, pos)
    if secret is not None:
        return secret
    if len(path) == 4 and path[0] == "tasks" and path[2] == "dependencies":
        return _task_hover(doc, node)
    sub = schema.at(path)
    if sub and "enum" in sub and node.value in sub["enum"]:
        glosses = sub.get("enumDescriptions") or []
        i = sub["enum"].index(node.value)
        gloss = glosses[i] if i < len(glosses) else ""
        title = sub.get("title") or str(path[-1])
        out = _Doc()
        out.add(
            f"`{node.value}` — {gloss}" if gloss else f"`{node.value}`",
            f"{node.value}: {gloss}" if gloss else str(node.value),
        )
        out.add(
            f"One of the allowed values of **{title}**.", f"One of the allowed values of {title}."
        )
        return out.done(node.span)
    if path and isinstance(path[-1], str):
        return _key_hover(path, node.span, schema)
    return None


def _task_hover(doc: ParsedDocument, node: Scalar) -> HoverInfo | None:
    task = next((t for t in tasks_of(doc) if t.id == node.value), None)
    out = _Doc()
    if task is None:
        out.add(f"Unknown task `{node.value}`", f"Unknown task {node.value}")
        return out.done(node.span)
    item = doc.node_at(("tasks", task.index))
    fields = item.index if isinstance(item, Mapping) else {}
    title = getattr(fields.get("title"), "value", None)
    description = getattr(fields.get("description"), "value", None)
    line = task.node.span.start.line + 1
    out.add(
        f"**Task `{task.id}`**: {getattr(title, 'value', '')}",
        f"Task {task.id}: {getattr(title, 'value', '')}",
    )
    if description is not None and getattr(description, "value", None):
        out.add(str(description.value))
    out.add(f"Defined on line {line}.")
    return out.done(node.span)


def _secret_hover(doc: ParsedDocument, node: Scalar, pos: Pos) -> HoverInfo | None:
    if not isinstance(node.value, str) or "secrets" not in node.value or pos.line >= len(doc.lines):
        return None
    line = doc.lines[pos.line]
    for match in SECRET_REF.finditer(line):
        if match.start() <= pos.col <= match.end():
            name = match.group(1)
            span = Span(Pos(pos.line, match.start()), Pos(pos.line, match.end()))
            declared = declared_secrets(doc).get(name)
            out = _Doc()
            out.add(f"**Secret `{name}`**", f"Secret {name}")
            if declared is None:
                out.add(
                    "Not declared: add it to `secrets.required` or `secrets.optional`.",
                    "Not declared: add it to secrets.required or secrets.optional.",
                )
            else:
                where = _declared_in(doc, declared)
                out.add(
                    f"Declared in `{where}` on line {declared.span.start.line + 1}. "
                    "Its value comes from the secret provider at deploy time.",
                    f"Declared in {where} on line {declared.span.start.line + 1}. "
                    "Its value comes from the secret provider at deploy time.",
                )
            return out.done(span)
    return None


def _declared_in(doc: ParsedDocument, node: Scalar) -> str:
    for kind in ("required", "optional"):
        seq = doc.node_at(("secrets", kind))
        if isinstance(seq, Sequence) and any(item is node for item in seq.items):
            return f"secrets.{kind}"
    return "secrets"
