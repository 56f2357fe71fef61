"""A circuit breaker: after `failure_threshold` consecutive failures, fail fast for a while.

Closed: calls pass and consecutive failures are counted. Open: calls raise `CircuitOpenError`
until `recovery_timeout_ms` has passed. Half-open: one trial call passes (others still fail
fast); its success closes the circuit, its failure opens it again for another full timeout.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from .errors import CircuitOpenError

log = logging.getLogger("ospec.sdk")

State = Literal["closed", "open", "half_open"]


@dataclass(frozen=True)
class BreakerSettings:
    """The `api_client.circuit_breaker` block."""

    failure_threshold: int = 5
    recovery_timeout_ms: int = 60000

    def __post_init__(self) -> None:
        if self.failure_threshold < 1:
            raise ValueError("circuit_breaker.failure_threshold must be at least 1")
        if self.recovery_timeout_ms < 0:
            raise ValueError("circuit_breaker.recovery_timeout_ms must be 0 or more")


class CircuitBreaker:
    """Thread-safe; shared by every request of one client (sync or async)."""

    def __init__(
        self, settings: BreakerSettings, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._state: State = "closed"
        self._failures = 0
        self._opened_at = 0.0
        self._trial_in_flight = False

    @property
    def state(self) -> State:
        with self._lock:
            if self._state == "open" and self._remaining() <= 0:
                return "half_open"
            return self._state

    def before_call(self) -> None:
        """Raise CircuitOpenError unless this call may go out."""
        with self._lock:
            if self._state == "closed":
                return
            if self._state == "open":
                remaining = self._remaining()
                if remaining > 0:
                    raise self._open_error(remaining)
                self._state = "half_open"
                self._trial_in_flight = False
                log.info("circuit breaker half-open: letting one trial request through")
            if self._trial_in_flight:
                raise self._open_error(0.0, trial=True)
            self._trial_in_flight = True

    def record_success(self) -> None:
        with self._lock:
            if self._state != "closed":
                log.info("circuit breaker closed: the trial request succeeded")
            self._state, self._failures, self._trial_in_flight = "closed", 0, False

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            self._trial_in_flight = False
            if self._state == "half_open" or self._failures >= self.settings.failure_threshold:
                if self._state != "open":
                    log.warning(
                        "circuit breaker open after %d consecutive failure(s); failing fast "
                        "for %.1fs",
                        self._failures,
                        self.settings.recovery_timeout_ms / 1000,
                    )
                self._state = "open"
                self._opened_at = self._clock()

    def release(self) -> None:
        """A half-open trial that ended neither way (e.g. a 4xx): let another trial through."""
        with self._lock:
            self._trial_in_flight = False

    def _remaining(self) -> float:
        return self._opened_at + self.settings.recovery_timeout_ms / 1000 - self._clock()

    def _open_error(self, remaining: float, *, trial: bool = False) -> CircuitOpenError:
        why = (
            "a trial request is in flight"
            if trial
            else f"it half-opens in {max(0.0, remaining):.1f}s"
        )
        return CircuitOpenError(
            f"circuit breaker is open after {self._failures} consecutive failure(s); "
            f"failing fast ({why})",
            retry_in=max(0.0, remaining),
        )
