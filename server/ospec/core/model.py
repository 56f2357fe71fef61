"""Core data types shared by every analysis step (core: stdlib only)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.IntEnum):
    """How much a finding matters; lower is worse, so sorting puts errors first."""

    ERROR = 1
    WARNING = 2
    INFO = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use error, warning or info)") from None


@dataclass(frozen=True, slots=True, order=True)
class Pos:
    """A position in the text: 0-based line, 0-based column in code points."""

    line: int
    col: int


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A half-open range of text, start inclusive, end exclusive."""

    start: Pos
    end: Pos

    @classmethod
    def of(cls, line: int, col: int, end_line: int, end_col: int) -> Span:
        return cls(Pos(line, col), Pos(end_line, end_col))

    def contains(self, pos: Pos) -> bool:
        return self.start <= pos <= self.end


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in a document, with a stable code and the range it is about."""

    code: str
    message: str
    severity: Severity
    span: Span
    # Facts a quick fix needs (e.g. the suggested replacement); never shown to users.
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def sort_key(self) -> tuple[Pos, Pos, str, str]:
        return (self.span.start, self.span.end, self.code, self.message)
