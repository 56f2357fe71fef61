"""The one bridge between core positions (code points) and LSP positions and types (edge).

Core columns count code points; the client counts UTF-16 units unless it negotiated UTF-8
or UTF-32 (Neovim 0.11 prefers UTF-8, Emacs UTF-32). Lines split on \\n, \\r\\n and \\r only,
as both YAML and LSP define them.
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from ..core import Finding, Pos, Severity, Span

SOURCE = "ospec"

SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


def _units(char: str, encoding: str) -> int:
    cp = ord(char)
    if encoding == types.PositionEncodingKind.Utf32:
        return 1
    if encoding == types.PositionEncodingKind.Utf8:
        return 1 if cp < 0x80 else 2 if cp < 0x800 else 3 if cp < 0x10000 else 4
    return 2 if cp > 0xFFFF else 1


class Units:
    """Converts columns between code points and the negotiated client encoding."""

    def __init__(self, encoding: str = types.PositionEncodingKind.Utf16) -> None:
        self.encoding = str(encoding)

    def width(self, text: str) -> int:
        if self.encoding == types.PositionEncodingKind.Utf32 or text.isascii():
            return len(text)
        return sum(_units(c, self.encoding) for c in text)

    def to_client(self, lines: Sequence[str], pos: Pos) -> types.Position:
        if not lines:
            return types.Position(line=0, character=0)
        if pos.line >= len(lines):
            last = len(lines) - 1
            return types.Position(line=last, character=self.width(lines[last]))
        line = lines[pos.line]
        return types.Position(line=pos.line, character=self.width(line[: min(pos.col, len(line))]))

    def from_client(self, lines: Sequence[str], position: types.Position) -> Pos:
        """A code-point position; past-the-end lines/columns clamp, half characters round down."""
        if not lines:
            return Pos(0, 0)
        if position.line >= len(lines):
            return Pos(len(lines) - 1, len(lines[-1]))
        line = lines[position.line]
        if line.isascii() or self.encoding == types.PositionEncodingKind.Utf32:
            return Pos(position.line, min(max(position.character, 0), len(line)))
        units = col = 0
        for char in line:
            step = _units(char, self.encoding)
            if units + step > position.character:
                break
            units += step
            col += 1
        return Pos(position.line, col)

    def range(self, lines: Sequence[str], span: Span) -> types.Range:
        return types.Range(
            start=self.to_client(lines, span.start), end=self.to_client(lines, span.end)
        )


def diagnostic(
    finding: Finding, lines: Sequence[str], units: Units, source: str = SOURCE
) -> types.Diagnostic:
    return types.Diagnostic(
        range=units.range(lines, finding.span),
        message=finding.message,
        severity=SEVERITY[finding.severity],
        code=finding.code,
        source=source,
        data={"code": finding.code, **finding.data},
    )
