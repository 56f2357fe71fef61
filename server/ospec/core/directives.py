"""In-file comments that steer analysis: the profile modeline and suppressions (core).

    # ospec: profile=strict
    # ospec-disable OSPEC-R004, OSPEC-S002        (whole file)
    # ospec-disable-next-line OSPEC-R003          (the line below)

A suppression without codes applies to every code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .codes import Code
from .model import Finding, Span
from .schema import PROFILES

ALL = "*"
_DIRECTIVE = re.compile(r"^\s*#\s*(ospec-disable-next-line|ospec-disable|ospec:)(.*)$")
_CODE = re.compile(r"[A-Za-z]+-[A-Za-z]\d{3}")


@dataclass(slots=True)
class Directives:
    profile: str | None = None
    file_codes: set[str] = field(default_factory=set)
    line_codes: dict[int, set[str]] = field(default_factory=dict)
    problems: list[Finding] = field(default_factory=list)

    def suppresses(self, finding: Finding) -> bool:
        line = self.line_codes.get(finding.span.start.line, set())
        return any(ALL in codes or finding.code in codes for codes in (self.file_codes, line))


def read_directives(lines: list[str]) -> Directives:
    out = Directives()
    for no, line in enumerate(lines):
        if "ospec" not in line:
            continue
        match = _DIRECTIVE.match(line)
        if not match:
            continue
        kind, rest = match.group(1), match.group(2)
        if kind == "ospec:":
            _modeline(out, no, line, rest)
            continue
        codes = {c.upper() for c in _CODE.findall(rest)} or {ALL}
        target = (
            out.file_codes if kind == "ospec-disable" else out.line_codes.setdefault(no + 1, set())
        )
        target |= codes
    return out


def _modeline(out: Directives, no: int, line: str, rest: str) -> None:
    for item in filter(None, (p.strip() for p in re.split(r"[,\s]+", rest))):
        key, _, value = item.partition("=")
        if key == "profile" and value in PROFILES:
            out.profile = value
            continue
        col = line.find(item)
        out.problems.append(
            Finding(
                Code.DIRECTIVE.code,
                f"unknown ospec modeline setting '{item}' (supported: "
                f"profile={'|'.join(PROFILES)})",
                Code.DIRECTIVE.severity,
                Span.of(no, col, no, col + len(item)),
            )
        )
