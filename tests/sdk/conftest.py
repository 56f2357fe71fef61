"""SDK tests run against the real sandbox process (fixtures shared with tests/sandbox)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ospec.sdk import AsyncClient, BreakerSettings, Client, RetryPolicy

from ..sandbox import conftest as shared
from ..sandbox.conftest import FAST_ARGS, TASKS, Receiver, SandboxProcess, spec_yaml, wait_until
from .proxy import Proxy

__all__ = ["FAST_ARGS", "TASKS", "Receiver", "SandboxProcess", "spec_yaml", "wait_until"]

# The sandbox suite's fixtures: one sandbox process for this package, webhook receivers.
sandbox = shared.sandbox
start_sandbox = shared.start_sandbox
admin = shared.admin
receiver = shared.receiver

FAULTS = "/api/v1/_sandbox/faults"
FIGURES: list[str] = []  # what the fault and secret tests measured, shown after the run


def report(line: str) -> None:
    FIGURES.append(line)
    print(line)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES:
        terminalreporter.section("ospec SDK figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


# Quick retries keep the suite fast; the policy's shape is what is under test, not its pace.
FAST_RETRIES = RetryPolicy(max_attempts=3, base_delay_ms=10, max_delay_ms=200)


@pytest.fixture(autouse=True)
def isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No OSPEC_* variables and no config file of the machine running the tests."""
    for name in ("OSPEC_API_TOKEN", "OSPEC_API_URL", "OSPEC_ALLOW_INSECURE_HTTP"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def client(sandbox: SandboxProcess) -> Iterator[Client]:
    with Client(sandbox.admin_key, base_url=sandbox.base_url, retries=FAST_RETRIES) as c:
        yield c


@pytest.fixture
async def aclient(sandbox: SandboxProcess) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(sandbox.admin_key, base_url=sandbox.base_url, retries=FAST_RETRIES) as c:
        yield c


@pytest.fixture
def faults(admin: httpx.Client) -> Iterator[httpx.Client]:
    """The sandbox's fault controls (admin client); every fault is cleared afterwards."""
    yield admin
    assert admin.delete(FAULTS).status_code == 204


@pytest.fixture
def proxy(sandbox: SandboxProcess) -> Iterator[Proxy]:
    p = Proxy(sandbox.base_url)
    try:
        yield p
    finally:
        p.close()


def breaker(threshold: int, recovery_ms: int) -> BreakerSettings:
    return BreakerSettings(failure_threshold=threshold, recovery_timeout_ms=recovery_ms)
