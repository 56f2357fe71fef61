"""Error mapping and the retry loop, over httpx.MockTransport (answers chosen per test)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

import ospec
from ospec.sdk import BreakerSettings, RetryPolicy, Timeouts

BASE = "https://api.example.test"
TOKEN = "ospec_sk_unit-test-token"
Answer = httpx.Response | Exception


class Script:
    """Answers requests in order (the last one repeats) and records what was sent."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def error(status: int, code: str, message: str, **extra: object) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message, **extra}})


def project(pid: str = "proj_1", status: str = "planning") -> httpx.Response:
    return httpx.Response(200, json={"project_id": pid, "status": status, "progress": 0.3})


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """Record the retry loop's sleeps instead of waiting."""
    slept: list[float] = []
    monkeypatch.setattr("ospec.sdk.client.time.sleep", slept.append)
    yield slept


def make(script: Script, **kwargs: object) -> ospec.Client:
    kwargs.setdefault("retries", RetryPolicy(max_attempts=3, base_delay_ms=100))
    return ospec.Client(TOKEN, base_url=BASE, transport=httpx.MockTransport(script), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("response", "kind", "text"),
    [
        (
            error(400, "invalid_parameter", "limit must be 1-100"),
            ospec.InvalidRequestError,
            "limit",
        ),
        (
            error(401, "invalid_api_key", "the API key is not valid"),
            ospec.AuthenticationError,
            "not valid",
        ),
        (error(404, "project_not_found", "no project proj_1"), ospec.NotFoundError, "no project"),
        (error(409, "idempotency_conflict", "key reused"), ospec.ConflictError, "key reused"),
        (error(413, "body_too_large", "too large"), ospec.InvalidRequestError, "HTTP 413"),
        (error(500, "internal", "boom"), ospec.ServerError, "boom"),
        (httpx.Response(502, text="<html>Bad Gateway</html>"), ospec.ServerError, "Bad Gateway"),
        (httpx.Response(418, text=""), ospec.APIError, "HTTP 418"),
    ],
)
def test_statuses_map_to_typed_errors(
    response: httpx.Response, kind: type[Exception], text: str, sleeps: list[float]
) -> None:
    c = make(Script(response), retries=RetryPolicy(max_attempts=1))
    with c, pytest.raises(kind) as caught:
        c.get_project("proj_1")
    assert text in str(caught.value)
    assert type(caught.value) is kind or kind is ospec.APIError


def test_403_names_the_missing_and_granted_scopes() -> None:
    denied = error(
        403,
        "insufficient_scope",
        "this endpoint requires the 'agents:write' scope",
        required_scope="agents:write",
        granted_scopes=["projects:read"],
    )
    with make(Script(denied)) as c, pytest.raises(ospec.PermissionDeniedError) as caught:
        c.assign_agent("proj_1", "planner", "a1")
    err = caught.value
    assert (err.required_scope, err.granted_scopes) == ("agents:write", ["projects:read"])
    assert str(err).startswith("missing scope 'agents:write'")


def test_422_findings_are_typed() -> None:
    invalid = error(
        422,
        "spec_invalid",
        "the OSpec document has 1 error(s)",
        findings=[
            {"code": "OSPEC-S003", "severity": "error", "message": "missing 'name'",
             "line": 1, "column": 1, "end_line": 1, "end_column": 6},
            {"code": "OSPEC-R004", "severity": "warning", "message": "id differs",
             "line": 2, "column": 5, "end_line": 2, "end_column": 9},
        ],
    )  # fmt: skip
    with make(Script(invalid)) as c, pytest.raises(ospec.SpecValidationError) as caught:
        c.create_project("id: x\n")
    assert [str(f) for f in caught.value.errors] == ["1:1: error OSPEC-S003 missing 'name'"]
    assert caught.value.findings[1].column == 5


def test_503s_are_retried_with_growing_delays(sleeps: list[float]) -> None:
    script = Script(error(503, "busy", "busy"), error(503, "busy", "busy"), project())
    with make(script) as c:
        assert c.get_project("proj_1").status == "planning"
    assert len(script.requests) == 3
    assert 0.05 <= sleeps[0] <= 0.1 and 0.1 <= sleeps[1] <= 0.2


@pytest.mark.parametrize("status", [500, 501, 400, 404])
def test_other_statuses_are_not_retried(status: int, sleeps: list[float]) -> None:
    script = Script(error(status, "x", "x"), project())
    with make(script) as c, pytest.raises(ospec.APIError):
        c.get_project("proj_1")
    assert len(script.requests) == 1 and sleeps == []


def test_a_post_without_idempotency_key_is_not_retried(sleeps: list[float]) -> None:
    script = Script(error(503, "busy", "busy"), httpx.Response(201, json={}))
    with make(script) as c, pytest.raises(ospec.ServerError):
        c.register_webhook("https://example.test/hook", ["project.created"], "secret")
    assert len(script.requests) == 1


def test_create_retries_reuse_one_idempotency_key(sleeps: list[float]) -> None:
    created = httpx.Response(201, json={"project_id": "proj_1", "name": "n", "spec_id": "s"})
    script = Script(httpx.ReadError("reset"), error(502, "bad", "bad"), created)
    with make(script) as c:
        assert c.create_project("id: s\n").id == "proj_1"
    keys = {r.headers["idempotency-key"] for r in script.requests}
    assert len(script.requests) == 3 and len(keys) == 1
    assert keys.pop().startswith("ospec-py-")
    assert script.requests[0].headers["content-type"] == "application/yaml"


def test_each_create_gets_its_own_key() -> None:
    created = httpx.Response(201, json={"project_id": "proj_1"})
    script = Script(created)
    with make(script) as c:
        c.create_project("id: a\n")
        c.create_project("id: a\n", idempotency_key="mine")
    keys = [r.headers["idempotency-key"] for r in script.requests]
    assert keys[0] != keys[1] and keys[1] == "mine"


def test_a_lost_answer_to_an_unkeyed_post_is_not_resent(sleeps: list[float]) -> None:
    script = Script(httpx.ReadError("connection reset"), httpx.Response(201, json={}))
    with make(script) as c, pytest.raises(ospec.ConnectionError, match="after 1 attempt"):
        c.create_api_key("k", ["projects:read"])
    assert len(script.requests) == 1


def test_a_failed_connect_is_resent_even_for_a_post(sleeps: list[float]) -> None:
    script = Script(httpx.ConnectError("refused"), httpx.Response(201, json={"api_key_id": "k1"}))
    with make(script) as c:
        assert c.create_api_key("k", ["projects:read"]).id == "k1"
    assert len(script.requests) == 2


def test_429_waits_for_retry_after(sleeps: list[float]) -> None:
    limited = httpx.Response(429, headers={"Retry-After": "4"}, json={"error": {"code": "rate_limited", "message": "slow down"}})  # fmt: skip
    script = Script(limited, project())
    with make(script) as c:
        c.get_project("proj_1")
    assert sleeps == [4.0]


def test_429_with_a_longer_retry_after_than_max_delay_fails_at_once(sleeps: list[float]) -> None:
    limited = httpx.Response(429, headers={"Retry-After": "120"}, json={"error": {"code": "rate_limited", "message": "slow down"}})  # fmt: skip
    with make(Script(limited)) as c, pytest.raises(ospec.RateLimitError) as caught:
        c.get_project("proj_1")
    assert caught.value.retry_after == 120.0 and sleeps == []


def test_timeouts_are_typed(sleeps: list[float]) -> None:
    script = Script(httpx.ReadTimeout("slow"))
    c = make(script, timeouts=Timeouts(read_timeout_ms=1500))
    with c, pytest.raises(ospec.TimeoutError, match="read timeout after 1500 ms"):
        c.get_project("proj_1")
    assert len(script.requests) == 3


def test_the_breaker_fails_fast_without_sending(sleeps: list[float]) -> None:
    script = Script(error(503, "down", "down"))
    settings = BreakerSettings(failure_threshold=2, recovery_timeout_ms=60_000)
    with make(script, circuit_breaker=settings) as c:
        with pytest.raises(ospec.ServerError, match="after 2 attempts"):
            c.get_project("proj_1")  # the open breaker stops the retries early
        with pytest.raises(ospec.CircuitOpenError):
            c.get_project("proj_1")
    assert len(script.requests) == 2


def test_ids_cannot_change_the_route() -> None:
    script = Script(project())
    with make(script) as c:
        c.get_project("../auth/api-keys")
    assert script.requests[0].url.raw_path == b"/api/v1/projects/..%2Fauth%2Fapi-keys"


def test_unknown_response_fields_are_kept_in_raw() -> None:
    body = {"project_id": "p", "status": "deployed", "progress": 1, "future_field": [1]}
    with make(Script(httpx.Response(200, json=body))) as c:
        got = c.get_project("p")
    assert got.is_terminal and got.percent == 100 and got.raw["future_field"] == [1]


async def test_the_async_client_retries_the_same_way(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("ospec.sdk.client.asyncio.sleep", fake_sleep)
    script = Script(httpx.ConnectError("refused"), error(504, "gw", "gw"), project())
    async with ospec.AsyncClient(
        TOKEN,
        base_url=BASE,
        transport=httpx.MockTransport(script),
        retries=RetryPolicy(max_attempts=3, base_delay_ms=100),
    ) as c:
        assert (await c.get_project("proj_1")).id == "proj_1"
    assert len(script.requests) == 3 and len(slept) == 2


def test_every_request_says_who_is_calling() -> None:
    script = Script(project())
    with make(script) as c:
        c.get_project("p")
    sent = script.requests[0]
    assert sent.headers["user-agent"].startswith("ospec-python/")
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
