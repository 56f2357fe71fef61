"""Fault injection at runtime (admin endpoint) and from start-up flags, as clients would meet it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from .conftest import SandboxProcess

FAULTS = "/api/v1/_sandbox/faults"


@pytest.fixture
def faults(admin: httpx.Client) -> Iterator[httpx.Client]:
    yield admin
    assert admin.delete(FAULTS).status_code == 204


def test_fail_next_requests_under_a_prefix(faults: httpx.Client) -> None:
    config = {
        "fail": {"count": 3, "status": 503, "path_prefix": "/api/v1/projects", "retry_after": 2}
    }
    response = faults.post(FAULTS, json=config)
    assert response.status_code == 200 and response.json()["fail"]["count"] == 3
    assert faults.get("/api/v1/webhooks").status_code == 200  # other prefixes are untouched
    for _ in range(3):
        failed = faults.get("/api/v1/projects")
        assert failed.status_code == 503
        assert failed.json()["error"]["code"] == "injected_fault"
        assert failed.headers["retry-after"] == "2"
    assert faults.get("/api/v1/projects").status_code == 200
    state = faults.get(FAULTS).json()
    assert state["fail"]["count"] == 0 and state["fired"]["fail"] >= 3


def test_faults_hit_before_authentication(faults: httpx.Client, sandbox: SandboxProcess) -> None:
    faults.post(FAULTS, json={"fail": {"count": 1}})
    with httpx.Client(base_url=sandbox.base_url, trust_env=False) as anonymous:
        assert anonymous.get("/api/v1/projects").status_code == 503
        assert anonymous.get("/api/v1/projects").status_code == 401


def test_delay(faults: httpx.Client) -> None:
    faults.post(FAULTS, json={"delay": {"seconds": 0.3, "count": 2}})

    def timed(call: Callable[[], httpx.Response]) -> float:
        start = time.perf_counter()
        assert call().status_code == 200
        return time.perf_counter() - start

    slow = [timed(lambda: faults.get("/api/v1/webhooks")) for _ in range(2)]
    fast = timed(lambda: faults.get("/api/v1/webhooks"))
    assert min(slow) >= 0.3 and fast < 0.3, (slow, fast)


def test_drop_closes_the_connection_without_an_answer(faults: httpx.Client) -> None:
    faults.post(FAULTS, json={"drop": {"count": 1, "path_prefix": "/api/v1/projects"}})
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        faults.get("/api/v1/projects")
    assert faults.get("/api/v1/projects").status_code == 200


def test_fault_controls_are_never_faulted(faults: httpx.Client) -> None:
    faults.post(FAULTS, json={"fail": {"count": 5}, "drop": {"count": 5}})
    assert faults.get(FAULTS).status_code == 200
    assert faults.delete(FAULTS).status_code == 204
    assert faults.get("/api/v1/projects").status_code == 200


@pytest.mark.parametrize(
    "config",
    [
        {"fail": {"count": -1}},
        {"fail": {"count": 1, "status": 404}},
        {"delay": {"seconds": 100}},
        {"drop": {"count": 1, "path_prefix": "api"}},
        {"explode": {}},
        [],
    ],
)
def test_invalid_fault_config_is_422(faults: httpx.Client, config: object) -> None:
    assert faults.post(FAULTS, json=config).status_code == 422


def test_startup_flags(start_sandbox: Callable[..., SandboxProcess]) -> None:
    sandbox = start_sandbox(
        ["--fail-next", "2", "--fail-path-prefix", "/api/v1/projects", "--drop-next", "1",
         "--drop-path-prefix", "/api/v1/webhooks"],
        admin_key="ospec_sk_flags",
    )  # fmt: skip
    with sandbox.client() as client:
        assert [client.get("/api/v1/projects").status_code for _ in range(3)] == [503, 503, 200]
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            client.get("/api/v1/webhooks")
        assert client.get("/api/v1/webhooks").status_code == 200
