"""Parse YAML text into a position-aware node tree plus plain data (core: no I/O).

ruamel.yaml's C composer (ruamel.yaml.clib) gives nodes with line/column marks about ten
times faster than round-trip mode; the pure-Python composer is the fallback.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode as RMapping
from ruamel.yaml.nodes import Node as RNode
from ruamel.yaml.nodes import ScalarNode as RScalar
from ruamel.yaml.nodes import SequenceNode as RSequence
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import VersionedResolver

from .codes import Code
from .model import Finding, Pos, Severity, Span

MAX_DEPTH = 200
# Bounds on what we compose at all, so any input finishes in seconds with bounded memory.
MAX_CHARS = 8_000_000
MAX_ENTRIES = 200_000
# Nodes that may be re-visited through aliases before we call it an alias bomb.
MAX_ALIAS_EXPANSION = 100_000

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_SPECIAL_FLOATS = {
    ".inf": float("inf"),
    "+.inf": float("inf"),
    "-.inf": float("-inf"),
    ".nan": float("nan"),
}


@dataclass(slots=True, eq=False)
class Node:
    span: Span


@dataclass(slots=True, eq=False)
class Scalar(Node):
    value: Any
    text: str
    # None for plain scalars; one of ' " | > for quoted and block styles.
    style: str | None = None


@dataclass(slots=True, eq=False)
class Pair:
    key: Scalar
    value: Node


@dataclass(slots=True, eq=False)
class Mapping(Node):
    pairs: list[Pair] = field(default_factory=list)
    index: dict[str, Pair] = field(default_factory=dict)
    flow: bool = False


@dataclass(slots=True, eq=False)
class Sequence(Node):
    items: list[Node] = field(default_factory=list)
    flow: bool = False


@dataclass(slots=True, eq=False)
class ParsedDocument:
    """The result of parsing one text: the tree (if any), its data, and syntax findings."""

    text: str
    lines: list[str]
    root: Node | None
    data: Any
    syntax: list[Finding]
    # True when an alias re-used a node: then no part of the text can be re-parsed alone.
    aliased: bool = False
    # Results derived from this exact tree (e.g. the task list), computed once on first use.
    memo: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def usable(self) -> bool:
        """True when there is a mapping to run schema checks and rules on."""
        return isinstance(self.root, Mapping)

    def scalars(self) -> Iterator[tuple[tuple[str | int, ...], Scalar]]:
        """Every value scalar with its data path, in document order."""
        stack: list[tuple[tuple[str | int, ...], Node]] = [((), self.root)] if self.root else []
        while stack:
            path, node = stack.pop()
            if isinstance(node, Scalar):
                yield path, node
            elif isinstance(node, Mapping):
                stack.extend(((*path, p.key.text), p.value) for p in reversed(node.pairs))
            elif isinstance(node, Sequence):
                stack.extend(((*path, i), n) for i, n in reversed(list(enumerate(node.items))))

    def node_at(
        self, path: Iterator[str | int] | list[str | int] | tuple[str | int, ...]
    ) -> Node | None:
        """The node at a data path (keys and list indices), or None."""
        node = self.root
        for part in path:
            if isinstance(node, Mapping) and isinstance(part, str):
                pair = node.index.get(part)
                node = pair.value if pair else None
            elif (
                isinstance(node, Sequence) and isinstance(part, int) and 0 <= part < len(node.items)
            ):
                node = node.items[part]
            else:
                return None
        return node

    def pair_at(self, path: list[str | int] | tuple[str | int, ...]) -> Pair | None:
        """The key/value pair whose key is the last element of path, or None."""
        if not path or not isinstance(path[-1], str):
            return None
        parent = self.node_at(path[:-1])
        return parent.index.get(path[-1]) if isinstance(parent, Mapping) else None

    def line_span(self, line: int) -> Span:
        """The whole text of one line (without its line break), clamped to the document."""
        line = max(0, min(line, len(self.lines) - 1))
        return Span.of(line, 0, line, len(self.lines[line]) if self.lines else 0)


def split_lines(text: str) -> list[str]:
    """Lines without terminators; YAML's line breaks only (not str.splitlines' extras)."""
    if "\r" not in text:
        return text.split("\n")  # the same lines, several times faster
    return re.split(r"\r\n|\r|\n", text)


# YAML also breaks lines at NEL, LS and PS; LSP and our `lines` do not.
_YAML_ONLY_BREAKS = re.compile("[\x85\u2028\u2029]")


class _Marks:
    """ruamel marks to positions in `lines`: by line/column, or by character index when the
    text holds line breaks that only YAML counts."""

    def __init__(self, text: str, lines: list[str]) -> None:
        self.starts: list[int] | None = None
        if _YAML_ONLY_BREAKS.search(text):
            self.starts = [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
            self.starts.insert(0, 0)
        self.lines = lines

    def pos(self, mark: Any) -> Pos:
        if self.starts is None:
            return Pos(mark.line, mark.column)
        line = bisect_right(self.starts, mark.index) - 1
        return _clamp(Pos(line, mark.index - self.starts[line]), self.lines)


_LOCAL = threading.local()


class _OnceVersionedResolver(VersionedResolver):
    """The C parser asks the resolver about every node, and each time the YAML version is
    looked up anew (through two caught AttributeErrors): about a fifth of composing a large
    document. With the C parser that version cannot change during a parse (one resolver per
    parse), so look it up once."""

    @property
    def versioned_resolver(self) -> Any:
        try:
            return self._ospec_versioned  # type: ignore[has-type]
        except AttributeError:
            self._ospec_versioned = VersionedResolver.versioned_resolver.fget(self)  # type: ignore[attr-defined]
            return self._ospec_versioned


def _yaml() -> YAML:
    """One YAML object per thread: ruamel's composers are not re-entrant."""
    yaml = getattr(_LOCAL, "yaml", None)
    if yaml is None:
        try:
            yaml = YAML(typ="safe", pure=False)
            yaml.Resolver = _OnceVersionedResolver
            yaml.composer  # noqa: B018 - fails early if the C extension is missing
        except Exception:  # pragma: no cover - only without ruamel.yaml.clib
            yaml = YAML(typ="safe", pure=True)
        _LOCAL.yaml = yaml
    return yaml


def parse(text: str) -> ParsedDocument:
    """Parse text; never raises for any input."""
    lines = split_lines(text)
    doc = ParsedDocument(text=text, lines=lines, root=None, data=None, syntax=[])
    too_large = _size_problem(text)
    if too_large:
        doc.syntax.append(_finding(Code.TOO_LARGE, too_large, doc.line_span(0)))
        return doc
    marks = _Marks(text, lines)
    composed = _compose(text, doc, marks)
    if composed is None:
        if not doc.syntax:
            doc.syntax.append(
                _finding(
                    Code.EMPTY_DOCUMENT,
                    "the document is empty: an OSpec spec is a YAML "
                    "mapping that starts with ospec_version, id, name, ...",
                    Span.of(0, 0, 0, 0),
                )
            )
        return doc
    converter = _Converter(doc, marks)
    try:
        doc.root, doc.data = converter.convert(composed, 0)
    except _Refused as refused:
        doc.syntax.append(_finding(refused.code, str(refused), refused.span))
        return doc
    doc.aliased = converter.revisits > 0
    if not isinstance(doc.root, Mapping):
        kind = _kind(doc.root)
        doc.syntax.append(
            _finding(
                Code.ROOT_NOT_MAPPING,
                f"the document root must be a mapping of keys "
                f"(ospec_version: ..., id: ...), not {kind}",
                _trim(doc.root.span, lines),
            )
        )
    return doc


@dataclass(slots=True)
class Fragment:
    """One re-parsed slice of a document: its tree and data, and the findings it raised."""

    root: Node
    data: Any
    syntax: list[Finding]
    aliased: bool


def parse_fragment(text: str, lines: list[str], depth: int) -> Fragment | None:
    """Parse a slice of a document, padded so that its marks are the document's positions.

    `lines` are the whole document's lines (spans are clamped and trimmed against them) and
    `depth` the nesting depth of the slice's root. None when the slice does not parse cleanly
    on its own (any syntax error, a second document, too deep, an alias bomb).
    """
    doc = ParsedDocument(text=text, lines=lines, root=None, data=None, syntax=[])
    marks = _Marks(text, lines)
    composed = _compose(text, doc, marks)
    if composed is None or doc.syntax:
        return None
    converter = _Converter(doc, marks)
    try:
        root, data = converter.convert(composed, depth)
    except _Refused:
        return None
    return Fragment(root, data, doc.syntax, converter.revisits > 0)


def yaml_only_breaks(text: str) -> bool:
    """True if text holds line breaks that YAML counts and LSP does not (NEL, LS, PS)."""
    return _YAML_ONLY_BREAKS.search(text) is not None


def size_problem(text: str) -> str | None:
    """Why text is too large to analyse, or None."""
    return _size_problem(text)


def _size_problem(text: str) -> str | None:
    if len(text) > MAX_CHARS:
        return (
            f"the document has {len(text):,} characters; ospec analyses at most "
            f"{MAX_CHARS:,} (split the spec or trim embedded content)"
        )
    # Keys and flow items are what cost time and memory; a cheap upper bound of their count.
    entries = text.count(":") + text.count(",")
    if entries > MAX_ENTRIES:
        return (
            f"the document has about {entries:,} keys and list items; ospec analyses at most "
            f"{MAX_ENTRIES:,}"
        )
    return None


def _compose(text: str, doc: ParsedDocument, marks: _Marks) -> RNode | None:
    first: RNode | None = None
    try:
        for i, node in enumerate(_yaml().compose_all(text)):
            if i == 0:
                first = node
                continue
            start = marks.pos(node.start_mark) if node is not None else Pos(len(doc.lines) - 1, 0)
            doc.syntax.append(
                _finding(
                    Code.MULTIPLE_DOCUMENTS,
                    "a spec file holds one YAML document; this second document ('---') is ignored",
                    _line_rest(start, doc.lines),
                )
            )
            break
    except MarkedYAMLError as err:
        doc.syntax.append(_syntax_finding(err, doc.lines, marks))
    except ReaderError as err:
        char = (
            err.character if isinstance(err.character, int) else ord(str(err.character)[:1] or " ")
        )
        # The reader's position can run past the character; its first occurrence is the culprit.
        offset = text.find(chr(char))
        pos = _clamp(_offset_to_pos(text, offset if offset >= 0 else err.position), doc.lines)
        end = Pos(pos.line, min(pos.col + 1, len(doc.lines[pos.line])))
        message = f"character U+{char:04X} is not allowed in YAML text"
        doc.syntax.append(_finding(Code.SYNTAX, message, Span(pos, end)))
    except (YAMLError, RecursionError, ValueError, TypeError) as err:
        doc.syntax.append(
            _finding(Code.SYNTAX, f"YAML could not be read: {err}", Span.of(0, 0, 0, 0))
        )
    return first


def _syntax_finding(err: MarkedYAMLError, lines: list[str], marks: _Marks) -> Finding:
    mark = err.problem_mark or err.context_mark
    pos = _clamp(marks.pos(mark) if mark else Pos(0, 0), lines)
    problem = (err.problem or "invalid YAML").strip()
    line = lines[pos.line] if lines else ""
    if "'\\t'" in problem or (pos.col < len(line) and line[pos.col] == "\t"):
        col = line.index("\t") if "\t" in line else pos.col
        return _finding(
            Code.TAB,
            "tab character in indentation: YAML indents with spaces only",
            Span.of(pos.line, col, pos.line, col + 1),
        )
    context = f" {err.context.strip()}" if err.context else ""
    if err.context_mark and err.problem_mark:
        started = marks.pos(err.context_mark).line
        if started != marks.pos(err.problem_mark).line:
            context += f" (started on line {started + 1})"
    message = f"YAML syntax error: {problem}{context}"
    end = Pos(pos.line, min(len(line), pos.col + 1)) if pos.col < len(line) else pos
    return _finding(Code.SYNTAX, message, Span(pos, end))


class _Refused(Exception):
    """The tree is too big or deep to process safely; carries the finding to report."""

    def __init__(self, code: Code, message: str, span: Span) -> None:
        super().__init__(message)
        self.code = code
        self.span = span


class _Converter:
    """Turn ruamel nodes into our nodes and plain data, resolving aliases and merge keys."""

    def __init__(self, doc: ParsedDocument, marks: _Marks) -> None:
        self.doc = doc
        self.marks = marks
        self.seen: set[int] = set()
        self.revisits = 0

    def convert(self, node: RNode, depth: int) -> tuple[Node, Any]:
        if id(node) in self.seen:
            self.revisits += 1
            if self.revisits > MAX_ALIAS_EXPANSION:
                raise _Refused(
                    Code.ALIAS_LIMIT,
                    f"aliases expand to more than "
                    f"{MAX_ALIAS_EXPANSION:,} nodes; refusing to expand them "
                    "(is this an alias bomb?)",
                    _trim(self._span(node), self.doc.lines),
                )
        else:
            self.seen.add(id(node))
        if depth > MAX_DEPTH:
            raise _Refused(
                Code.TOO_DEEP,
                f"nesting deeper than {MAX_DEPTH} levels is not supported",
                _trim(self._span(node), self.doc.lines),
            )
        if isinstance(node, RScalar):
            return self._scalar(node)
        if isinstance(node, RSequence):
            return self._sequence(node, depth)
        if isinstance(node, RMapping):
            return self._mapping(node, depth)
        raise TypeError(f"unexpected node {node!r}")  # pragma: no cover

    def _span(self, node: RNode) -> Span:
        start, end = node.start_mark, node.end_mark
        if self.marks.starts is None:  # the common case, inlined: called for every node
            return Span(Pos(start.line, start.column), Pos(end.line, end.column))
        return Span(self.marks.pos(start), self.marks.pos(end))

    def _scalar(self, node: RScalar) -> tuple[Node, Any]:
        tag = node.tag
        if tag in (_STR, _TIMESTAMP):
            value: Any = node.value
        elif tag == _NULL:
            value = None
        elif tag == _BOOL:
            value = node.value.lower() == "true"
        elif tag in (_INT, _FLOAT):
            value = _number(node.value, tag)
        else:
            value = node.value
            self.doc.syntax.append(
                _finding(
                    Code.UNKNOWN_TAG,
                    f"unsupported YAML tag {tag}; the value is read as text",
                    self._span(node),
                )
            )
        span = self._span(node)
        return Scalar(span=span, value=value, text=node.value, style=node.style), value

    def _sequence(self, node: RSequence, depth: int) -> tuple[Node, Any]:
        out = Sequence(span=_trim(self._span(node), self.doc.lines), flow=bool(node.flow_style))
        data: list[Any] = []
        for item in node.value:
            child, value = self.convert(item, depth + 1)
            out.items.append(child)
            data.append(value)
        return out, data

    def _mapping(self, node: RMapping, depth: int) -> tuple[Node, Any]:
        out = Mapping(span=_trim(self._span(node), self.doc.lines), flow=bool(node.flow_style))
        data: dict[str, Any] = {}
        merged: list[tuple[Pair, Any]] = []
        for knode, vnode in node.value:
            if knode.tag == _MERGE:
                merged.extend(self._merge_sources(vnode, depth))
                continue
            if not isinstance(knode, RScalar):
                self.doc.syntax.append(
                    _finding(
                        Code.COMPLEX_KEY,
                        "keys must be plain text; a mapping or list used as a key is ignored",
                        _trim(self._span(knode), self.doc.lines),
                    )
                )
                continue
            key = Scalar(
                span=self._span(knode), value=knode.value, text=knode.value, style=knode.style
            )
            value_node, value = self.convert(vnode, depth + 1)
            first = out.index.get(knode.value)
            if first is not None:
                self.doc.syntax.append(
                    _finding(
                        Code.DUPLICATE_KEY,
                        f"duplicate key '{knode.value}' (first defined on "
                        f"line {first.key.span.start.line + 1}); this one is ignored",
                        key.span,
                    )
                )
                continue
            pair = Pair(key, value_node)
            out.pairs.append(pair)
            out.index[knode.value] = pair
            data[knode.value] = value
        # Explicit keys win over merged ones, as YAML's merge key specifies.
        for pair, value in merged:
            if pair.key.text not in out.index:
                out.index[pair.key.text] = pair
                data[pair.key.text] = value
        return out, data

    def _merge_sources(self, vnode: RNode, depth: int) -> list[tuple[Pair, Any]]:
        sources = vnode.value if isinstance(vnode, RSequence) else [vnode]
        found: list[tuple[Pair, Any]] = []
        for src in sources:
            converted, data = self.convert(src, depth + 1)
            if not isinstance(converted, Mapping):
                self.doc.syntax.append(
                    _finding(
                        Code.SYNTAX,
                        "a merge key ('<<') needs a mapping or a list of mappings",
                        converted.span,
                    )
                )
                continue
            found.extend((pair, data[pair.key.text]) for pair in converted.pairs)
        return found


def _number(text: str, tag: str) -> Any:
    """YAML 1.2 int/float text to a number; text that Python cannot read stays text."""
    raw = text.replace("_", "")
    try:
        if tag == _INT:
            sign = -1 if raw.startswith("-") else 1
            digits = raw.lstrip("+-")
            base = {"0b": 2, "0o": 8, "0x": 16}.get(digits[:2].lower(), 10)
            return sign * int(digits[2:] if base != 10 else digits, base)
        return _SPECIAL_FLOATS.get(raw.lower()) or float(raw)
    except ValueError:
        return text


def _offset_to_pos(text: str, offset: int) -> Pos:
    before = text[:offset]
    lines = split_lines(before)
    return Pos(len(lines) - 1, len(lines[-1]))


def _clamp(pos: Pos, lines: list[str]) -> Pos:
    if not lines:
        return Pos(0, 0)
    if pos.line >= len(lines):
        return Pos(len(lines) - 1, len(lines[-1]))
    return Pos(pos.line, min(pos.col, len(lines[pos.line])))


def _trim(span: Span, lines: list[str]) -> Span:
    """Pull a block node's end back from the start of the next line to its last character."""
    start, end = _clamp(span.start, lines), _clamp(span.end, lines)
    line = end.line
    while line > start.line and (
        end.col == 0 or (line == end.line and not lines[line][: end.col].strip())
    ):
        line -= 1
        content = lines[line].rstrip()
        end = Pos(line, len(content))
        if content:
            break
    return Span(start, end)


def _line_rest(start: Pos, lines: list[str]) -> Span:
    start = _clamp(start, lines)
    return Span(start, Pos(start.line, len(lines[start.line]) if lines else 0))


def _kind(node: Node) -> str:
    if isinstance(node, Sequence):
        return "a list"
    if isinstance(node, Scalar):
        return "a single value" if node.value is not None else "an empty value"
    return "a mapping"  # pragma: no cover


def _finding(code: Code, message: str, span: Span, severity: Severity | None = None) -> Finding:
    return Finding(code.code, message, severity or code.severity, span)
