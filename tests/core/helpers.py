"""Run the core on inline YAML; show findings as compact tuples for readable asserts."""

from __future__ import annotations

from textwrap import dedent

from ospec.checker import analyzer
from ospec.core import Finding, Options

MINIMAL = """\
ospec_version: "1.0.0"
id: demo
name: Demo service
description: A small service used by the tests.
outcome_type: api
acceptance:
  http_endpoints:
    - { path: /health, status: 200 }
"""


def findings(
    text: str,
    *,
    filename: str | None = None,
    profile: str = "default",
    rules: dict[str, str] | None = None,
    files: set[str] | None = None,
) -> list[Finding]:
    exists = (lambda p: p in files) if files is not None else None
    options = Options(profile=profile, rules=rules or {})
    return (
        analyzer()
        .analyze(dedent(text), filename=filename, options=options, file_exists=exists)
        .findings
    )


def codes(text: str, **kw: object) -> list[str]:
    return [f.code for f in findings(text, **kw)]  # type: ignore[arg-type]


def where(f: Finding) -> tuple[int, int, int, int]:
    """(line, col, end_line, end_col), 0-based."""
    return (f.span.start.line, f.span.start.col, f.span.end.line, f.span.end.col)


def spec(extra: str = "", **replace: str) -> str:
    """MINIMAL with some top-level lines replaced (key=new value text) and extra lines appended."""
    lines = []
    for line in MINIMAL.splitlines():
        key = line.split(":", 1)[0]
        if key in replace:
            if replace[key] is not None:
                lines.append(f"{key}: {replace[key]}" if replace[key] != "" else f"{key}:")
        else:
            lines.append(line)
    return "\n".join(lines) + "\n" + dedent(extra)
