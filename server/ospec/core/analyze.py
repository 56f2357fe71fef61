"""The analysis pipeline shared by the language server, the CLI and the sandbox (core).

syntax → (schema + rules) → settings and suppressions → sorted findings. Schema checks and
rules need a mapping at the root; anything worse stops at the syntax findings.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .codes import BY_CODE, Code
from .directives import Directives, read_directives
from .incremental import Splice, data_at, shallow, splice
from .model import Finding, Severity
from .rules import RULES, RuleContext, RuleFn
from .schema import PROFILES, SpecSchema
from .validate import validate_at
from .yamldoc import ParsedDocument, parse

log = logging.getLogger(__name__)

DataPath = tuple[str | int, ...]

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
    # What the next version's analysis may reuse (see Analyzer.analyze's `previous`).
    options: Options | None = None
    schema_found: list[tuple[DataPath, Finding]] = field(default_factory=list, repr=False)
    # The data path that was re-parsed when this analysis was spliced from the previous one.
    spliced: DataPath | None = None

    @property
    def error_count(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)


class Analyzer:
    """Holds the compiled schema profiles; analyze() is pure and safe to call from threads."""

    def __init__(
        self, schema: dict[str, Any], rules: Sequence[tuple[Code, RuleFn]] = RULES
    ) -> None:
        self.schemas = SpecSchema.profiles(schema)
        self.rules = rules
        self._shallow: dict[int, tuple[dict[str, Any], Any]] = {}

    def analyze(
        self,
        text: str,
        *,
        filename: str | None = None,
        options: Options | None = None,
        file_exists: Callable[[str], bool] | None = None,
        previous: Analysis | None = None,
    ) -> Analysis:
        """Findings for text. Given the analysis of the previous version of the same document,
        only the part the edit touched is parsed and validated again when that is safe; the
        result is the same as without `previous`."""
        options = options or Options()
        if previous is not None:
            result = self._incremental(previous, text, filename, options, file_exists)
            if result is not None:
                return result
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
        schema = self.schemas[profile]
        schema_found = (
            validate_at(doc, schema, schema.validator, doc.data, ()) if doc.usable else []
        )
        return self._finish(doc, directives, profile, schema_found, filename, options, file_exists)

    def _incremental(
        self,
        previous: Analysis,
        text: str,
        filename: str | None,
        options: Options,
        file_exists: Callable[[str], bool] | None,
    ) -> Analysis | None:
        if previous.options != options or not previous.doc.usable:
            return None
        schema = self.schemas[previous.profile]
        spliced = splice(previous.doc, text, schema.schema)
        if spliced is None:
            return None
        directives = read_directives(spliced.doc.lines)
        if (directives.profile or options.profile) != previous.profile:
            return None
        schema_found = self._revalidate(previous.schema_found, spliced, schema)
        result = self._finish(
            spliced.doc, directives, previous.profile, schema_found, filename, options, file_exists
        )
        result.spliced = spliced.path
        return result

    def _revalidate(
        self, before: list[tuple[DataPath, Finding]], spliced: Splice, schema: SpecSchema
    ) -> list[tuple[DataPath, Finding]]:
        """Schema findings: kept for untouched paths, fresh for the unit and the containers
        above it (those only for their own shape: type, keys, item count)."""
        doc, unit = spliced.doc, spliced.path
        above = {c.path for c in spliced.containers}
        n = len(unit)
        shift = spliced.shift
        out = [(p, shift.finding(f)) for p, f in before if p not in above and p[:n] != unit]
        for c in spliced.containers:
            if c.schema is not None:
                validator = self._shallow_validator(schema, c.schema)
                out.extend(validate_at(doc, schema, validator, data_at(doc.data, c.path), c.path))
        if spliced.schema is not None:
            validator = schema.validator.evolve(schema=spliced.schema)
            out.extend(validate_at(doc, schema, validator, data_at(doc.data, unit), unit))
        return out

    def _shallow_validator(self, schema: SpecSchema, sub: dict[str, Any]) -> Any:
        cached = self._shallow.get(id(sub))
        if cached is None or cached[0] is not sub:
            cached = (sub, schema.validator.evolve(schema=shallow(sub)))
            self._shallow[id(sub)] = cached
        return cached[1]

    def _finish(
        self,
        doc: ParsedDocument,
        directives: Directives,
        profile: str,
        schema_found: list[tuple[DataPath, Finding]],
        filename: str | None,
        options: Options,
        file_exists: Callable[[str], bool] | None,
    ) -> Analysis:
        found = [*doc.syntax, *directives.problems]
        if doc.usable:
            found.extend(f for _, f in schema_found)
            ctx = RuleContext(doc, filename, file_exists)
            for code, check in self.rules:
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
        return Analysis(doc, profile, result, options, schema_found)
