"""kill -9 mid-lifecycle, restart on the same data dir: nothing is lost and the lifecycle goes on."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from .conftest import TASKS, Receiver, SandboxProcess, report, spec_yaml, wait_status, wait_until
from .test_webhooks import ALL_EVENTS, deliveries, verify

PHASES = ["specification", "planning", "implementation", "validation", "deployment"]
ARGS = [
    "--phase-seconds", "0.6",
    "--rate-limit", "0",
    "--webhook-backoff", "0.1",
    "--webhook-max-backoff", "0.3",
    "--webhook-max-attempts", "1000",
    "--webhook-timeout", "2",
    "--webhook-allow-host", "127.0.0.1",
]  # fmt: skip


def snapshot(client: httpx.Client, pid: str) -> dict[str, Any]:
    project = client.get(f"/api/v1/projects/{pid}").json()
    arts = {}
    for art in client.get(f"/api/v1/projects/{pid}/artifacts").json()["artifacts"]:
        arts[art["type"]] = hashlib.sha256(client.get(art["url"]).content).hexdigest()
    return {"project": project, "artifacts": arts}


def phase_index(project: dict[str, Any]) -> int:
    return [*PHASES, "deployed"].index(project["current_phase"])


def test_kill_9_mid_lifecycle_loses_nothing(
    start_sandbox: Callable[..., SandboxProcess], receiver: Receiver, tmp_path: Path
) -> None:
    key = "ospec_sk_restart"
    data = tmp_path / "shared-data"
    receiver.status = 503  # keep deliveries pending until after the crash
    first = start_sandbox(ARGS, data_dir=data, admin_key=key)
    with first.client() as client:
        hook = client.post(
            "/api/v1/webhooks", json={"url": receiver.url, "events": ALL_EVENTS, "secret": "k9"}
        ).json()["webhook_id"]
        ok = client.post(
            "/api/v1/projects",
            content=spec_yaml("survivor", tasks=TASKS),
            headers={"Content-Type": "application/yaml"},
        ).json()["project_id"]
        doomed = client.post(
            "/api/v1/projects",
            content=spec_yaml("doomed-later", tags=("sandbox-fail-deployment",)),
            headers={"Content-Type": "application/yaml"},
        ).json()["project_id"]
        wait_status(client, ok, ("implementation",))

        def tasks_started() -> bool:
            project = client.get(f"/api/v1/projects/{ok}").json()
            return bool(project["tasks"]["completed"] or project["status"] != "implementation")

        wait_until(tasks_started, timeout=10, what="a task to complete")
        before = {pid: snapshot(client, pid) for pid in (ok, doomed)}
        pending = wait_until(
            lambda: [d for d in deliveries(client, hook) if d["attempts"] >= 1] or None,
            what="a failed attempt to be logged",
        )
        log_before = deliveries(client, hook)
    first.kill()
    assert first.proc is not None and first.proc.returncode == -9
    assert all(d["status"] == "pending" for d in log_before)
    assert pending

    receiver.status = 200
    second = start_sandbox(ARGS, data_dir=data, admin_key=key)
    assert second.base_url != "" and "listening" in second.lines[-1]
    with second.client() as client:
        for pid, old in before.items():
            now = snapshot(client, pid)
            assert now["project"]["created_at"] == old["project"]["created_at"]
            assert phase_index(now["project"]) >= phase_index(old["project"])
            # At most one checkpoint (phase_seconds / 10) of in-phase progress may be redone.
            assert now["project"]["progress"] >= old["project"]["progress"] - 0.03
            for kind, digest in old["artifacts"].items():
                assert now["artifacts"][kind] == digest, f"{pid} {kind} changed or vanished"
        assert wait_status(client, ok, ("deployed", "failed"))["status"] == "deployed"
        assert wait_status(client, doomed, ("deployed", "failed"))["status"] == "failed"
        after = snapshot(client, ok)
        assert set(after["artifacts"]) == {
            "task_breakdown",
            "source_code",
            "test_results",
            "security_scan",
        }

        def settled() -> list[dict[str, Any]] | None:
            log = deliveries(client, hook)
            return log if all(d["status"] == "delivered" for d in log) else None

        log_after = wait_until(settled, timeout=15, what="every delivery to land")
    by_id = {d["delivery_id"]: d for d in log_after}
    for old_entry in log_before:
        new_entry = by_id[old_entry["delivery_id"]]
        assert new_entry["attempts"] > old_entry["attempts"]
        assert new_entry["attempt_log"][: old_entry["attempts"]] == old_entry["attempt_log"]
    received = {}
    for headers, body in receiver.received():
        payload = verify("k9", headers, body)
        if headers["x-ospec-delivery"] in by_id:
            received[headers["x-ospec-delivery"]] = payload
    assert set(received) == set(by_id), "a logged delivery never reached the receiver"
    events = sorted(
        (p["project_id"], p["event"], p["data"].get("phase", "")) for p in received.values()
    )
    completed_ok = [e[2] for e in events if e[0] == ok and e[1] == "project.phase_completed"]
    assert sorted(completed_ok) == sorted(PHASES), "a phase_completed event was lost"
    assert (doomed, "project.failed", "deployment") in events
    tasks_ok = [e for e in events if e[0] == ok and e[1] == "agent.task_completed"]
    assert len(tasks_ok) == len(TASKS)
    report(
        f"restart: 2 projects and {sum(len(s['artifacts']) for s in before.values())} artifacts "
        f"survived kill -9; {len(log_before)} pending deliveries carried over; "
        f"{len(log_after)} deliveries verified after restart"
    )
