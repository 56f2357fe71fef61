"""The analysis pipeline shared by the language server, the CLI and the sandbox (core).

syntax → (schema + rules) → settings and suppressions → sorted findings. Schema checks and
rules need a mapping at the root; anything worse stops at the syntax findings.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .codes import BY_CODE
from .directives import read_directives
from .model import Finding, Severity
from .rules import RULES, RuleContext
from .schema import PROFILES, SpecSchema
from .validate import validate
from .yamldoc import ParsedDocument, parse

log = logging.getLogger(__name__)

OFF = "off"
LEVELS = (OFF, "error", "warning", "info")


@dataclass(frozen=True, slots=True)
class Options:
    """What a user can set: the profile and a level per code ("off" disables it)."""

    profile: str = "default"
    rules: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"unknown profile {self.profile!r} (use {' or '.join(PROFILES)})")
        for code, level in self.rules.items():
            if code not in BY_CODE:
                raise ValueError(f"unknown rule code {code!r}")
            if level not in LEVELS:
                raise ValueError(
                    f"rule {code}: level must be one of {', '.join(LEVELS)}, not {level!r}"
                )


@dataclass(slots=True)
class Analysis:
    doc: ParsedDocument
    profile: str
    findings: list[Finding]

    @property
    def error_count(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)


class Analyzer:
    """Holds the compiled schema profiles; analyze() is pure and safe to call from threads."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schemas = SpecSchema.profiles(schema)

    def analyze(
        self,
        text: str,
        *,
        filename: str | None = None,
        options: Options | None = None,
        file_exists: Callable[[str], bool] | None = None,
    ) -> Analysis:
        options = options or Options()
        doc = parse(text)
        return self.analyze_parsed(doc, filename=filename, options=options, file_exists=file_exists)

    def analyze_parsed(
        self,
        doc: ParsedDocument,
        *,
        filename: str | None,
        options: Options,
        file_exists: Callable[[str], bool] | None,
    ) -> Analysis:
        directives = read_directives(doc.lines)
        profile = directives.profile or options.profile
        found = [*doc.syntax, *directives.problems]
        if doc.usable:
            found.extend(validate(doc, self.schemas[profile]))
            ctx = RuleContext(doc, filename, file_exists)
            for code, check in RULES:
                if options.rules.get(code.code) == OFF:
                    continue
                try:
                    found.extend(check(ctx))
                except Exception:  # one broken rule must not hide the others' findings
                    log.exception("rule %s failed", code.code)
        result = []
        for finding in found:
            level = options.rules.get(finding.code)
            if level == OFF or directives.suppresses(finding):
                continue
            if level:
                finding = replace(finding, severity=Severity.parse(level))
            result.append(finding)
        result.sort(key=Finding.sort_key)
        return Analysis(doc, profile, result)
