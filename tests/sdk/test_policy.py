"""Retry delays, Retry-After parsing and the circuit breaker's state machine (no I/O)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from ospec.sdk import BreakerSettings, CircuitOpenError, RetryPolicy
from ospec.sdk.breaker import CircuitBreaker
from ospec.sdk.retry import is_replay_safe, parse_retry_after


@pytest.mark.parametrize(
    ("backoff", "raw"),
    [
        ("exponential", [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]),
        ("linear", [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]),
        ("fixed", [0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
    ],
)
def test_backoff_grows_as_configured_capped_with_equal_jitter(
    backoff: str, raw: list[float]
) -> None:
    policy = RetryPolicy(max_attempts=7, backoff=backoff, base_delay_ms=100, max_delay_ms=1000)  # type: ignore[arg-type]
    for attempt, expected in enumerate(raw, start=1):
        delays = [policy.delay(attempt) for _ in range(200)]
        # Half fixed, half random: never sooner than half the step, never later than the step.
        assert all(expected / 2 <= d <= expected for d in delays), (attempt, delays)
        assert len({round(d, 6) for d in delays}) > 1  # jitter spreads clients apart


def test_retry_after_is_a_floor() -> None:
    policy = RetryPolicy(base_delay_ms=100, max_delay_ms=30000)
    assert policy.delay(1, retry_after=7.0) == 7.0


def test_a_retry_after_beyond_max_delay_is_not_waited_for() -> None:
    policy = RetryPolicy(max_delay_ms=5000)
    assert policy.waits_for(None) and policy.waits_for(5.0)
    assert not policy.waits_for(60.0)


def test_retry_after_as_seconds_or_http_date() -> None:
    now = datetime(2030, 1, 1, tzinfo=timezone.utc)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=20), usegmt=True), now) == 20
    assert parse_retry_after(format_datetime(now - timedelta(seconds=20), usegmt=True), now) == 0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


@pytest.mark.parametrize(
    "settings",
    [
        {"max_attempts": 0},
        {"backoff": "random"},
        {"base_delay_ms": -1},
    ],
)
def test_invalid_retry_settings_are_refused(settings: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="retries"):
        RetryPolicy(**settings)  # type: ignore[arg-type]


def test_only_idempotent_requests_or_keyed_posts_are_replay_safe() -> None:
    assert is_replay_safe("GET", False) and is_replay_safe("put", False)
    assert not is_replay_safe("POST", False)
    assert is_replay_safe("POST", True)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cb(clock: Clock) -> CircuitBreaker:
    return CircuitBreaker(BreakerSettings(failure_threshold=3, recovery_timeout_ms=10_000), clock)


def fail(cb: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        cb.before_call()
        cb.record_failure()


def test_the_breaker_opens_after_threshold_consecutive_failures(cb: CircuitBreaker) -> None:
    fail(cb, 2)
    assert cb.state == "closed"
    fail(cb, 1)
    assert cb.state == "open"
    with pytest.raises(CircuitOpenError) as caught:
        cb.before_call()
    assert caught.value.retry_in == 10.0
    assert "after 3 consecutive failure(s)" in str(caught.value)


def test_a_success_resets_the_count(cb: CircuitBreaker) -> None:
    fail(cb, 2)
    cb.before_call()
    cb.record_success()
    fail(cb, 2)
    assert cb.state == "closed"


def test_after_the_recovery_timeout_one_trial_goes_through(
    cb: CircuitBreaker, clock: Clock
) -> None:
    fail(cb, 3)
    clock.now += 9.9
    with pytest.raises(CircuitOpenError):
        cb.before_call()
    clock.now += 0.1
    assert cb.state == "half_open"
    cb.before_call()  # the trial
    with pytest.raises(CircuitOpenError, match="trial request is in flight"):
        cb.before_call()
    cb.record_success()
    assert cb.state == "closed"
    cb.before_call()


def test_a_failed_trial_opens_the_circuit_for_another_full_timeout(
    cb: CircuitBreaker, clock: Clock
) -> None:
    fail(cb, 3)
    clock.now += 10
    cb.before_call()
    cb.record_failure()
    assert cb.state == "open"
    clock.now += 9.9
    with pytest.raises(CircuitOpenError):
        cb.before_call()
    clock.now += 0.1
    cb.before_call()


def test_a_trial_ending_in_a_client_error_lets_another_trial_through(
    cb: CircuitBreaker, clock: Clock
) -> None:
    fail(cb, 3)
    clock.now += 10
    cb.before_call()
    cb.release()  # e.g. a 429: says nothing about the server's health
    cb.before_call()
    assert cb.state == "half_open"
