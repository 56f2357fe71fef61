"""50 concurrent clients create and poll projects for a bounded time: no 5xx, no lost writes.

OSPEC_SANDBOX_SOAK_SECONDS sets the duration (default 30) and OSPEC_SANDBOX_SOAK_CLIENTS the
number of clients (default 50).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter

import httpx

from .conftest import SandboxProcess, report, spec_yaml
from .test_idempotency import all_projects

SECONDS = float(os.environ.get("OSPEC_SANDBOX_SOAK_SECONDS", "30"))
CLIENTS = int(os.environ.get("OSPEC_SANDBOX_SOAK_CLIENTS", "50"))


class Tally:
    def __init__(self) -> None:
        self.statuses: Counter[int] = Counter()
        self.errors: Counter[str] = Counter()
        self.created: set[str] = set()
        self.server_errors: list[str] = []

    def record(self, response: httpx.Response) -> httpx.Response:
        self.statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.server_errors.append(f"{response.request.url.path}: {response.text[:200]}")
        return response


async def client_loop(n: int, base_url: str, key: str, deadline: float, tally: Tally) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, timeout=60, trust_env=False
    ) as client:
        i = 0
        while time.monotonic() < deadline:
            i += 1
            try:
                response = tally.record(
                    await client.post(
                        "/api/v1/projects",
                        content=spec_yaml(f"soak-{n}-{i}"),
                        headers={"Content-Type": "application/yaml"},
                    )
                )
                if response.status_code == 201:
                    pid = response.json()["project_id"]
                    tally.created.add(pid)
                    for _ in range(3):
                        got = tally.record(await client.get(f"/api/v1/projects/{pid}"))
                        assert got.status_code != 200 or got.json()["project_id"] == pid
                    if i % 5 == 0:
                        tally.record(await client.get("/api/v1/projects", params={"limit": 10}))
                        tally.record(await client.get(f"/api/v1/projects/{pid}/artifacts"))
            except httpx.HTTPError as exc:
                tally.errors[type(exc).__name__] += 1


def test_concurrent_clients_soak(sandbox: SandboxProcess) -> None:
    key = sandbox.make_key(["projects:create", "projects:read"])
    tally = Tally()
    deadline = time.monotonic() + SECONDS

    async def run() -> None:
        await asyncio.gather(
            *(client_loop(n, sandbox.base_url, key, deadline, tally) for n in range(CLIENTS))
        )

    started = time.monotonic()
    asyncio.run(run())
    elapsed = time.monotonic() - started
    requests = sum(tally.statuses.values())
    assert not tally.server_errors, tally.server_errors[:5]
    assert not tally.errors, tally.errors
    assert tally.created, "no project was created"
    with sandbox.client(key) as client:
        listed = {str(p["project_id"]) for p in all_projects(client)}
    missing = tally.created - listed
    assert not missing, f"{len(missing)} created projects are not listed"
    report(
        f"soak: {CLIENTS} clients for {elapsed:.1f}s made {requests} requests "
        f"({requests / elapsed:.0f}/s; statuses {dict(tally.statuses)}); "
        f"{len(tally.created)} projects created, all {len(tally.created)} verified in the listing"
    )
