"""The command line: admin key printed once, data dir lock, bad flags, both entry points."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ospec.sandbox.cli import build_parser, main, settings_from

from .conftest import ADMIN_LINE, SERVER_DIR, SandboxProcess


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("OSPEC_SANDBOX_")}
    full["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SERVER_DIR), full.get("PYTHONPATH")]))
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "ospec.sandbox", *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=60,
    )


def test_admin_key_is_printed_once(
    start_sandbox: Callable[..., SandboxProcess], tmp_path: Path
) -> None:
    data = tmp_path / "keyed"
    first = start_sandbox([], data_dir=data)
    key = first.admin_key
    assert key and key.startswith("ospec_sk_")
    with first.client() as client:
        assert client.get("/api/v1/auth/api-keys").status_code == 200
    first.stop()

    second = start_sandbox([], data_dir=data)
    assert not any(line.startswith(ADMIN_LINE) for line in second.lines)
    second.admin_key = key
    with second.client() as client:
        assert client.get("/api/v1/auth/api-keys").status_code == 200
    second.stop()

    third = start_sandbox(["--reset-admin-key"], data_dir=data)
    assert third.admin_key and third.admin_key != key
    with third.client() as fresh, third.client(key) as stale:
        assert fresh.get("/api/v1/auth/api-keys").status_code == 200
        assert stale.get("/api/v1/auth/api-keys").status_code == 401


def test_one_sandbox_per_data_dir(start_sandbox: Callable[..., SandboxProcess]) -> None:
    running = start_sandbox([])
    result = run_cli("--port", "0", "--data-dir", str(running.data_dir))
    assert result.returncode == 2
    assert "another sandbox is already using" in result.stderr


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("--port", str(port), "--data-dir", str(tmp_path))
    assert result.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_flags_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSPEC_SANDBOX_PHASE_SECONDS", "2.5")
    monkeypatch.setenv("OSPEC_SANDBOX_WEBHOOK_ALLOW_HOST", "LocalHost,127.0.0.1")
    args = build_parser().parse_args(["--data-dir", str(tmp_path), "--fail-next", "3"])
    settings = settings_from(args)
    assert settings.phase_seconds == 2.5
    assert settings.webhook_allow_hosts == ("localhost", "127.0.0.1")
    assert settings.faults.fail is not None and settings.faults.fail.count == 3
    assert settings.port == 8765 and settings.host == "127.0.0.1"
    monkeypatch.setenv("OSPEC_SANDBOX_PHASE_SECONDS", "-1")
    with pytest.raises(SystemExit) as exc:
        main(["--data-dir", str(tmp_path)])
    assert exc.value.code == 2


def test_help_through_both_entry_points(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "--phase-seconds" in capsys.readouterr().out
    result = run_cli("--help")
    assert result.returncode == 0 and "--fail-next" in result.stdout


def test_project_cli_dispatches_to_the_sandbox(capsys: pytest.CaptureFixture[str]) -> None:
    from ospec.cli import main as ospec_main

    with pytest.raises(SystemExit) as exc:
        ospec_main(["sandbox", "--help"])
    assert exc.value.code == 0
    assert "--webhook-allow-host" in capsys.readouterr().out
