"""Where the cursor is in YAML that may be half typed: key path, key or value, typed prefix (core).

Completion runs on text that often does not parse yet, so this works from the lines and
their indentation, not from the parsed tree. Block mappings and lists, and one-line flow
mappings/lists on the cursor's line, are understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .model import Pos, Span

Path = tuple[str | int, ...]
Kind = Literal["key", "value"]

_KEY_LINE = re.compile(
    r"^(?P<indent> *)(?P<dash>(?:- +)*)"
    r"(?P<key>[^\s#'\"{}\[\],:][^:#]*?|\"[^\"]*\"|'[^']*')\s*:(?:\s|$)"
)
_DASH = re.compile(r"^(?P<indent> *)(?P<dash>(?:- +)+|-$)")
_WORD = re.compile(r"[\w.\-/@$]*$")


@dataclass(frozen=True, slots=True)
class CursorContext:
    kind: Kind
    # For "key": the path of the mapping the key goes into.
    # For "value": the path of the value being typed (a key's value or a list item).
    path: Path
    prefix: str
    replace: Span
    # Keys already present in the mapping (for "key").
    present: frozenset[str] = frozenset()
    # Column where this mapping's keys start (for multi-line insertions).
    indent: int = 0
    in_flow: bool = False
    # The value is inside quotes (so inserted text must not add its own).
    quoted: bool = False


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _significant(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _key_of(line: str) -> tuple[int, str] | None:
    """(column of the key, key text) for `key:` / `- key:` lines."""
    match = _KEY_LINE.match(line)
    if not match:
        return None
    col = len(match.group("indent")) + len(match.group("dash"))
    key = match.group("key").strip()
    if key[:1] in "\"'":
        key = key[1:-1]
    return col, key


def _dash_col(line: str) -> int | None:
    """Column of the content after the last '- ' of a list-item line, or None."""
    match = _DASH.match(line)
    if not match:
        return None
    return len(match.group("indent")) + len(match.group("dash"))


def locate(lines: list[str], pos: Pos) -> CursorContext:
    """The completion context at pos (a code-point position inside lines)."""
    line = lines[pos.line] if pos.line < len(lines) else ""
    before = line[: pos.col]
    word = _WORD.search(before)
    start = pos.col - len(word.group(0)) if word else pos.col
    end = pos.col
    while end < len(line) and re.match(r"[\w.\-/@$]", line[end]):
        end += 1
    replace = Span(Pos(pos.line, start), Pos(pos.line, end))
    prefix = before[start:]

    flow = _flow_context(lines, pos, before, replace, prefix)
    if flow is not None:
        return flow

    key = _key_of(before)
    if key is not None and ":" in before[key[0] :]:
        # `key: val‸`: a value for that key.
        col, name = key
        parents, _ = _parents(lines, pos.line, col, before)
        value = before.split(":", 1)[1]
        quoted = value.lstrip()[:1] in ("'", '"')
        if quoted:
            start = before.index(value.lstrip()[0], len(before) - len(value)) + 1
            replace = Span(Pos(pos.line, start), replace.end)
            prefix = before[start:]
        return CursorContext("value", (*parents, name), prefix, replace, indent=col, quoted=quoted)

    dash = _dash_col(before)
    col = dash if dash is not None else _indent(before) if before.strip() else pos.col
    parents, present = _parents(lines, pos.line, col, before)
    if dash is not None and before[dash:].strip() == prefix:
        # `- ‸`: a new list item; whether it is a mapping or a value is the schema's call.
        index = _item_index(lines, pos.line, dash)
        return CursorContext("key", (*parents, index), prefix, replace, frozenset(), col)
    return CursorContext("key", parents, prefix, replace, frozenset(present), col)


def _parents(lines: list[str], line_no: int, col: int, current: str) -> tuple[Path, set[str]]:
    """The path of the mapping whose keys start at col, and the keys it already has."""
    path: list[str | int] = []
    present: set[str] = set()
    limit = col
    collecting = True
    # Keys of the same mapping below the cursor count as present too.
    for below in lines[line_no + 1 :]:
        if not _significant(below):
            continue
        ind = _indent(below)
        if ind < col or (ind == col - 2 and _dash_col(below) is not None):
            break
        key = _key_of(below)
        if key and key[0] == col and _dash_col(below) is None:
            present.add(key[1])
    for i in range(line_no - 1, -1, -1):
        text = lines[i]
        if not _significant(text):
            continue
        ind = _indent(text)
        dash = _dash_col(text)
        key = _key_of(text)
        if dash is not None and dash <= limit and ind < limit:
            # A list item line: its content column is where the item's mapping keys start.
            if dash == limit and collecting and key and key[0] == limit:
                present.add(key[1])
            path.append(_item_index(lines, i, dash))
            collecting = False
            limit = ind
            continue
        if ind < limit and key is not None:
            path.append(key[1])
            collecting = False
            limit = ind
            continue
        if collecting and key is not None and key[0] == limit and ind == limit:
            present.add(key[1])
        if limit == 0 and not collecting:
            break
    path.reverse()
    return tuple(path), present


def _item_index(lines: list[str], line_no: int, content_col: int) -> int:
    """How many list items at the same dash column come before this one in the same list."""
    dash_at = _indent(lines[line_no])
    count = 0
    for i in range(line_no - 1, -1, -1):
        text = lines[i]
        if not _significant(text):
            continue
        ind = _indent(text)
        if ind < dash_at:
            break
        if ind == dash_at and _dash_col(text) is not None:
            count += 1
    return count


def _flow_context(
    lines: list[str], pos: Pos, before: str, replace: Span, prefix: str
) -> CursorContext | None:
    """Inside an unclosed { or [ on the cursor's line: a flow mapping or flow list."""
    depth: list[tuple[str, int]] = []
    quote = ""
    for i, ch in enumerate(before):
        if quote:
            if ch == quote:
                quote = ""
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "{[":
            depth.append((ch, i))
        elif ch in "}]" and depth:
            depth.pop()
    if not depth:
        return None
    opener, at = depth[-1]
    head = before[:at]
    inner = before[at + 1 :]
    # The collection's own path: a `key: {` / `- {` / `key: [` on this line.
    owner_key = _key_of(head)
    dash = _dash_col(head)
    base_col = owner_key[0] if owner_key else dash if dash is not None else _indent(head)
    parents, _ = _parents(lines, pos.line, base_col, head)
    if owner_key:
        path: Path = (*parents, owner_key[1])
    elif dash is not None:
        path = (*parents, _item_index(lines, pos.line, dash))
    else:
        path = parents
    segment = re.split(r",", inner)[-1]
    quoted = segment.lstrip()[:1] in ("'", '"')
    if opener == "[":
        index = inner.count(",")
        return CursorContext("value", (*path, index), prefix, replace, in_flow=True, quoted=quoted)
    if ":" in segment:
        name = segment.split(":", 1)[0].strip().strip("\"'")
        return CursorContext("value", (*path, name), prefix, replace, in_flow=True, quoted=quoted)
    rest = lines[pos.line][pos.col :] if pos.line < len(lines) else ""
    keys = re.findall(r"([^,{}:]+):", inner + rest)
    present = frozenset(k.strip().strip("\"'") for k in keys)
    return CursorContext("key", path, prefix, replace, present, in_flow=True)
