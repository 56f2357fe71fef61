"""Resilience against the real sandbox: its fault injection, and a proxy that loses answers.

Retries are bounded, a retried create never makes a second project, the circuit breaker opens
and recovers, timeouts fire, and a download cut halfway leaves nothing that looks complete.
"""

from __future__ import annotations

import hashlib
import logging
import socket
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import ospec
from ospec.sdk import RetryPolicy, Timeouts

from .conftest import (
    FAST_ARGS,
    FAST_RETRIES,
    FAULTS,
    SandboxProcess,
    breaker,
    report,
    spec_yaml,
    wait_until,
)
from .proxy import Fault, Proxy

PROJECTS = "/api/v1/projects"


def projects_with_spec(client: ospec.Client, spec_id: str) -> int:
    return sum(1 for p in client.iter_projects() if p.spec_id == spec_id)


def inject(faults: httpx.Client, config: dict[str, Any]) -> Callable[[str], int]:
    """Set sandbox faults; the returned function counts how many of a kind fired since."""
    before = faults.get(FAULTS).json()["fired"]
    assert faults.post(FAULTS, json=config).status_code == 200

    def fired(kind: str) -> int:
        count: int = faults.get(FAULTS).json()["fired"][kind] - before[kind]
        return count

    return fired


def test_reads_succeed_after_transient_503s(client: ospec.Client, faults: httpx.Client) -> None:
    fired = inject(faults, {"fail": {"count": 2, "status": 503, "path_prefix": PROJECTS}})
    assert client.list_projects(limit=1) is not None
    assert fired("fail") == 2


def test_retries_are_bounded(client: ospec.Client, faults: httpx.Client) -> None:
    fired = inject(faults, {"fail": {"count": 50, "status": 502, "path_prefix": PROJECTS}})
    with pytest.raises(ospec.ServerError) as caught:
        client.list_projects()
    assert caught.value.status_code == 502 and "after 3 attempts" in str(caught.value)
    assert fired("fail") == FAST_RETRIES.max_attempts
    report(f"50 injected 502s: {fired('fail')} requests sent, then ServerError")


def test_a_post_without_idempotency_key_is_not_retried(
    client: ospec.Client, faults: httpx.Client
) -> None:
    fired = inject(faults, {"fail": {"count": 1, "path_prefix": "/api/v1/webhooks"}})
    with pytest.raises(ospec.ServerError):
        client.register_webhook("http://127.0.0.1:9/hook", ["project.created"], "s")
    assert fired("fail") == 1


def test_a_create_retried_after_503s_makes_one_project(
    client: ospec.Client, faults: httpx.Client
) -> None:
    spec_id = f"retry-{uuid.uuid4().hex[:8]}"
    fired = inject(faults, {"fail": {"count": 2, "path_prefix": PROJECTS}})
    created = client.create_project(spec_yaml(spec_id))
    assert created.spec_id == spec_id and fired("fail") == 2
    assert projects_with_spec(client, spec_id) == 1


def test_a_create_whose_connection_drops_is_resent_once(
    client: ospec.Client, faults: httpx.Client
) -> None:
    spec_id = f"drop-{uuid.uuid4().hex[:8]}"
    fired = inject(faults, {"drop": {"count": 1, "path_prefix": PROJECTS}})
    created = client.create_project(spec_yaml(spec_id))
    assert created.spec_id == spec_id and fired("drop") == 1
    assert projects_with_spec(client, spec_id) == 1


def test_a_create_whose_answer_is_lost_is_replayed_not_duplicated(
    sandbox: SandboxProcess, client: ospec.Client, proxy: Proxy
) -> None:
    spec_id = f"lost-{uuid.uuid4().hex[:8]}"
    proxy.plan(Fault("lose_response", PROJECTS))  # the sandbox creates it; the client never hears
    with ospec.Client(sandbox.admin_key, base_url=proxy.url, retries=FAST_RETRIES) as via_proxy:
        created = via_proxy.create_project(spec_yaml(spec_id))
    sent = proxy.requests_to("POST", PROJECTS)
    assert len(sent) == 2
    assert sent[0].headers["idempotency-key"] == sent[1].headers["idempotency-key"]
    assert created.replayed and created.spec_id == spec_id
    assert projects_with_spec(client, spec_id) == 1
    report("create with its answer lost: 2 POSTs, one Idempotency-Key, 1 project, replayed")


def test_when_every_answer_is_lost_the_create_gives_up_without_duplicates(
    sandbox: SandboxProcess, client: ospec.Client, proxy: Proxy
) -> None:
    spec_id = f"gone-{uuid.uuid4().hex[:8]}"
    proxy.plan(*[Fault("lose_response", PROJECTS)] * 10)
    via_proxy = ospec.Client(sandbox.admin_key, base_url=proxy.url, retries=FAST_RETRIES)
    with via_proxy, pytest.raises(ospec.ConnectionError) as caught:
        via_proxy.create_project(spec_yaml(spec_id))
    assert "after 3 attempts" in str(caught.value)
    assert len(proxy.requests_to("POST", PROJECTS)) == 3
    assert projects_with_spec(client, spec_id) == 1
    report("create with every answer lost: 3 attempts (max_attempts=3), then 1 project exists")


def test_the_breaker_opens_fails_fast_and_recovers(
    sandbox: SandboxProcess, faults: httpx.Client
) -> None:
    fired = inject(faults, {"fail": {"count": 100, "status": 503, "path_prefix": PROJECTS}})
    c = ospec.Client(
        sandbox.admin_key,
        base_url=sandbox.base_url,
        retries=RetryPolicy(max_attempts=1),
        circuit_breaker=breaker(2, 300),
    )
    with c:
        for _ in range(2):
            with pytest.raises(ospec.ServerError):
                c.list_projects()
        with pytest.raises(ospec.CircuitOpenError) as caught:
            c.list_projects()
        assert "circuit breaker is open after 2 consecutive failure(s)" in str(caught.value)
        assert fired("fail") == 2  # the third call never reached the server
        faults.delete(FAULTS)
        wait_until(lambda: c._core.breaker.state == "half_open", what="the breaker to half-open")
        assert c.list_projects() is not None
        assert c._core.breaker.state == "closed"


def test_a_read_timeout_fires(sandbox: SandboxProcess, faults: httpx.Client) -> None:
    fired = inject(faults, {"delay": {"seconds": 2, "count": 1, "path_prefix": PROJECTS}})
    c = ospec.Client(
        sandbox.admin_key,
        base_url=sandbox.base_url,
        retries=RetryPolicy(max_attempts=1),
        timeouts=Timeouts(read_timeout_ms=200),
    )
    with c, pytest.raises(ospec.TimeoutError) as caught:
        c.list_projects()
    assert fired("delay") == 1
    assert "read timeout after 200 ms" in str(caught.value)
    assert isinstance(caught.value, TimeoutError)  # the builtin, too


def test_a_timed_out_read_is_retried(sandbox: SandboxProcess, faults: httpx.Client) -> None:
    fired = inject(faults, {"delay": {"seconds": 2, "count": 1, "path_prefix": PROJECTS}})
    c = ospec.Client(
        sandbox.admin_key,
        base_url=sandbox.base_url,
        retries=FAST_RETRIES,
        timeouts=Timeouts(read_timeout_ms=200),
    )
    with c:
        assert c.list_projects() is not None
    assert fired("delay") == 1  # the first attempt timed out, the second went through


def test_a_refused_connection_is_a_connection_error() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = ospec.Client("ospec_sk_x", base_url=f"http://127.0.0.1:{port}", retries=FAST_RETRIES)
    with c, pytest.raises(ospec.ConnectionError) as caught:
        c.get_project("proj_x")
    assert f"cannot reach http://127.0.0.1:{port}" in str(caught.value)
    assert "after 3 attempts" in str(caught.value)


def test_rate_limits_are_waited_out_using_retry_after(
    start_sandbox: Callable[..., SandboxProcess], caplog: pytest.LogCaptureFixture
) -> None:
    # One request per second, no burst: the second call is refused with Retry-After: 1.
    limited = start_sandbox(
        [*FAST_ARGS, "--rate-limit", "1", "--rate-burst", "1"], admin_key="ospec_sk_rl"
    )
    retries = RetryPolicy(max_attempts=4, base_delay_ms=10, max_delay_ms=5000)
    caplog.set_level(logging.INFO, logger="ospec.sdk")
    with ospec.Client("ospec_sk_rl", base_url=limited.base_url, retries=retries) as c:
        for _ in range(2):
            assert c.list_projects() is not None
    waits = [r.args for r in caplog.records if "retrying in" in str(r.msg) and r.args]
    assert waits and all(args[2] == "answered 429" for args in waits)  # type: ignore[index]
    assert all(args[3] >= 1.0 for args in waits)  # type: ignore[index] - the Retry-After floor


@pytest.fixture
def deployed_id(client: ospec.Client) -> str:
    created = client.create_project(spec_yaml(f"cut-{uuid.uuid4().hex[:8]}"))
    client.wait_for_completion(created.id, poll_interval=0.05, timeout=30)
    return created.id


def test_a_download_cut_halfway_is_restarted_and_complete(
    sandbox: SandboxProcess, client: ospec.Client, proxy: Proxy, deployed_id: str, tmp_path: Path
) -> None:
    path = f"{PROJECTS}/{deployed_id}/artifacts/source_code"
    proxy.plan(Fault("cut_body", path))
    with ospec.Client(sandbox.admin_key, base_url=proxy.url, retries=FAST_RETRIES) as via_proxy:
        saved = via_proxy.download_artifact(deployed_id, "source_code", tmp_path)
    assert len(proxy.requests_to("GET", path)) == 2
    assert list(tmp_path.iterdir()) == [saved]  # no .part file left behind
    listed = next(a for a in client.get_artifacts(deployed_id) if a.type == "source_code")
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == listed.sha256
    report(f"download cut at {listed.size_bytes // 2} bytes: restarted, sha256 matches")


def test_a_download_cut_every_time_leaves_no_file(
    sandbox: SandboxProcess, proxy: Proxy, deployed_id: str, tmp_path: Path
) -> None:
    path = f"{PROJECTS}/{deployed_id}/artifacts/source_code"
    proxy.plan(*[Fault("cut_body", path)] * 10)
    via_proxy = ospec.Client(sandbox.admin_key, base_url=proxy.url, retries=FAST_RETRIES)
    with via_proxy, pytest.raises(ospec.ConnectionError) as caught:
        via_proxy.download_artifact(deployed_id, "source_code", tmp_path)
    assert "connection lost while downloading" in str(caught.value)
    assert "after 3 attempts" in str(caught.value)
    assert len(proxy.requests_to("GET", path)) == 3
    assert list(tmp_path.iterdir()) == []  # neither a short file nor a .part


async def test_an_async_download_cut_every_time_leaves_no_file(
    sandbox: SandboxProcess, proxy: Proxy, deployed_id: str, tmp_path: Path
) -> None:
    proxy.plan(*[Fault("cut_body", f"{PROJECTS}/{deployed_id}/artifacts/")] * 10)
    target = tmp_path / "tasks.yaml"
    async with ospec.AsyncClient(
        sandbox.admin_key, base_url=proxy.url, retries=FAST_RETRIES
    ) as via_proxy:
        with pytest.raises(ospec.ConnectionError, match="after 3 attempts"):
            await via_proxy.download_artifact(deployed_id, "task_breakdown", target)
    assert list(tmp_path.iterdir()) == []


async def test_an_async_download_cut_once_is_restarted(
    sandbox: SandboxProcess, proxy: Proxy, deployed_id: str, tmp_path: Path
) -> None:
    proxy.plan(Fault("cut_body", f"{PROJECTS}/{deployed_id}/artifacts/"))
    async with ospec.AsyncClient(
        sandbox.admin_key, base_url=proxy.url, retries=FAST_RETRIES
    ) as via_proxy:
        saved = await via_proxy.download_artifact(deployed_id, "task_breakdown", tmp_path)
    assert list(tmp_path.iterdir()) == [saved] and saved.read_text().strip()


async def test_the_async_client_resends_a_dropped_create_once(
    sandbox: SandboxProcess, client: ospec.Client, faults: httpx.Client
) -> None:
    spec_id = f"adrop-{uuid.uuid4().hex[:8]}"
    fired = inject(faults, {"drop": {"count": 1, "path_prefix": PROJECTS},
                            "fail": {"count": 1, "status": 504, "path_prefix": PROJECTS}})  # fmt: skip
    async with ospec.AsyncClient(
        sandbox.admin_key, base_url=sandbox.base_url, retries=FAST_RETRIES
    ) as c:
        created = await c.create_project(spec_yaml(spec_id))
    assert (fired("drop"), fired("fail")) == (1, 1)
    assert created.spec_id == spec_id and projects_with_spec(client, spec_id) == 1
