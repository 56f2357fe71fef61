"""Webhooks: signed payloads verified by a loopback receiver, retries with backoff, delivery log."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from itertools import pairwise
from typing import Any

import httpx
import pytest

from .conftest import TASKS, Receiver, create_project, report, spec_yaml, wait_status, wait_until

ALL_EVENTS = [
    "project.created",
    "project.phase_completed",
    "project.failed",
    "agent.task_completed",
    "security.issue_detected",
]


def verify(secret: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """What a receiver does: check both signatures, then trust the payload."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-ospec-signature"], expected)
    payload: dict[str, Any] = json.loads(body)
    unsigned = body[: body.rindex(b',"signature":')] + b"}"
    inner = "sha256=" + hmac.new(secret.encode(), unsigned, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(payload["signature"], inner)
    # The unsigned part is also the canonical JSON of the payload without its signature.
    rest = {k: v for k, v in payload.items() if k != "signature"}
    assert json.dumps(rest, sort_keys=True, separators=(",", ":")).encode() == unsigned
    assert headers["x-ospec-event"] == payload["event"]
    assert headers["content-type"] == "application/json"
    return payload


@pytest.fixture
def hooks(admin: httpx.Client) -> Iterator[list[str]]:
    """Webhook ids to delete after the test, so later tests do not feed dead receivers."""
    made: list[str] = []
    yield made
    for webhook_id in made:
        admin.delete(f"/api/v1/webhooks/{webhook_id}")


def subscribe(
    admin: httpx.Client, hooks: list[str], url: str, events: list[str], secret: str
) -> str:
    response = admin.post("/api/v1/webhooks", json={"url": url, "events": events, "secret": secret})
    assert response.status_code == 201, response.text
    webhook_id: str = response.json()["webhook_id"]
    hooks.append(webhook_id)
    return webhook_id


def deliveries(admin: httpx.Client, webhook_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 100}
    while True:
        page = admin.get(f"/api/v1/webhooks/{webhook_id}/deliveries", params=params).json()
        found += page["deliveries"]
        if not page["next_cursor"]:
            return found
        params["cursor"] = page["next_cursor"]


def test_lifecycle_events_are_signed_and_verifiable(
    admin: httpx.Client, receiver: Receiver, hooks: list[str]
) -> None:
    secret = "webhook_secret_" + secrets.token_hex(8)
    webhook_id = subscribe(admin, hooks, receiver.url, ALL_EVENTS, secret)
    spec_id = f"hooked-{secrets.token_hex(3)}"
    text = spec_yaml(spec_id, tasks=TASKS, tags=("sandbox-security-issue",))
    pid = create_project(admin, text)["project_id"]
    wait_status(admin, pid, ("deployed",))
    expected = 1 + 5 + len(TASKS) + 1  # created, phases, tasks, security issue

    def mine() -> list[dict[str, Any]] | None:
        got = [verify(secret, h, b) for h, b in receiver.received()]
        got = [p for p in got if p["project_id"] == pid]
        return got if len(got) >= expected else None

    payloads = wait_until(mine, timeout=10, what="all lifecycle events")
    counts = Counter(p["event"] for p in payloads)
    assert counts == {
        "project.created": 1,
        "project.phase_completed": 5,
        "agent.task_completed": 3,
        "security.issue_detected": 1,
    }
    phases = [p["data"] for p in payloads if p["event"] == "project.phase_completed"]
    phases.sort(key=lambda d: d["progress"])
    assert [d["phase"] for d in phases] == [
        "specification",
        "planning",
        "implementation",
        "validation",
        "deployment",
    ]
    assert [d["next_phase"] for d in phases][-1] == "deployed"
    planning = phases[1]["artifacts"]
    assert planning == [
        {"type": "task_breakdown", "url": f"/api/v1/projects/{pid}/artifacts/task_breakdown"}
    ]
    tasks = sorted(
        (p["data"] for p in payloads if p["event"] == "agent.task_completed"),
        key=lambda d: d["completed_tasks"],
    )
    assert [t["task_id"] for t in tasks] == ["setup", "api", "docs"]
    assert all(t["agent_id"] == "sandbox-implementer" and t["total_tasks"] == 3 for t in tasks)
    issue = next(p for p in payloads if p["event"] == "security.issue_detected")
    assert issue["data"]["issues"][0]["id"] == "SBX-SEC-001"
    for p in payloads:
        datetime.fromisoformat(p["timestamp"].replace("Z", "+00:00"))
        assert p["id"].startswith("evt_")

    def all_delivered() -> list[dict[str, Any]] | None:
        log = [d for d in deliveries(admin, webhook_id) if d["project_id"] == pid]
        ok = len(log) == expected and all(d["status"] == "delivered" for d in log)
        return log if ok else None

    log = wait_until(all_delivered, timeout=10, what="delivery log to show every delivery")
    assert all(d["attempts"] == 1 and d["attempt_log"][0]["status_code"] == 200 for d in log)
    assert {d["delivery_id"] for d in log} == {
        h["x-ospec-delivery"] for h, b in receiver.received() if json.loads(b)["project_id"] == pid
    }
    report(f"webhook deliveries verified (both signatures): {len(payloads)}")


def test_failures_are_retried_with_backoff(
    admin: httpx.Client, receiver: Receiver, hooks: list[str]
) -> None:
    receiver.statuses = [500, 503]  # then 200
    webhook_id = subscribe(admin, hooks, receiver.url, ["project.created"], "s3cret")
    pid = create_project(admin, spec_yaml(f"retry-{secrets.token_hex(3)}"))["project_id"]

    def delivered() -> dict[str, Any] | None:
        log = [d for d in deliveries(admin, webhook_id) if d["project_id"] == pid]
        return log[0] if log and log[0]["status"] == "delivered" else None

    entry = wait_until(delivered, timeout=10, what="the delivery to succeed on its third try")
    assert entry["attempts"] == 3
    assert [a["status_code"] for a in entry["attempt_log"]] == [500, 503, 200]
    stamps = [datetime.fromisoformat(a["at"].replace("Z", "+00:00")) for a in entry["attempt_log"]]
    gaps = [(b - a).total_seconds() for a, b in pairwise(stamps)]
    assert gaps[0] >= 0.04 and gaps[1] >= 0.09, gaps  # backoff 0.05 s, then 0.1 s
    bodies = [b for _, b in receiver.received()]
    assert len(bodies) == 3 and len(set(bodies)) == 1, "every retry sends the same signed body"


def test_delivery_gives_up_after_max_attempts(
    admin: httpx.Client, receiver: Receiver, hooks: list[str]
) -> None:
    receiver.status = 500
    webhook_id = subscribe(admin, hooks, receiver.url, ["project.created"], "s3cret")
    pid = create_project(admin, spec_yaml(f"giveup-{secrets.token_hex(3)}"))["project_id"]

    def failed() -> dict[str, Any] | None:
        log = [d for d in deliveries(admin, webhook_id) if d["project_id"] == pid]
        return log[0] if log and log[0]["status"] == "failed" else None

    entry = wait_until(failed, timeout=15, what="the delivery to be given up")
    assert entry["attempts"] == 6 and entry["last_status_code"] == 500
    assert entry["next_attempt_at"] is None


def test_unreachable_receiver_is_retried(admin: httpx.Client, hooks: list[str]) -> None:
    closed = Receiver()
    url = closed.url
    closed.close()  # nothing listens there any more: connection refused
    webhook_id = subscribe(admin, hooks, url, ["project.created"], "s3cret")
    create_project(admin, spec_yaml(f"refused-{secrets.token_hex(3)}"))

    def retried() -> dict[str, Any] | None:
        log = deliveries(admin, webhook_id)
        return log[0] if log and log[0]["attempts"] >= 2 else None

    entry = wait_until(retried, timeout=10, what="a second attempt")
    assert entry["last_status_code"] is None and "Connect" in entry["last_error"]
    assert admin.delete(f"/api/v1/webhooks/{webhook_id}").status_code == 204
    hooks.remove(webhook_id)
    cancelled = deliveries(admin, webhook_id)
    assert all(d["status"] in ("cancelled", "failed") for d in cancelled)
    assert admin.get(f"/api/v1/webhooks/{webhook_id}").status_code == 404


def test_project_failed_event(admin: httpx.Client, receiver: Receiver, hooks: list[str]) -> None:
    subscribe(admin, hooks, receiver.url, ["project.failed"], "s3cret")
    text = spec_yaml(f"doomed-{secrets.token_hex(3)}", tags=("sandbox-fail-implementation",))
    pid = create_project(admin, text)["project_id"]
    wait_status(admin, pid, ("failed",))

    def got() -> dict[str, Any] | None:
        for headers, body in receiver.received():
            payload = verify("s3cret", headers, body)
            if payload["project_id"] == pid:
                return payload
        return None

    payload = wait_until(got, timeout=10, what="project.failed")
    assert payload["event"] == "project.failed"
    assert payload["data"]["phase"] == "implementation"
    assert "sandbox-fail-implementation" in payload["data"]["error"]
    assert [a["type"] for a in payload["data"]["artifacts"]] == ["task_breakdown"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"url": "ftp://127.0.0.1/x", "events": ["project.created"], "secret": "s"}, "invalid_url"),
        (
            {"url": "http://example.invalid/x", "events": ["project.created"], "secret": "s"},
            "webhook_host_not_allowed",
        ),
        ({"url": "http://127.0.0.1/x", "events": ["project.exploded"], "secret": "s"}, None),
        ({"url": "http://127.0.0.1/x", "events": [], "secret": "s"}, None),
        ({"url": "http://127.0.0.1/x", "events": ["project.created"]}, None),
        ({"url": "http://127.0.0.1:99999/x", "events": ["project.created"], "secret": "s"}, None),
    ],
)
def test_invalid_subscriptions_are_422(
    admin: httpx.Client, body: dict[str, Any], code: str | None
) -> None:
    response = admin.post("/api/v1/webhooks", json=body)
    assert response.status_code == 422, response.text
    if code:
        assert response.json()["error"]["code"] == code


def test_delivery_log_pages_one_webhooks_deliveries_newest_first(
    admin: httpx.Client, receiver: Receiver, hooks: list[str]
) -> None:
    mine = subscribe(admin, hooks, receiver.url, ["project.created"], "s3cret")
    other = subscribe(admin, hooks, receiver.url, ["project.created"], "s3cret")
    created = [
        create_project(admin, spec_yaml(f"paged-{secrets.token_hex(3)}"))["project_id"]
        for _ in range(3)
    ]

    def delivered() -> bool | None:
        log = deliveries(admin, mine) + deliveries(admin, other)
        return (len(log) == 6 and all(d["status"] == "delivered" for d in log)) or None

    wait_until(delivered, timeout=10, what="six deliveries")
    url = f"/api/v1/webhooks/{mine}/deliveries"
    first = admin.get(url, params={"limit": 2, "status": "delivered"}).json()
    rest = {"limit": 2, "status": "delivered", "cursor": first["next_cursor"]}
    second = admin.get(url, params=rest).json()
    listed = first["deliveries"] + second["deliveries"]
    assert second["next_cursor"] is None
    assert [d["project_id"] for d in listed] == created[::-1]
    assert {d["webhook_id"] for d in listed} == {mine}
