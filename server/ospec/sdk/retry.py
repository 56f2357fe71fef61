"""When to retry a request and how long to wait: backoff with jitter, honouring Retry-After."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Literal

Backoff = Literal["exponential", "linear", "fixed"]
BACKOFFS: tuple[Backoff, ...] = ("exponential", "linear", "fixed")
RETRY_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True)
class RetryPolicy:
    """The `api_client.retries` block; `max_attempts` counts the first try too."""

    max_attempts: int = 3
    backoff: Backoff = "exponential"
    base_delay_ms: int = 1000
    max_delay_ms: int = 30000

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("retries.max_attempts must be at least 1")
        if self.backoff not in BACKOFFS:
            raise ValueError(f"retries.backoff must be one of: {', '.join(BACKOFFS)}")
        if self.base_delay_ms < 0 or self.max_delay_ms < 0:
            raise ValueError("retries delays must be 0 or more")

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based).

        Equal jitter (half fixed, half random) spreads clients that failed together without
        ever retrying immediately; a server's Retry-After is a floor, not a suggestion.
        """
        base = self.base_delay_ms / 1000
        if self.backoff == "exponential":
            raw = base * 2 ** (attempt - 1)
        elif self.backoff == "linear":
            raw = base * attempt
        else:
            raw = base
        capped = min(raw, self.max_delay_ms / 1000)
        jittered = capped / 2 + random.uniform(0, capped / 2)
        return max(jittered, retry_after or 0.0)

    def waits_for(self, retry_after: float | None) -> bool:
        """False when the server asks for a longer pause than max_delay_ms: give up instead."""
        return retry_after is None or retry_after <= self.max_delay_ms / 1000


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def is_replay_safe(method: str, has_idempotency_key: bool) -> bool:
    """Whether sending the request twice has the same effect as sending it once."""
    return method.upper() in IDEMPOTENT_METHODS or has_idempotency_key
