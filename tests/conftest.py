"""Shared test helpers: inline documents with a cursor marker, the example specs."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "schema" / "examples"
CURSOR = "‸"


def at_cursor(text: str) -> tuple[str, int, int]:
    """Remove the ‸ marker; return the text and the marker's 0-based line and column."""
    before, marker, after = text.partition(CURSOR)
    assert marker, "no cursor marker ‸ in the text"
    lines = before.split("\n")
    return before + after, len(lines) - 1, len(lines[-1])


@pytest.fixture(scope="session")
def valid_examples() -> list[Path]:
    return sorted(EXAMPLES.glob("*.ospec.yaml"))
