"""One-call checking of spec text or files with the bundled schema (edge: file system)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path, PurePath

from .core import Analysis, Analyzer, Finding, Options
from .core.config_rules import CONFIG_RULES, config_name
from .resources import CONFIG_SCHEMA, load_schema


@cache
def analyzer() -> Analyzer:
    return Analyzer(load_schema())


@cache
def config_analyzer() -> Analyzer:
    """For the SDK and CLI configuration files (~/.config/ospec/config.yaml, .ospec/config.yaml)."""
    return Analyzer(load_schema(CONFIG_SCHEMA), rules=CONFIG_RULES)


def analyzer_for(path: PurePath | None) -> tuple[Analyzer, str | None]:
    """The analyzer for a file, and the file name its rules see."""
    if path is not None and (name := config_name(path.parts)):
        return config_analyzer(), name
    return analyzer(), path.name if path is not None else None


def files_next_to(spec_path: Path | None) -> Callable[[str], bool]:
    """A file_exists callback resolving paths relative to the spec's folder."""
    base = spec_path.parent if spec_path is not None else Path.cwd()

    def exists(rel: str) -> bool:
        try:
            return (base / rel).exists()
        except (OSError, ValueError):
            return False

    return exists


def analyze_text(
    text: str, *, path: Path | None = None, options: Options | None = None, check_files: bool = True
) -> Analysis:
    """Analyze text as if it were the file at path (used for the id rule and relative files)."""
    chosen, filename = analyzer_for(path)
    return chosen.analyze(
        text,
        filename=filename,
        options=options,
        file_exists=files_next_to(path) if check_files else None,
    )


def check_text(
    text: str, *, filename: str | None = None, profile: str | None = None
) -> list[Finding]:
    """Findings for spec text that has no folder of its own (e.g. a body sent to an API)."""
    options = Options(profile=profile) if profile else None
    return analyzer().analyze(text, filename=filename, options=options).findings
