"""Sandbox durability (issue 8): kill -9 at seeded random moments while concurrent clients create
projects, assign agents and register webhooks, restarting on the same data dir each time.

Afterwards every write a client saw acknowledged (a 2xx answer) is still there, creates retried
with an `Idempotency-Key` never made a duplicate, lifecycles in flight at a kill run to their
end, and every event owed to a webhook reaches its loopback receiver with a valid signature.
Set OSPEC_DURABILITY_SEED to replay another schedule.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import secrets
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from ospec.webhooks import verify_signature

from ..sandbox.conftest import Receiver, SandboxProcess, spec_yaml, wait_until

SEED = int(os.environ.get("OSPEC_DURABILITY_SEED", "20261203"))
KILLS = 4
WORKERS = 6
MAX_HOOKS = 3
PHASE_SECONDS = 0.4
PHASES = ("specification", "planning", "implementation", "validation", "deployment")
FAIL_TAG = "sandbox-fail-validation"  # fails halfway through validation
HOOK_EVENTS = ("project.created", "project.phase_completed", "project.failed")
ROLES = ("specifier", "planner", "implementer", "reviewer")
ARGS = [
    "--phase-seconds", str(PHASE_SECONDS),
    "--rate-limit", "0",
    "--webhook-backoff", "0.05",
    "--webhook-max-backoff", "0.3",
    "--webhook-max-attempts", "1000",
    "--webhook-timeout", "2",
    "--webhook-allow-host", "127.0.0.1",
]  # fmt: skip
WORKER_SCOPES = [
    "projects:create",
    "projects:read",
    "agents:write",
    "agents:read",
    "webhooks:write",
]
FIGURES: list[str] = []


class _Figures:
    """Prints the figures in the terminal summary, as tests/sandbox/conftest.py does."""

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.section("ospec sandbox reliability figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture
def report(pytestconfig: pytest.Config) -> Callable[[str], None]:
    name = "ospec-sandbox-reliability-figures"
    if not pytestconfig.pluginmanager.has_plugin(name):
        pytestconfig.pluginmanager.register(_Figures(), name)

    def add(line: str) -> None:
        FIGURES.append(line)
        print(line)

    return add


@dataclass
class Project:
    spec_id: str
    text: str
    fails: bool
    sent_at: float  # monotonic time of the first attempt
    acked_at: float
    created_at: str


@dataclass
class Hook:
    webhook_id: str
    receiver: Receiver
    secret: str
    events: list[str]
    acked_at: float


@dataclass
class Ledger:
    """What the clients saw; shared by the worker threads under `lock`."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    projects: dict[str, Project] = field(default_factory=dict)
    attempted: set[str] = field(default_factory=set)  # spec ids sent at least once
    # (project, role) -> the acknowledged agent first, then agents of later unanswered tries.
    agents: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    hooks: list[Hook] = field(default_factory=list)
    hook_slots: int = 0  # webhooks acknowledged or being registered, up to MAX_HOOKS
    acked: Counter[str] = field(default_factory=Counter)
    cut: Counter[str] = field(default_factory=Counter)  # sent, then the kill cut the answer
    refused: Counter[str] = field(default_factory=Counter)  # not sent: the sandbox was down
    unexpected: list[str] = field(default_factory=list)  # any non-2xx answer is a failure


class Worker:
    """One client thread: a seeded random mix of creates, assignments and webhook sign-ups."""

    def __init__(
        self, n: int, base_url: str, key: str, ledger: Ledger, spare: list[Receiver]
    ) -> None:
        self.n = n
        self.ledger = ledger
        self.spare = spare
        self.rng = random.Random(SEED * 100 + n)
        self.mine: list[str] = []  # only this worker assigns agents to these projects
        self.stop = threading.Event()
        self.client = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=10
        )
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        ops = (self.create, self.assign, self.register_hook)
        with self.client:
            for i in itertools.count():
                if self.stop.is_set():
                    return
                self.rng.choices(ops, (5, 4, 1))[0](i)
                time.sleep(self.rng.uniform(0.03, 0.15))

    def send(self, kind: str, method: str, url: str, **kwargs: Any) -> httpx.Response | None:
        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.ConnectError:
            with self.ledger.lock:
                self.ledger.refused[kind] += 1
            return None
        except httpx.TransportError:
            with self.ledger.lock:
                self.ledger.cut[kind] += 1
            return None
        with self.ledger.lock:
            if response.is_success:
                self.ledger.acked[kind] += 1
                return response
            self.ledger.unexpected.append(f"{method} {url}: {response.status_code} {response.text}")
        return None

    def create(self, i: int) -> None:
        spec_id = f"w{self.n}-{i}"
        fails = self.rng.random() < 0.2
        text = spec_yaml(spec_id, tags=(FAIL_TAG,) if fails else ())
        headers = {"Content-Type": "application/yaml"}
        retry = self.rng.random() < 0.7  # with an Idempotency-Key a client may safely retry
        if retry:
            headers["Idempotency-Key"] = spec_id
        with self.ledger.lock:
            self.ledger.attempted.add(spec_id)
        sent = time.monotonic()
        response = self.send("create", "POST", "/api/v1/projects", content=text, headers=headers)
        while response is None and retry and not self.stop.is_set():
            time.sleep(0.05)
            response = self.send(
                "create", "POST", "/api/v1/projects", content=text, headers=headers
            )
        if response is None:
            return
        body = response.json()
        with self.ledger.lock:
            self.ledger.projects[body["project_id"]] = Project(
                spec_id, text, fails, sent, time.monotonic(), body["created_at"]
            )
        self.mine.append(body["project_id"])

    def assign(self, i: int) -> None:
        if not self.mine:
            return
        pid, role = self.rng.choice(self.mine), self.rng.choice(ROLES)
        agent = f"agent-w{self.n}-{i}"
        with self.ledger.lock:
            tried = self.ledger.agents.setdefault((pid, role), [f"sandbox-{role}"])
        body = {"agent_id": agent, "capabilities": ["python"], "priority": "high"}
        response = self.send("assign", "PUT", f"/api/v1/projects/{pid}/agents/{role}", json=body)
        with self.ledger.lock:
            if response is None:
                tried.append(agent)  # it may or may not have been written
            else:
                self.ledger.agents[(pid, role)] = [agent]

    def register_hook(self, i: int) -> None:
        with self.ledger.lock:
            if self.ledger.hook_slots >= MAX_HOOKS or not self.spare:
                return
            self.ledger.hook_slots += 1
            receiver = self.spare.pop()  # one receiver per attempt keeps every log attributable
        events = self.rng.sample(HOOK_EVENTS, self.rng.randint(1, len(HOOK_EVENTS)))
        secret = secrets.token_hex(16)
        body = {"url": receiver.url, "events": events, "secret": secret}
        response = self.send("webhook", "POST", "/api/v1/webhooks", json=body)
        hook = None
        if response is not None:
            hook = Hook(response.json()["webhook_id"], receiver, secret, events, time.monotonic())
        with self.ledger.lock:
            if hook is None:
                self.ledger.hook_slots -= 1  # try again with a fresh receiver
            else:
                self.ledger.hooks.append(hook)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def all_projects(client: httpx.Client) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/projects", params=params).json()
        found += page["projects"]
        cursor = page["next_cursor"]
        if cursor is None:
            return found


def owed_events(project: Project) -> set[tuple[str, str]]:
    """(event, phase) pairs a webhook subscribed before the create must receive."""
    done = PHASES[:3] if project.fails else PHASES
    owed = {("project.created", "specification")}
    owed |= {("project.phase_completed", phase) for phase in done}
    if project.fails:
        owed.add(("project.failed", "validation"))
    return owed


@pytest.fixture
def receivers() -> Iterator[list[Receiver]]:
    made = [Receiver() for _ in range(MAX_HOOKS + 5)]
    try:
        yield list(made)
    finally:
        for receiver in made:
            receiver.close()


def test_acknowledged_writes_survive_kill_9_at_random_points(
    tmp_path: Path, receivers: list[Receiver], report: Callable[[str], None]
) -> None:
    rng = random.Random(SEED)
    port, admin_key = free_port(), "ospec_sk_" + secrets.token_urlsafe(32)
    ledger = Ledger()
    started: list[SandboxProcess] = []

    def start() -> SandboxProcess:
        args = [*ARGS, "--port", str(port)]  # the same address, so clients just reconnect
        proc = SandboxProcess(tmp_path / "data", args, admin_key=admin_key, log=tmp_path / "log")
        started.append(proc)
        return proc.start()

    kills: list[float] = []
    try:
        sandbox = start()
        key = sandbox.make_key(WORKER_SCOPES)
        workers = [Worker(n, sandbox.base_url, key, ledger, receivers) for n in range(WORKERS)]
        for worker in workers:
            worker.thread.start()
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.4, 1.6))
            sandbox.kill()
            kills.append(time.monotonic())
            assert sandbox.proc is not None and sandbox.proc.returncode == -9
            sandbox = start()
        time.sleep(rng.uniform(0.4, 1.0))
        for worker in workers:
            worker.stop.set()
        for worker in workers:
            worker.thread.join(30)
        with sandbox.client() as client:
            verify(client, ledger, kills, report)
    finally:
        for proc in started:
            proc.kill()


def verify(
    client: httpx.Client, ledger: Ledger, kills: list[float], report: Callable[[str], None]
) -> None:
    assert not ledger.unexpected, ledger.unexpected[:5]
    assert ledger.projects and ledger.hooks, "the load made no acknowledged writes"

    listed = {p["project_id"]: p for p in all_projects(client)}
    per_spec = Counter(p["spec_id"] for p in listed.values())
    assert [s for s, n in per_spec.items() if n > 1] == [], "a retried create made a duplicate"
    assert set(per_spec) <= ledger.attempted, "a project nobody asked for appeared"
    for pid, project in ledger.projects.items():
        assert pid in listed, f"acknowledged project {pid} ({project.spec_id}) was lost"
        assert listed[pid]["created_at"] == project.created_at
        assert client.get(f"/api/v1/projects/{pid}/spec").text == project.text

    assigned = 0
    for (pid, role), agents in ledger.agents.items():
        assert listed[pid]["agents"][role] in agents, f"{pid} {role}: acknowledged agent lost"
        if listed[pid]["agents"][role] == agents[0] and not agents[0].startswith("sandbox-"):
            status = client.get(f"/api/v1/agents/{agents[0]}/status").json()
            assert {"project_id": pid, "role": role} in status["assignments"]
            assigned += 1

    for hook in ledger.hooks:
        found = client.get(f"/api/v1/webhooks/{hook.webhook_id}").json()
        assert (found["url"], found["events"], found["active"]) == (
            hook.receiver.url,
            hook.events,
            True,
        )

    def in_flight_at_a_kill(p: Project) -> bool:
        lifetime = PHASE_SECONDS * (3.5 if p.fails else len(PHASES))
        return any(p.acked_at < k < p.sent_at + lifetime for k in kills)

    interrupted = [pid for pid, p in ledger.projects.items() if in_flight_at_a_kill(p)]
    assert interrupted, "no kill hit a lifecycle in flight; the schedule proves nothing"

    def all_finished() -> dict[str, dict[str, Any]] | None:
        now = {p["project_id"]: p for p in all_projects(client)}
        done = all(now[pid]["status"] in ("deployed", "failed") for pid in ledger.projects)
        return now if done else None

    final = wait_until(all_finished, timeout=30, interval=0.2, what="every lifecycle to finish")
    for pid, project in ledger.projects.items():
        expected = "failed" if project.fails else "deployed"
        assert final[pid]["status"] == expected, f"{pid}: {final[pid]}"

    def settled() -> bool:
        return all(
            client.get(
                f"/api/v1/webhooks/{hook.webhook_id}/deliveries",
                params={"status": "pending", "limit": "1"},
            ).json()["deliveries"]
            == []
            for hook in ledger.hooks
        )

    wait_until(settled, timeout=30, interval=0.2, what="every webhook delivery to land")
    owed_total, redelivered, truncated = 0, 0, 0
    for hook in ledger.hooks:
        received: set[tuple[str, str, str]] = set()
        event_ids: Counter[str] = Counter()
        for headers, body in hook.receiver.received():
            if len(body) != int(headers["content-length"]):
                truncated += 1  # the kill cut the request: an incomplete POST, redelivered later
                continue
            assert verify_signature(body, headers["x-ospec-signature"], hook.secret)
            payload = json.loads(body)
            event_ids[payload["id"]] += 1
            received.add((payload["project_id"], payload["event"], payload["data"]["phase"]))
        redelivered += sum(n - 1 for n in event_ids.values())
        for pid, project in ledger.projects.items():
            if project.sent_at <= hook.acked_at:
                continue  # created before the webhook surely existed: nothing owed
            for event, phase in owed_events(project):
                if event in hook.events:
                    assert (pid, event, phase) in received, f"{hook.webhook_id} missed {event}"
                    owed_total += 1
    acked = sum(ledger.acked.values())
    report(
        f"durability (seed {SEED}): {len(kills)} kill -9s during load; {acked} acknowledged "
        f"writes ({dict(ledger.acked)}) all verified, {assigned} assignments also seen in agent "
        f"status; {sum(ledger.cut.values())} requests cut mid-flight by a kill, "
        f"{sum(ledger.refused.values())} refused while it restarted; "
        f"{len(ledger.projects)} projects, {len(interrupted)} in flight at a kill, all finished; "
        f"{owed_total} owed webhook events received and signature-checked "
        f"({redelivered} redelivered after a kill, {truncated} cut mid-request)"
    )
