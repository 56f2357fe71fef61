"""Open documents as the client sees them, with edits applied in LSP line terms (edge).

We keep our own store instead of pygls's workspace: pygls splits lines with
str.splitlines, which also breaks on \\f, \\x1c, \\u2028 and others, so incremental edits
after such characters would land in the wrong place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlparse

from lsprotocol import types

from ..core import Pos
from ..core.yamldoc import split_lines
from .convert import Units

_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(slots=True, eq=False)
class OpenDocument:
    uri: str
    text: str
    version: int
    language_id: str = ""
    _lines: list[str] | None = field(default=None, repr=False)
    _starts: list[int] | None = field(default=None, repr=False)
    # Per-version results computed from this text (analysis, outline, ...), dropped on edit.
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = split_lines(self.text)
        return self._lines

    @property
    def path(self) -> str | None:
        parsed = urlparse(self.uri)
        return unquote(parsed.path) if parsed.scheme == "file" else None

    @property
    def filename(self) -> str | None:
        name = (self.path or urlparse(self.uri).path).rsplit("/", 1)[-1]
        return unquote(name) or None

    def offset(self, pos: Pos) -> int:
        """Code-point offset into text of a code-point position (clamped to its line)."""
        if self._starts is None:
            self._starts = [0, *(m.end() for m in _BREAK.finditer(self.text))]
        if pos.line >= len(self._starts):
            return len(self.text)
        return self._starts[pos.line] + min(pos.col, len(self.lines[pos.line]))

    def apply(self, change: types.TextDocumentContentChangeEvent, units: Units) -> None:
        if isinstance(change, types.TextDocumentContentChangePartial):
            start = units.from_client(self.lines, change.range.start)
            end = units.from_client(self.lines, change.range.end)
            if end < start:
                start, end = end, start
            lo, hi = self.offset(start), self.offset(end)
            self.text = self.text[:lo] + change.text + self.text[hi:]
        else:
            self.text = change.text
        self._lines = self._starts = None
        self.cache.clear()


class Documents:
    def __init__(self) -> None:
        self._open: dict[str, OpenDocument] = {}

    def open(self, item: types.TextDocumentItem) -> OpenDocument:
        doc = OpenDocument(item.uri, item.text, item.version, item.language_id)
        self._open[item.uri] = doc
        return doc

    def change(
        self, params: types.DidChangeTextDocumentParams, units: Units
    ) -> OpenDocument | None:
        doc = self._open.get(params.text_document.uri)
        if doc is None:
            return None
        for change in params.content_changes:
            doc.apply(change, units)
        doc.version = params.text_document.version
        return doc

    def close(self, uri: str) -> None:
        self._open.pop(uri, None)

    def get(self, uri: str) -> OpenDocument | None:
        return self._open.get(uri)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self._open.values()))
