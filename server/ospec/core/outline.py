"""Document structure: outline symbols, folding ranges and selection ranges (core).

Ranges end at a node's last content character: never on a trailing comment or blank line,
and never at the start of the next line, where YAML's own end marks of block nodes land.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .model import Pos, Span
from .placeholders import PLACEHOLDER, SECRET_REF
from .yamldoc import Mapping, Node, Pair, ParsedDocument, Scalar, Sequence

DETAIL_WIDTH = 80
# Fields that name an item of a list we have no special rule for, in order of preference.
NAME_FIELDS = ("id", "name", "title", "file", "path")


class Kind(enum.Enum):
    """What an outline entry is; the names are LSP's SymbolKind names."""

    FILE = "File"
    MODULE = "Module"
    CLASS = "Class"
    FUNCTION = "Function"
    INTERFACE = "Interface"
    CONSTANT = "Constant"
    STRING = "String"
    NUMBER = "Number"
    BOOLEAN = "Boolean"
    ARRAY = "Array"
    OBJECT = "Object"
    NULL = "Null"
    EVENT = "Event"


@dataclass(frozen=True, slots=True)
class Symbol:
    """One outline entry: span covers the whole item, selection its key or name."""

    name: str
    kind: Kind
    span: Span
    selection: Span
    detail: str | None = None
    children: tuple[Symbol, ...] = ()


@dataclass(frozen=True, slots=True)
class Fold:
    """A foldable region: start is the end of its first line, end its last content character."""

    start: Pos
    end: Pos
    comment: bool = False


class Extents:
    """Where nodes really end (memoised per node for one walk over one document).

    A block collection ends where its last child ends, found by walking down last children
    (no recursion, and only along one path when a single range is wanted).
    """

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self._ends: dict[int, Pos] = {}

    def end(self, node: Node) -> Pos:
        path: list[Node] = []
        current: Node | None = node
        while current is not None and id(current) not in self._ends:
            path.append(current)
            current = _last_child(current)
        for pending in reversed(path):
            self._ends[id(pending)] = self._end(pending)
        return self._ends[id(node)]

    def of(self, node: Node) -> Span:
        return Span(node.span.start, self.end(node))

    def pair(self, pair: Pair) -> Span:
        """From the key to the end of the value (an alias value may lie elsewhere)."""
        return Span(pair.key.span.start, max(pair.key.span.end, self.end(pair.value)))

    def _end(self, node: Node) -> Pos:
        """node's end, once its last child's end is known."""
        if isinstance(node, Scalar):
            return self._block_end(node) if node.style in ("|", ">") else node.span.end
        last = _last_child(node)
        if last is None:
            return node.span.end
        end = self._ends[id(last)]
        if isinstance(node, Mapping):
            return max(end, node.pairs[-1].key.span.end)
        # An alias item repeats its anchor's node, which lies before this list.
        return end if end > node.span.start else node.span.end

    def _block_end(self, node: Scalar) -> Pos:
        """A block scalar's end mark is past its line break (and any kept blank lines)."""
        start, end = node.span.start, node.span.end
        last = min(end.line, len(self.lines) - 1)
        for line in range(last, start.line, -1):
            text = self.lines[line][: end.col] if line == end.line else self.lines[line]
            if text.strip():
                return Pos(line, len(text.rstrip()))
        header = self.lines[start.line] if start.line < len(self.lines) else ""
        return Pos(start.line, max(start.col + 1, len(header.split(" #")[0].rstrip())))


def _last_child(node: Node) -> Node | None:
    """The node a block collection ends with; flow collections end at their bracket."""
    if isinstance(node, Mapping) and not node.flow and node.pairs:
        return node.pairs[-1].value
    if isinstance(node, Sequence) and not node.flow and node.items:
        return node.items[-1]
    return None


def text_span(node: Scalar, lines: list[str]) -> Span | None:
    """The source of a one-line string scalar's value without its quotes, if it is verbatim."""
    start, end = node.span.start, node.span.end
    if not isinstance(node.value, str) or start.line != end.line or start.line >= len(lines):
        return None
    source = lines[start.line][start.col : end.col]
    if not node.style:  # plain: None, or "" from the C composer
        return node.span if source == node.value else None
    if node.style in ("'", '"') and len(source) >= 2 and source[1:-1] == node.value:
        return Span.of(start.line, start.col + 1, end.line, end.col - 1)
    return None


# -- outline ------------------------------------------------------------------------------


def outline(doc: ParsedDocument) -> list[Symbol]:
    """Top-level keys as sections, with their keys and named list items as children."""
    if not isinstance(doc.root, Mapping):
        return []
    ext = Extents(doc.lines)
    return [_pair_symbol(pair, (pair.key.text,), ext) for pair in doc.root.pairs]


def _pair_symbol(pair: Pair, path: tuple[str, ...], ext: Extents) -> Symbol:
    value = pair.value
    kind, detail = _kind_of(value, top=len(path) == 1), _detail(value)
    if len(path) == 2 and path[0] in ("prompts", "scripts") and isinstance(value, Scalar):
        embedded = isinstance(value.value, str) and value.value.startswith("#!")
        kind = Kind.FUNCTION if embedded else Kind.FILE
    return Symbol(
        name=pair.key.text or '""',
        kind=kind,
        span=ext.pair(pair),
        selection=pair.key.span,
        detail=detail,
        children=tuple(_children(value, path, ext)),
    )


def _children(node: Node, path: tuple[str, ...], ext: Extents) -> Iterator[Symbol]:
    if isinstance(node, Mapping):
        for pair in node.pairs:
            yield _pair_symbol(pair, (*path, pair.key.text), ext)
    elif isinstance(node, Sequence):
        named = _ITEMS.get(path, _generic_item)
        for i, item in enumerate(node.items):
            if (symbol := named(i, item, ext, path[-1])) is not None:
                yield symbol


def _kind_of(node: Node, top: bool = False) -> Kind:
    if isinstance(node, Mapping):
        return Kind.MODULE if top else Kind.OBJECT
    if isinstance(node, Sequence):
        return Kind.ARRAY
    value = node.value if isinstance(node, Scalar) else None
    if value is None:
        return Kind.NULL
    if isinstance(value, bool):
        return Kind.BOOLEAN
    if isinstance(value, int | float):
        return Kind.NUMBER
    return Kind.STRING


def _detail(node: Node | None) -> str | None:
    if isinstance(node, Mapping):
        return _count(len(node.pairs), "key")
    if isinstance(node, Sequence):
        return _count(len(node.items), "item")
    return _text(node)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _text(node: Node | None) -> str | None:
    """A scalar as one short line of text, or None for empty values and collections."""
    if not isinstance(node, Scalar) or node.value is None:
        return None
    if isinstance(node.value, bool):
        text = "true" if node.value else "false"
    else:
        text = str(node.value) if isinstance(node.value, str) else node.text
    first, *rest = text.strip().split("\n", 1)
    if rest or len(first) > DETAIL_WIDTH:
        return first[: DETAIL_WIDTH - 1].rstrip() + "…"
    return first or None


def _field(item: Mapping, key: str) -> Scalar | None:
    pair = item.index.get(key)
    node = pair.value if pair else None
    return node if isinstance(node, Scalar) and node.value is not None else None


def _item(
    item: Node,
    ext: Extents,
    name: str,
    kind: Kind,
    selection: Scalar | None,
    detail: str | None = None,
) -> Symbol:
    span = ext.of(item)
    if selection is None or not _inside(selection.span, span):
        first = item.pairs[0].key.span if isinstance(item, Mapping) and item.pairs else None
        chosen = first or Span(span.start, span.start)
    else:
        chosen = selection.span
    return Symbol(name=name, kind=kind, span=span, selection=chosen, detail=detail)


def _inside(inner: Span, outer: Span) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


ItemRule = Callable[[int, Node, Extents, str], Symbol | None]


def _task(i: int, item: Node, ext: Extents, section: str) -> Symbol | None:
    if not isinstance(item, Mapping):
        return None
    id_node = _field(item, "id")
    name = _text(id_node) or f"{section}[{i}]"
    return _item(item, ext, name, Kind.FUNCTION, id_node, _text(_field(item, "title")))


def _endpoint(i: int, item: Node, ext: Extents, section: str) -> Symbol | None:
    if not isinstance(item, Mapping):
        return None
    path = _field(item, "path")
    method = _text(_field(item, "method")) or "GET"
    name = f"{method} {_text(path)}" if _text(path) else f"{section}[{i}]"
    return _item(item, ext, name, Kind.INTERFACE, path, _text(_field(item, "status")))


def _flow(i: int, item: Node, ext: Extents, section: str) -> Symbol | None:
    if not isinstance(item, Mapping):
        return None
    name_node = _field(item, "name")
    steps = item.index.get("steps")
    detail = _count(len(steps.value.items), "step") if steps and _is_seq(steps.value) else None
    return _item(item, ext, _text(name_node) or f"{section}[{i}]", Kind.EVENT, name_node, detail)


def _is_seq(node: Node) -> bool:
    return isinstance(node, Sequence)


def _test(i: int, item: Node, ext: Extents, section: str) -> Symbol | None:
    if not isinstance(item, Mapping):
        return None
    file = _field(item, "file")
    name = _text(file) or f"{section}[{i}]"
    return _item(item, ext, name, Kind.FILE, file, _text(_field(item, "type")))


def _agent(i: int, item: Node, ext: Extents, section: str) -> Symbol | None:
    if not isinstance(item, Mapping):
        return None
    name_node = _field(item, "name")
    name = _text(name_node) or f"{section}[{i}]"
    return _item(item, ext, name, Kind.CLASS, name_node, _text(_field(item, "model")))


def _secret(i: int, item: Node, ext: Extents, section: str) -> Symbol | None:
    if not isinstance(item, Scalar) or not isinstance(item.value, str) or not item.value:
        return None
    return _item(item, ext, _text(item) or item.value, Kind.CONSTANT, item)


def _generic_item(i: int, item: Node, ext: Extents, section: str) -> Symbol | None:
    """A mapping in a list without its own rule, named by its first naming field."""
    if not isinstance(item, Mapping):
        return None
    node = next((n for f in NAME_FIELDS if (n := _field(item, f)) is not None), None)
    name = _text(node) or f"{section}[{i}]"
    return _item(item, ext, name, Kind.OBJECT, node)


_ITEMS: dict[tuple[str, ...], ItemRule] = {
    ("tasks",): _task,
    ("acceptance", "http_endpoints"): _endpoint,
    ("acceptance", "ux_flows"): _flow,
    ("acceptance", "tests"): _test,
    ("sub_agents",): _agent,
    ("secrets", "required"): _secret,
    ("secrets", "optional"): _secret,
}


# -- folding ------------------------------------------------------------------------------


def folds(doc: ParsedDocument, limit: int | None = None) -> list[Fold]:
    """Multi-line values (from their key's line) and list items, and runs of comment lines.

    At most one fold starts on a line (the widest); past limit, the widest folds are kept.
    """
    lines, ext = doc.lines, Extents(doc.lines)
    by_line: dict[int, Fold] = {}
    content: set[int] = set()  # lines inside multi-line scalars: a '#' there is not a comment

    def add(start: Pos, end: Pos) -> None:
        if end.line <= start.line:
            return
        fold = Fold(Pos(start.line, len(lines[start.line].rstrip())), end)
        old = by_line.get(start.line)
        if old is None or old.end < end:
            by_line[start.line] = fold

    stack: list[Node] = [doc.root] if doc.root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            for pair in node.pairs:
                span = ext.pair(pair)
                add(span.start, span.end)
                stack.append(pair.value)
        elif isinstance(node, Sequence):
            for item in node.items:
                span = ext.of(item)
                add(span.start, span.end)
                stack.append(item)
        elif isinstance(node, Scalar) and node.span.end.line > node.span.start.line:
            content.update(range(node.span.start.line + 1, ext.end(node).line + 1))
    for first, last in _comment_runs(lines, content):
        if first not in by_line:
            by_line[first] = Fold(
                Pos(first, len(lines[first].rstrip())),
                Pos(last, len(lines[last].rstrip())),
                comment=True,
            )
    found = sorted(by_line.values(), key=lambda f: f.start)
    if limit is not None and len(found) > limit:
        widest = sorted(found, key=lambda f: f.end.line - f.start.line, reverse=True)[:limit]
        found = sorted(widest, key=lambda f: f.start)
    return found


def _comment_runs(lines: list[str], content: set[int]) -> Iterator[tuple[int, int]]:
    """(first, last) line of every run of two or more whole-line comments."""
    first = None
    for no, line in enumerate([*lines, ""]):
        if no not in content and line.lstrip().startswith("#"):
            first = no if first is None else first
            continue
        if first is not None and no - 1 > first:
            yield first, no - 1
        first = None


# -- selection ranges -----------------------------------------------------------------------


def selection(doc: ParsedDocument, pos: Pos) -> list[Span]:
    """Ranges around pos from the innermost out to the whole document, each strictly wider."""
    lines, ext = doc.lines, Extents(doc.lines)
    last = len(lines) - 1
    chain = [Span.of(0, 0, last, len(lines[last]))]
    node = doc.root if doc.root is not None and ext.of(doc.root).contains(pos) else None
    while node is not None:
        chain.append(ext.of(node))
        node = _descend(node, pos, ext, lines, chain)
    out: list[Span] = []
    for span in chain:
        if not out or (span != out[-1] and _inside(span, out[-1])):
            out.append(span)
    return out[::-1]


def _descend(
    node: Node, pos: Pos, ext: Extents, lines: list[str], chain: list[Span]
) -> Node | None:
    """Append the ranges inside node that hold pos; return the child node to go on with."""
    if isinstance(node, Mapping):
        for pair in node.pairs:
            span = ext.pair(pair)
            if not span.contains(pos):
                continue
            chain.append(span)
            if pair.key.span.contains(pos):
                chain.extend(_scalar_ranges(pair.key, pos, lines))
                return None
            return pair.value if ext.of(pair.value).contains(pos) else None
    elif isinstance(node, Sequence):
        return next((item for item in node.items if ext.of(item).contains(pos)), None)
    elif isinstance(node, Scalar):
        chain.extend(_scalar_ranges(node, pos, lines)[1:])
    return None


def _scalar_ranges(node: Scalar, pos: Pos, lines: list[str]) -> list[Span]:
    """The scalar, its text without quotes, a {{ placeholder }} and a secret's name in it."""
    out = [node.span]
    inner = text_span(node, lines)
    if inner is not None and inner.contains(pos):
        out.append(inner)
    if node.span.start.line <= pos.line <= node.span.end.line and pos.line < len(lines):
        line = lines[pos.line]
        lo = node.span.start.col if pos.line == node.span.start.line else 0
        hi = node.span.end.col if pos.line == node.span.end.line else len(line)
        for match in PLACEHOLDER.finditer(line, lo, hi):
            if match.start() <= pos.col <= match.end():
                out.append(Span.of(pos.line, match.start(), pos.line, match.end()))
                secret = SECRET_REF.fullmatch(match.group(0))
                if secret is not None:
                    s, e = match.start() + secret.start(1), match.start() + secret.end(1)
                    if s <= pos.col <= e:
                        out.append(Span.of(pos.line, s, pos.line, e))
                break
    return out
