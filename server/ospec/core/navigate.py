"""Names that refer to each other inside a spec, and the file paths it links to (core).

Task ids (`tasks[].id` ↔ `dependencies` entries) and secrets (`secrets.required/optional`
↔ `{{secrets.X}}` inside any string) back go-to-definition, references, highlights and
rename; `prompts`/`scripts` paths back document links.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .model import Pos, Span
from .outline import Extents, text_span
from .placeholders import SECRET_REF, has_placeholder
from .rules import tasks_of
from .yamldoc import Mapping, Node, ParsedDocument, Scalar, Sequence

TASK = "task"
SECRET = "secret"
NAME_PATTERNS = {
    TASK: re.compile(r"^[a-z][a-z0-9-_]*$"),
    SECRET: re.compile(r"^[A-Z][A-Z0-9_]*$"),
}
NAME_RULES = {
    TASK: "lowercase letters, digits, '-' and '_', starting with a letter",
    SECRET: "uppercase letters, digits and '_', starting with a letter",
}
# Plain words that YAML (1.2, or 1.1 for older readers) reads as booleans or null.
_KEYWORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One mention of a task id or a secret name."""

    kind: str
    name: str
    # The name's own text: inside quotes, X of {{secrets.X}}. When the source is not
    # verbatim (escapes, several lines) it is the whole scalar, quotes included.
    span: Span
    # Where a cursor selects it: the whole scalar, or the whole {{secrets.X}} placeholder.
    hit: Span
    declaration: bool
    # What a definition shows: the whole task for a task id, else the mention itself.
    item: Span
    verbatim: bool = True
    # A plain scalar on its own, where a keyword-like new name needs quotes.
    plain: bool = False

    def replacement(self, name: str) -> str:
        """The text that renames this occurrence to name, keeping the YAML a string."""
        if not self.verbatim or (self.plain and name.lower() in _KEYWORDS):
            return f'"{name}"'
        return name


class RenameError(ValueError):
    """A rename that cannot be done; the message says why, for the user."""


@dataclass(frozen=True, slots=True)
class Edit:
    span: Span
    text: str


@dataclass(frozen=True, slots=True)
class Link:
    """A prompts/scripts value that names a file: span is the path text, path as written."""

    span: Span
    path: str


class Index:
    """Every occurrence of every task id and secret name in one document, in text order."""

    def __init__(self, occurrences: list[Occurrence]) -> None:
        self.occurrences = occurrences

    def at(self, pos: Pos) -> Occurrence | None:
        """The occurrence under pos (a cursor at either end of it counts)."""
        return next((o for o in self.occurrences if o.hit.contains(pos)), None)

    def of(self, kind: str, name: str) -> list[Occurrence]:
        return [o for o in self.occurrences if o.kind == kind and o.name == name]

    def definitions(self, pos: Pos) -> tuple[Occurrence, list[Occurrence]] | None:
        """The occurrence under pos and the declarations it refers to, if there are any."""
        here = self.at(pos)
        if here is None:
            return None
        found = [o for o in self.of(here.kind, here.name) if o.declaration]
        return (here, found) if found else None

    def references(self, pos: Pos, include_declaration: bool) -> list[Occurrence]:
        here = self.at(pos)
        if here is None:
            return []
        return [
            o for o in self.of(here.kind, here.name) if include_declaration or not o.declaration
        ]

    def rename(self, pos: Pos, new_name: str) -> list[Edit]:
        """Edits renaming the id or secret under pos everywhere; RenameError if not allowed."""
        here = self.at(pos)
        if here is None:
            raise RenameError("only a task id or a secret name can be renamed here")
        word = "task id" if here.kind == TASK else "secret name"
        if not NAME_PATTERNS[here.kind].match(new_name):
            raise RenameError(f"'{new_name}' is not a valid {word}: use {NAME_RULES[here.kind]}")
        if new_name != here.name and any(o.declaration for o in self.of(here.kind, new_name)):
            what = "a task with id" if here.kind == TASK else "a secret named"
            raise RenameError(f"{what} '{new_name}' already exists")
        return [Edit(o.span, o.replacement(new_name)) for o in self.of(here.kind, here.name)]


def index(doc: ParsedDocument) -> Index:
    """Find every task id and secret mention; cheap enough to build once per version."""
    ext = Extents(doc.lines)
    found: list[Occurrence] = []
    for task in tasks_of(doc):
        item = doc.node_at(("tasks", task.index))
        found.append(_mention(doc, TASK, task.node, True, ext.of(item) if item else None))
        found.extend(_mention(doc, TASK, node, False) for _, node in task.dependencies)
    for kind in ("required", "optional"):
        seq = doc.node_at(("secrets", kind))
        items = seq.items if isinstance(seq, Sequence) else []
        found.extend(
            _mention(doc, SECRET, node, True)
            for node in items
            if isinstance(node, Scalar) and isinstance(node.value, str)
        )
    for node in _values(doc):
        if isinstance(node.value, str) and "secrets" in node.value:
            found.extend(_placeholders(doc, node))
    unique = {(o.span, o.kind): o for o in found}  # aliases repeat their anchor's nodes
    return Index(sorted(unique.values(), key=lambda o: (o.hit.start, o.span.start)))


def _values(doc: ParsedDocument) -> Iterator[Scalar]:
    """Every value scalar (not keys), without building data paths: cheap on big documents."""
    stack: list[Node] = [doc.root] if doc.root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, Scalar):
            yield node
        elif isinstance(node, Mapping):
            stack.extend(p.value for p in node.pairs)
        elif isinstance(node, Sequence):
            stack.extend(node.items)


def _mention(
    doc: ParsedDocument, kind: str, node: Scalar, declaration: bool, item: Span | None = None
) -> Occurrence:
    exact = text_span(node, doc.lines)
    return Occurrence(
        kind=kind,
        name=str(node.value),
        span=exact or node.span,
        hit=node.span,
        declaration=declaration,
        item=item or node.span,
        verbatim=exact is not None,
        plain=not node.style,
    )


def _placeholders(doc: ParsedDocument, node: Scalar) -> Iterator[Occurrence]:
    """{{secrets.X}} in the scalar's source text, line by line."""
    start, end = node.span.start, node.span.end
    for line_no in range(start.line, min(end.line, len(doc.lines) - 1) + 1):
        line = doc.lines[line_no]
        lo = start.col if line_no == start.line else 0
        hi = end.col if line_no == end.line else len(line)
        for match in SECRET_REF.finditer(line, lo, max(lo, hi)):
            hit = Span.of(line_no, match.start(), line_no, match.end())
            yield Occurrence(
                kind=SECRET,
                name=match.group(1),
                span=Span.of(line_no, match.start(1), line_no, match.end(1)),
                hit=hit,
                declaration=False,
                item=hit,
            )


def links(doc: ParsedDocument) -> list[Link]:
    """prompts/scripts values that are file paths (not embedded scripts or placeholders)."""
    found: list[Link] = []
    for section in ("prompts", "scripts"):
        node = doc.node_at((section,))
        if not isinstance(node, Mapping):
            continue
        for pair in node.pairs:
            value = pair.value
            if not isinstance(value, Scalar) or not isinstance(value.value, str):
                continue
            path = value.value.strip()
            if not path or path.startswith("#!") or "\n" in path or has_placeholder(path):
                continue
            span = text_span(value, doc.lines)
            if span is None:
                if value.span.start.line != value.span.end.line:
                    continue
                span = value.span
            else:  # leave out spaces around the path inside the quotes
                lead = len(value.value) - len(value.value.lstrip())
                span = Span.of(
                    span.start.line,
                    span.start.col + lead,
                    span.end.line,
                    span.start.col + lead + len(path),
                )
            found.append(Link(span, path))
    return found
