"""Re-parse only the part of a document that an edit touched, and splice it in (core: pure).

A *unit* is one key/value pair of a block mapping whose key starts its line, or one item of a
block sequence whose dash starts its line. Its lines run from that line to the next sibling's
(or to where its parent's lines end). When the changed lines lie inside one unit, that unit's
new lines alone are parsed, padded with empty lines so every mark lands on the document's own
line and column, and the result replaces the unit in a copy of the previous tree: only the
containers above it are copied, and the nodes after it are moved when the edit added or
removed lines. Anything less plain falls back to a full parse: aliases anywhere, a second
document, a syntax error in the slice, a line inside the unit indented as far as the unit's
key or dash (a new sibling, or the end of a structure), a renamed key (its parent is tried
instead), or schema keywords above the unit that look at its content.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from typing import Any

from .codes import Code
from .model import Finding, Pos, Span
from .yamldoc import (
    Fragment,
    Mapping,
    Node,
    Pair,
    ParsedDocument,
    Scalar,
    Sequence,
    parse_fragment,
    size_problem,
    split_lines,
    yaml_only_breaks,
)

Path = tuple[str | int, ...]
JsonSchema = dict[str, Any]

# Schema keywords of a container that only look at its own shape (type, key set, item count)
# or say nothing at all: a unit below such containers can be validated on its own.
_SHAPE_ONLY = {
    "type",
    "properties",
    "items",
    "required",
    "additionalProperties",
    "minProperties",
    "maxProperties",
    "minItems",
    "maxItems",
    "title",
    "description",
    "markdownDescription",
    "examples",
    "default",
    "enumDescriptions",
    "$schema",
    "$id",
    "$comment",
}
# Findings a slice may raise on its own and that stay where they are.
_LOCAL_SYNTAX = {Code.UNKNOWN_TAG.code, Code.DUPLICATE_KEY.code, Code.COMPLEX_KEY.code}
_DASH = re.compile(r"( *)-( +|$)")
_OTHER_CHILD = object()
_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(slots=True)
class Container:
    """One container above the unit: its path, node, data, subschema and the child's slot."""

    path: Path
    node: Mapping | Sequence
    data: Any
    schema: JsonSchema | None
    slot: int  # index of the child in pairs or items
    last: bool  # the child is the container's last one


@dataclass(slots=True)
class Splice:
    """A new version's parse built from the previous one, and what was re-parsed."""

    doc: ParsedDocument
    path: Path  # data path of the re-parsed unit
    schema: JsonSchema | None  # the unit's subschema; None when nothing validates below it
    containers: list[Container]  # root first; the last one holds the unit
    lines: tuple[int, int]  # the unit's old line range [start, end)
    shift: _Shift  # how positions after the unit moved


@dataclass(slots=True)
class _Unit:
    containers: list[Container]
    part: str | int
    start: int
    end: int
    col: int
    schema: JsonSchema | None


def splice(old: ParsedDocument, text: str, schema: JsonSchema) -> Splice | None:
    """The parse of `text` made by re-parsing one unit of `old`, or None to parse it whole.

    The result equals parse(text) in tree, data and syntax findings (see
    tests/reliability/test_incremental_equivalence.py).
    """
    if not isinstance(old.root, Mapping) or old.root.flow or old.aliased:
        return None
    if any(f.code not in _LOCAL_SYNTAX for f in old.syntax):
        return None
    if yaml_only_breaks(text) or size_problem(text):
        return None
    lines = split_lines(text)
    edit = _changed(old.lines, lines)
    if edit is None:
        return None
    delta = len(lines) - len(old.lines)
    for unit in reversed(_units(old, edit, schema)):
        if unit.end + delta <= unit.start or not _plain_layout(unit, lines, delta):
            continue  # a shallower unit may still hold the edit
        result = _reparse(old, unit, text, lines, delta)
        if result is not _OTHER_CHILD:
            return result  # a Splice, or None: the slice does not parse alone
    return None


def _changed(old: list[str], new: list[str]) -> tuple[int, int] | None:
    """The first and last old line that an edit replaced; for lines only inserted, the line
    before them. None if nothing changed or the edit reaches the first line."""
    shorter = min(len(old), len(new))
    first = 0
    while first < shorter and old[first] == new[first]:
        first += 1
    if first == len(old) == len(new):
        return None
    same_tail = 0
    while same_tail < shorter - first and old[-1 - same_tail] == new[-1 - same_tail]:
        same_tail += 1
    last = len(old) - same_tail - 1
    if last < first:  # only inserted: the lines go to the end of the unit before them
        first = last = first - 1
    return (first, last) if first >= 0 else None


def _units(old: ParsedDocument, edit: tuple[int, int], schema: JsonSchema) -> list[_Unit]:
    """Every unit that holds the edited lines, outermost first."""
    first, last = edit
    node: Node | None = old.root
    data: Any = old.data
    sub: JsonSchema | None = schema
    path: Path = ()
    hi = len(old.lines)
    chain: list[Container] = []
    out: list[_Unit] = []
    while isinstance(node, (Mapping, Sequence)) and not node.flow:
        if sub is not None and not _shape_only(sub):
            break
        found = _slot(node, old.lines, first, last, hi)
        if found is None:
            break
        slot, line, col, end = found
        part: str | int
        if isinstance(node, Mapping):
            pair = node.pairs[slot]
            part, child = pair.key.text, pair.value
            count = len(node.pairs)
        else:
            part, child = slot, node.items[slot]
            count = len(node.items)
        chain = [*chain, Container(path, node, data, sub, slot, slot == count - 1)]
        child_schema = _child(sub, part)
        out.append(_Unit(chain, part, line, end, col, child_schema))
        node, path, hi, sub = child, (*path, part), end, child_schema
        data = data[part] if isinstance(data, (dict, list)) else None
    return out


def _shape_only(schema: JsonSchema) -> bool:
    if not isinstance(schema.get("items", {}), dict):
        return False  # one schema per position: not covered by _child
    return all(k in _SHAPE_ONLY or k.startswith("x-") for k in schema)


def _slot(
    node: Mapping | Sequence, lines: list[str], first: int, last: int, hi: int
) -> tuple[int, int, int, int] | None:
    """(slot, line, column, end line) of the child whose lines hold lines first..last, if that
    child and the next one start their own lines (a key, or a list item's dash)."""
    if isinstance(node, Mapping):
        if len(node.index) != len(node.pairs):  # merged keys ('<<') live between the lines
            return None
        starts = [p.key.span.start for p in node.pairs]
    else:
        starts = [item.span.start for item in node.items]
    slot = bisect_right([s.line for s in starts], first) - 1
    if slot < 0:
        return None
    end = starts[slot + 1].line if slot + 1 < len(starts) else hi
    if last >= end:
        return None
    cols = []
    for start in starts[slot : slot + 2]:
        before = lines[start.line][: start.col]
        if isinstance(node, Mapping):
            if before.strip():  # e.g. the first key of a list item: "- id: x"
                return None
            cols.append(start.col)
        else:
            match = _DASH.fullmatch(before)
            if match is None:
                return None
            cols.append(len(match.group(1)))
    if len(set(cols)) > 1:
        return None
    return slot, starts[slot].line, cols[0], end


def _child(schema: JsonSchema | None, part: str | int) -> JsonSchema | None:
    """The subschema jsonschema applies to one child (None: it validates nothing there)."""
    if schema is None:
        return None
    if isinstance(part, int):
        items = schema.get("items")
        return items if isinstance(items, dict) else None
    props = schema.get("properties")
    if isinstance(props, dict) and part in props:
        child = props[part]
        return child if isinstance(child, dict) else None
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, dict) else None


def _plain_layout(unit: _Unit, lines: list[str], delta: int) -> bool:
    """The edited unit still starts as before and no line inside it reaches its column."""
    col = unit.col
    first = lines[unit.start]
    is_item = isinstance(unit.part, int)
    if is_item:
        match = _DASH.match(first)
        if match is None or len(match.group(1)) != col:
            return False
    elif first[:col].strip() or len(first) <= col or first[col] == " ":
        return False
    for line in lines[unit.start + 1 : unit.end + delta]:
        body = line.lstrip(" ")
        if not body.strip() or body.startswith("#"):
            continue
        indent = len(line) - len(body)
        if indent > col:
            continue
        # Under a key, a block list may sit at the key's own column ("key:\n- item").
        if not is_item and indent == col and _DASH.match(body):
            continue
        return False
    return True


def _reparse(old: ParsedDocument, unit: _Unit, text: str, lines: list[str], delta: int) -> Any:
    """A Splice; None if the slice does not parse alone; _OTHER_CHILD if it parses to some
    other child (a renamed key, say), which a shallower unit may still take."""
    start, end = unit.start, unit.end + delta
    kept_before = [f for f in old.syntax if f.span.start.line < start]
    kept_after = [f for f in old.syntax if f.span.start.line >= unit.end]
    if delta and any(f.code == Code.DUPLICATE_KEY.code for f in kept_after):
        return None  # its message names a line number
    offsets = _line_offsets(text, lines, start, end)
    if offsets is None:
        return None
    lo, hi = offsets
    tail = ""
    if end < len(lines):
        # End the slice where the next sibling's key or dash starts, as the full parse sees it.
        tail = " " * (len(lines[end]) - len(lines[end].lstrip(" ")))
    depth = len(unit.containers) - 1
    fragment = parse_fragment("\n" * start + text[lo:hi] + tail, lines, depth)
    if fragment is None or any(f.code not in _LOCAL_SYNTAX for f in fragment.syntax):
        return None
    replacement = _replacement(old, unit, fragment)
    if replacement is None:
        return _OTHER_CHILD
    shift = _Shift(unit.end, delta)
    root, data = _rebuild(unit.containers, replacement, fragment.root.span.end, shift)
    doc = ParsedDocument(
        text=text,
        lines=lines,
        root=root,
        data=data,
        syntax=[*kept_before, *fragment.syntax, *(shift.finding(f) for f in kept_after)],
        aliased=fragment.aliased,
    )
    path = (*unit.containers[-1].path, unit.part)
    return Splice(doc, path, unit.schema, unit.containers, (unit.start, unit.end), shift)


@dataclass(frozen=True, slots=True)
class _Shift:
    """Moves what lay at or after old line `since` by `delta` lines (an edit added or removed
    lines above it); everything before stays, and is shared with the previous tree."""

    since: int
    delta: int

    def pos(self, pos: Pos) -> Pos:
        return Pos(pos.line + self.delta, pos.col) if pos.line >= self.since else pos

    def span(self, span: Span) -> Span:
        if not self.delta or span.end.line < self.since:
            return span
        return Span(self.pos(span.start), self.pos(span.end))

    def finding(self, finding: Finding) -> Finding:
        moved = self.span(finding.span)
        return finding if moved is finding.span else replace(finding, span=moved)

    def node(self, node: Node) -> Node:
        """The node with its spans moved (itself if nothing in it moves)."""
        if not self.delta or node.span.end.line < self.since:
            return node
        if isinstance(node, Scalar):
            return Scalar(self.span(node.span), node.value, node.text, node.style)
        if isinstance(node, Sequence):
            return Sequence(self.span(node.span), [self.node(n) for n in node.items], node.flow)
        assert isinstance(node, Mapping)
        moved = {id(p): self.pair(p) for p in node.pairs}
        index = {k: moved.get(id(p)) or self.pair(p) for k, p in node.index.items()}
        pairs = [moved[id(p)] for p in node.pairs]
        return Mapping(self.span(node.span), pairs, index, node.flow)

    def pair(self, pair: Pair) -> Pair:
        key = self.node(pair.key)
        assert isinstance(key, Scalar)
        return Pair(key, self.node(pair.value))


def _line_offsets(text: str, lines: list[str], start: int, end: int) -> tuple[int, int] | None:
    """Character offsets where lines `start` and `end` begin (`end` may be past the last)."""
    if "\r" not in text:  # every break is one "\n"
        lo = sum(map(len, lines[:start])) + start
        if end >= len(lines):
            return lo, len(text)
        return lo, lo + sum(map(len, lines[start:end])) + end - start
    found = {0: 0}
    for line, match in enumerate(_BREAK.finditer(text), start=1):
        if line in (start, end):
            found[line] = match.end()
        if line >= end:
            break
    if start not in found:
        return None
    return found[start], found.get(end, len(text))


def _replacement(old: ParsedDocument, unit: _Unit, fragment: Fragment) -> tuple[Any, Any] | None:
    """The new child (a Pair or an item node) and its data, if the slice is that one child."""
    root = fragment.root
    parent = unit.containers[-1].node
    if isinstance(unit.part, int):
        if not isinstance(root, Sequence) or root.flow or len(root.items) != 1:
            return None
        return root.items[0], fragment.data[0]
    if not isinstance(root, Mapping) or root.flow or len(root.pairs) != 1 or len(root.index) != 1:
        return None
    pair = root.pairs[0]
    before = parent.pairs[unit.containers[-1].slot] if isinstance(parent, Mapping) else None
    if before is None or pair.key.text != before.key.text or pair.key.span != before.key.span:
        return None
    if pair.key.style != before.key.style:
        return None
    return pair, fragment.data[pair.key.text]


def _rebuild(
    containers: list[Container], child: tuple[Any, Any], end: Pos, shift: _Shift
) -> tuple[Node, Any]:
    """Copies of the containers above the unit, innermost first, with the new child in place
    and the children after it moved by the lines the edit added or removed.

    A container whose last descendant is the unit ends where the slice's root ends: both
    are trimmed back from the same next token (or the end of the text).
    """
    node, data = child
    still_last = True
    for c in reversed(containers):
        still_last = still_last and c.last
        start = c.node.span.start
        span = Span(start, end) if still_last else Span(start, shift.pos(c.node.span.end))
        if isinstance(c.node, Mapping):
            old_pair = c.node.pairs[c.slot]
            pair = node if isinstance(node, Pair) else Pair(old_pair.key, node)
            pairs = list(c.node.pairs)
            pairs[c.slot] = pair
            pairs[c.slot + 1 :] = [shift.pair(p) for p in pairs[c.slot + 1 :]]
            index = {p.key.text: p for p in pairs}  # no merged keys here (see _slot)
            new_data = dict(c.data)
            new_data[pair.key.text] = data
            node = Mapping(span=span, pairs=pairs, index=index, flow=c.node.flow)
        else:
            items = list(c.node.items)
            items[c.slot] = node
            items[c.slot + 1 :] = [shift.node(n) for n in items[c.slot + 1 :]]
            new_data = list(c.data)
            new_data[c.slot] = data
            node = Sequence(span=span, items=items, flow=c.node.flow)
        data = new_data
    return node, data


def data_at(data: Any, path: Path) -> Any:
    """The value at a data path of plain data (the path is known to exist)."""
    for part in path:
        data = data[part]
    return data


def shallow(schema: JsonSchema) -> JsonSchema:
    """The schema's checks of a container's own shape, without descending into its children."""
    out = dict(schema)
    if isinstance(out.get("properties"), dict):
        out["properties"] = {key: True for key in out["properties"]}
    out.pop("items", None)  # item counts are checked without it
    if isinstance(out.get("additionalProperties"), dict):
        out["additionalProperties"] = True
    return out
