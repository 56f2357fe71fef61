"""Render findings for people and machines: text, JSON, SARIF 2.1.0, GitHub annotations (edge)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from . import __version__
from .core import Code, Finding, Severity

SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


@dataclass(frozen=True, slots=True)
class Located:
    """A finding in a named file, with 1-based line and column numbers (end column exclusive)."""

    path: str
    finding: Finding

    @property
    def line(self) -> int:
        return self.finding.span.start.line + 1

    @property
    def column(self) -> int:
        return self.finding.span.start.col + 1

    @property
    def end_line(self) -> int:
        return self.finding.span.end.line + 1

    @property
    def end_column(self) -> int:
        return self.finding.span.end.col + 1

    def as_json(self) -> dict[str, object]:
        f = self.finding
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "severity": f.severity.label,
            "code": f.code,
            "message": f.message,
        }


def text(items: list[Located]) -> str:
    return "".join(
        f"{i.path}:{i.line}:{i.column}: {f.severity.label} {f.code} {f.message}\n"
        for i in items
        for f in [i.finding]
    )


def as_json(items: list[Located]) -> str:
    return json.dumps([i.as_json() for i in items], indent=2, ensure_ascii=False) + "\n"


def sarif(items: list[Located]) -> str:
    codes = list(Code)
    index = {c.code: n for n, c in enumerate(codes)}
    rules = [
        {
            "id": c.code,
            "name": "".join(w.capitalize() for w in c.name.split("_")),
            "shortDescription": {"text": c.title},
            "defaultConfiguration": {"level": SARIF_LEVEL[c.severity]},
        }
        for c in codes
    ]
    results = [
        {
            "ruleId": i.finding.code,
            "ruleIndex": index[i.finding.code],
            "level": SARIF_LEVEL[i.finding.severity],
            "message": {"text": i.finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(i.path)},
                        "region": {
                            "startLine": i.line,
                            "startColumn": i.column,
                            "endLine": i.end_line,
                            "endColumn": i.end_column,
                        },
                    }
                }
            ],
        }
        for i in items
    ]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ospec",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def github(items: list[Located]) -> str:
    lines = []
    for i in items:
        props = ",".join(
            f"{k}={_gh_prop(str(v))}"
            for k, v in (
                ("file", i.path),
                ("line", i.line),
                ("col", i.column),
                ("endLine", i.end_line),
                ("endColumn", i.end_column),
                ("title", i.finding.code),
            )
        )
        lines.append(
            f"::{GITHUB_LEVEL[i.finding.severity]} {props}::{_gh_data(i.finding.message)}\n"
        )
    return "".join(lines)


def _uri(path: str) -> str:
    return path.replace("\\", "/").removeprefix("./")


def _gh_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(value: str) -> str:
    return _gh_data(value).replace(":", "%3A").replace(",", "%2C")


FORMATS: dict[str, Callable[[list[Located]], str]] = {
    "text": text,
    "json": as_json,
    "sarif": sarif,
    "github": github,
}
