"""Fixtures that run the sandbox as a real process on a free loopback port and talk HTTP to it."""

from __future__ import annotations

import json
import os
import queue
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

import ospec.sandbox

SERVER_DIR = Path(ospec.sandbox.__file__).resolve().parents[2]
REPO = SERVER_DIR.parent
OPENAPI = REPO / "schema" / "openapi" / "ospec-platform-api.yaml"
LISTENING = "ospec sandbox listening on "
ADMIN_LINE = "ospec sandbox admin key: "
# Fast enough for a whole lifecycle in about a second, slow enough to observe each phase.
FAST_ARGS = [
    "--phase-seconds", "0.2", "--log-level", "info",
    "--rate-limit", "0",
    "--webhook-backoff", "0.05",
    "--webhook-max-backoff", "0.5",
    "--webhook-max-attempts", "6",
    "--webhook-timeout", "2",
    "--webhook-allow-host", "127.0.0.1",
    "--webhook-allow-host", "localhost",
]  # fmt: skip
T = TypeVar("T")
FIGURES: list[str] = []  # counts the proof asks for, shown at the end of every run


def report(line: str) -> None:
    """Record a figure (requests made, projects or deliveries verified) for the summary."""
    FIGURES.append(line)
    print(line)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES:
        terminalreporter.section("ospec sandbox figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


def wait_until(
    probe: Callable[[], T | None], *, timeout: float = 15.0, interval: float = 0.02, what: str = ""
) -> T:
    """Poll `probe` until it returns something truthy, failing after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or probe}; last: {last!r}")


def iso_in(seconds: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).isoformat()


class SandboxProcess:
    """One `python -m ospec.sandbox` process; its stdout tells the port and maybe the admin key."""

    def __init__(
        self, data_dir: Path, args: list[str], *, admin_key: str | None = None, log: Path
    ) -> None:
        self.data_dir = data_dir
        self.args = args
        self.admin_key = admin_key
        self.log = log
        self.lines: list[str] = []
        self.base_url = ""
        self.proc: subprocess.Popen[str] | None = None

    def start(self, timeout: float = 30.0) -> SandboxProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OSPEC_SANDBOX_")}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SERVER_DIR), env.get("PYTHONPATH")]))
        if self.admin_key:
            env["OSPEC_SANDBOX_ADMIN_KEY"] = self.admin_key
        cmd = [
            sys.executable,
            "-m",
            "ospec.sandbox",
            "--port",
            "0",
            "--data-dir",
            str(self.data_dir),
        ]
        self.lines = []
        lines: queue.Queue[str | None] = queue.Queue()
        with open(self.log, "a") as err:
            self.proc = subprocess.Popen(
                [*cmd, *self.args], stdout=subprocess.PIPE, stderr=err, text=True, env=env
            )

        def pump() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            for line in self.proc.stdout:
                lines.put(line.rstrip("\n"))
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + timeout
        while not self.base_url:
            try:
                line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                self.kill()
                raise RuntimeError(
                    f"sandbox did not start in {timeout}s: {self.stderr()}"
                ) from None
            if line is None:
                raise RuntimeError(f"sandbox exited during startup: {self.stderr()}")
            self.lines.append(line)
            if line.startswith(ADMIN_LINE):
                self.admin_key = line[len(ADMIN_LINE) :].strip()
            elif line.startswith(LISTENING):
                self.base_url = line[len(LISTENING) :].strip()
        return self

    def stderr(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def client(self, key: str | None = None, **kwargs: Any) -> httpx.Client:
        token = self.admin_key if key is None else key
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        kwargs.setdefault("timeout", 30)
        return httpx.Client(base_url=self.base_url, headers=headers, trust_env=False, **kwargs)

    def make_key(self, scopes: list[str], *, expires_at: str | None = None) -> str:
        with self.client() as admin:
            body: dict[str, Any] = {"name": f"test {' '.join(scopes)}", "scopes": scopes}
            if expires_at:
                body["expires_at"] = expires_at
            response = admin.post("/api/v1/auth/api-keys", json=body)
            assert response.status_code == 201, response.text
            key: str = response.json()["api_key"]
            return key

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers run, as in a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> SandboxProcess:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


@pytest.fixture(scope="package")  # stopped after the last sandbox test, not at session end
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    root = tmp_path_factory.mktemp("sandbox")
    key = "ospec_sk_" + secrets.token_urlsafe(32)
    with SandboxProcess(root / "data", FAST_ARGS, admin_key=key, log=root / "log") as proc:
        yield proc


@pytest.fixture
def start_sandbox(tmp_path: Path) -> Iterator[Callable[..., SandboxProcess]]:
    """Start extra sandbox processes (own data dir unless given); all are killed afterwards."""
    started: list[SandboxProcess] = []

    def start(
        args: list[str] | None = None, *, data_dir: Path | None = None, admin_key: str | None = None
    ) -> SandboxProcess:
        proc = SandboxProcess(
            data_dir or tmp_path / f"data{len(started)}",
            FAST_ARGS if args is None else args,
            admin_key=admin_key,
            log=tmp_path / f"log{len(started)}",
        )
        started.append(proc)
        return proc.start()

    try:
        yield start
    finally:
        for proc in started:
            proc.kill()


@pytest.fixture
def admin(sandbox: SandboxProcess) -> Iterator[httpx.Client]:
    with sandbox.client() as client:
        yield client


def spec_yaml(
    spec_id: str,
    *,
    tags: tuple[str, ...] = (),
    tasks: list[dict[str, Any]] | None = None,
    security_scan: bool = True,
    extra: str = "",
) -> str:
    """A valid OSpec document; JSON flow style keeps it YAML without a YAML dumper."""
    lines = [
        'ospec_version: "1.0.0"',
        f"id: {json.dumps(spec_id)}",
        f"name: {json.dumps('Sandbox test ' + spec_id)}",
        'description: "A project created by the sandbox test suite."',
        'outcome_type: "api"',
        "acceptance:",
        "  http_endpoints:",
        '    - {path: "/health", status: 200}',
        '    - {path: "/items", method: "POST", status: 201}',
        '  tests: [{file: "tests/health.test.ts", type: "unit"}]',
        f"guardrails: {{security_scan: {'true' if security_scan else 'false'}}}",
    ]  # fmt: skip
    if tasks is not None:
        lines.append(f"tasks: {json.dumps(tasks)}")
    if tags:
        lines.append(f"metadata: {{tags: {json.dumps(list(tags))}}}")
    return "\n".join(lines) + "\n" + extra


TASKS: list[dict[str, Any]] = [
    {"id": "setup", "title": "Scaffold the service"},
    {"id": "api", "title": "Implement the endpoints", "dependencies": ["setup"]},
    {"id": "docs", "title": "Write the docs", "dependencies": ["api"], "estimated_hours": 2},
]


def create_project(client: httpx.Client, text: str, **headers: str) -> dict[str, Any]:
    response = client.post(
        "/api/v1/projects",
        content=text.encode(),
        headers={"Content-Type": "application/yaml", **headers},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def wait_status(
    client: httpx.Client, project_id: str, statuses: tuple[str, ...], timeout: float = 20.0
) -> dict[str, Any]:
    def probe() -> dict[str, Any] | None:
        body: dict[str, Any] = client.get(f"/api/v1/projects/{project_id}").json()
        return body if body["status"] in statuses else None

    return wait_until(probe, timeout=timeout, what=f"{project_id} to reach {statuses}")


class Receiver:
    """A loopback HTTP server that records webhook requests and answers with `status`."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        self.statuses: list[int] = []  # answered in order first, then `status`
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.requests.append(
                        ({k.lower(): v for k, v in self.headers.items()}, body)
                    )
                    code = receiver.statuses.pop(0) if receiver.statuses else receiver.status
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def received(self) -> list[tuple[dict[str, str], bytes]]:
        with self.lock:
            return list(self.requests)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()
    try:
        yield rec
    finally:
        rec.close()
