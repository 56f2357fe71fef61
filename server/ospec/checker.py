"""One-call checking of spec text or files with the bundled schema (edge: file system)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from .core import Analysis, Analyzer, Finding, Options
from .resources import load_schema


@cache
def analyzer() -> Analyzer:
    return Analyzer(load_schema())


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
    return analyzer().analyze(
        text,
        filename=path.name if path is not None else None,
        options=options,
        file_exists=files_next_to(path) if check_files else None,
    )


def check_text(
    text: str, *, filename: str | None = None, profile: str | None = None
) -> list[Finding]:
    """Findings for spec text that has no folder of its own (e.g. a body sent to an API)."""
    options = Options(profile=profile) if profile else None
    return analyzer().analyze(text, filename=filename, options=options).findings
