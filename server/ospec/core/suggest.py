"""Did-you-mean suggestions for misspelt keys, values and ids (core)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def nearest(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to word, or None when nothing is reasonably close."""
    pool = [c for c in candidates if c != word]
    lowered = {c.lower(): c for c in pool}
    if word.lower() in lowered:
        return lowered[word.lower()]
    hits = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return hits[0] if hits else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A ready-to-append "; did you mean 'x'?" clause, or an empty string."""
    hit = nearest(word, candidates)
    return f"; did you mean '{hit}'?" if hit else ""
