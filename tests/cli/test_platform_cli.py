"""The platform commands (`ospec deploy/create/status/watch/artifacts/agents/webhooks/keys`)
against the real sandbox: exit codes, --json output, readable errors, no token echoed."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import ospec
from ospec.cli import main
from ospec.platform_cli import ID_FILE, ProgressDisplay
from ospec.sdk import Project

from ..sandbox import conftest as shared
from ..sandbox.conftest import TASKS, Receiver, SandboxProcess, spec_yaml, wait_until

sandbox = shared.sandbox  # one sandbox process for this module's package
receiver = shared.receiver
SERVER_DIR = str(Path(ospec.__file__).resolve().parents[1])


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture(autouse=True)
def env(sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The admin token and sandbox URL in the environment, as a CI job would set them."""
    assert sandbox.admin_key
    monkeypatch.setenv("OSPEC_API_TOKEN", sandbox.admin_key)
    monkeypatch.setenv("OSPEC_API_URL", sandbox.base_url)
    monkeypatch.delenv("OSPEC_ALLOW_INSECURE_HTTP", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)


Cmd = Callable[..., Run]


@pytest.fixture
def ospec_cmd(capsys: pytest.CaptureFixture[str]) -> Cmd:
    """Run `ospec ARGS...` in this process; the result has the exit code, stdout and stderr."""

    def run(*argv: str) -> Run:
        code = main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def spec_file(tmp_path: Path, *tags: str) -> Path:
    spec_id = f"cli-{uuid.uuid4().hex[:8]}"
    path = tmp_path / f"{spec_id}.ospec.yaml"
    path.write_text(spec_yaml(spec_id, tasks=TASKS, tags=tags))
    return path


def test_deploy_wait_prints_one_line_per_phase_and_exits_0(ospec_cmd: Cmd, tmp_path: Path) -> None:
    run = ospec_cmd("deploy", str(spec_file(tmp_path)), "--wait", "--poll-interval", "0.05")
    assert run.code == 0, run.err
    pid = (tmp_path / ID_FILE).read_text().strip()
    assert f"created project {pid}" in run.out
    phases = [line.split()[1] for line in run.out.splitlines() if line.startswith("phase ")]
    assert phases == ["specification", "planning", "implementation", "validation",
                      "deployment", "deployed"]  # fmt: skip
    assert run.out.endswith(f"project {pid} deployed\n")


def test_deploy_json_is_one_document(ospec_cmd: Cmd, tmp_path: Path) -> None:
    run = ospec_cmd(
        "deploy", str(spec_file(tmp_path)), "--wait", "--json", "--poll-interval", "0.05"
    )
    assert run.code == 0
    result = run.json()
    assert isinstance(result, dict) and result["status"] == "deployed"
    assert result["project_id"] == (tmp_path / ID_FILE).read_text().strip()
    assert "phase planning" in run.err  # progress goes to stderr, keeping stdout parseable


def test_a_failed_project_exits_1(ospec_cmd: Cmd, tmp_path: Path) -> None:
    spec = spec_file(tmp_path, "sandbox-fail-planning")
    run = ospec_cmd("deploy", str(spec), "--wait", "--poll-interval", "0.05")
    assert run.code == 1
    assert "failed in the planning phase: simulated failure" in run.out


def test_deploy_refuses_a_spec_with_errors_and_sends_nothing(
    ospec_cmd: Cmd,
    sandbox: SandboxProcess,
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.ospec.yaml"
    bad.write_text('ospec_version: "1.0.0"\nid: bad\noutcome_type: rocket\n')
    with sandbox.client() as admin:
        before = admin.get("/api/v1/projects", params={"limit": 100}).json()["projects"]
    run = ospec_cmd("deploy", str(bad))
    assert run.code == 1
    assert f"{bad}:3:15: error OSPEC-S004" in run.err
    assert "nothing was sent" in run.err and not (tmp_path / ID_FILE).exists()
    with sandbox.client() as admin:
        assert admin.get("/api/v1/projects", params={"limit": 100}).json()["projects"] == before


def test_create_is_deploy_without_waiting(ospec_cmd: Cmd, tmp_path: Path) -> None:
    run = ospec_cmd("create", str(spec_file(tmp_path)), "--json")
    assert run.code == 0
    result = run.json()
    assert isinstance(result, dict) and result["created"]["status"] == "specification"


def test_a_stable_idempotency_key_makes_a_rerun_return_the_same_project(
    ospec_cmd: Cmd,
    tmp_path: Path,
) -> None:
    spec, key = str(spec_file(tmp_path)), f"ci-{uuid.uuid4()}"
    first = ospec_cmd("deploy", spec, "--idempotency-key", key, "--json").json()
    again = ospec_cmd("deploy", spec, "--idempotency-key", key, "--json").json()
    fresh = ospec_cmd("deploy", spec, "--json").json()
    assert first["project_id"] == again["project_id"] != fresh["project_id"]
    assert again["replayed"] is True


def test_wait_timeout_exits_5(ospec_cmd: Cmd, tmp_path: Path) -> None:
    run = ospec_cmd("deploy", str(spec_file(tmp_path)), "--wait", "--timeout", "0.1",
                    "--poll-interval", "0.05")  # fmt: skip
    assert run.code == 5 and "did not finish within 0.1s" in run.err


def test_status_reads_the_id_file(ospec_cmd: Cmd, tmp_path: Path) -> None:
    ospec_cmd("deploy", str(spec_file(tmp_path)))
    run = ospec_cmd("status")
    assert run.code == 0
    assert run.out.splitlines()[0].startswith("project:  proj_")
    assert "tasks:    " in run.out
    data = ospec_cmd("status", "--json").json()
    assert isinstance(data, dict) and data["project_id"] == (tmp_path / ID_FILE).read_text().strip()


def test_status_without_an_id_is_a_usage_error(ospec_cmd: Cmd) -> None:
    run = ospec_cmd("status")
    assert run.code == 2 and f"there is no ./{ID_FILE}" in run.err


def test_watch_json_prints_one_line_per_change(ospec_cmd: Cmd, tmp_path: Path) -> None:
    ospec_cmd("deploy", str(spec_file(tmp_path)))
    run = ospec_cmd("watch", "--json", "--poll-interval", "0.05")
    assert run.code == 0
    states = [json.loads(line) for line in run.out.splitlines()]
    assert len(states) >= 2 and states[-1]["status"] == "deployed"


def test_artifacts_list_download_and_refuse_to_overwrite(ospec_cmd: Cmd, tmp_path: Path) -> None:
    ospec_cmd("deploy", str(spec_file(tmp_path)), "--wait", "--poll-interval", "0.05")
    listed = ospec_cmd("artifacts")
    assert listed.code == 0 and "source_code" in listed.out
    got = ospec_cmd("artifacts", "--download", "out", "--type", "source_code", "--json")
    assert got.code == 0
    (row,) = got.json()
    assert Path(row["downloaded_to"]).parent == Path("out")
    again = ospec_cmd("artifacts", "--download", "out", "--type", "source_code")
    assert again.code == 1 and "already exists" in again.err and "Traceback" not in again.err
    forced = ospec_cmd("artifacts", "--download", "out", "--type", "source_code", "--overwrite")
    assert forced.code == 0


def test_agents_assign_and_status(ospec_cmd: Cmd, tmp_path: Path) -> None:
    ospec_cmd("deploy", str(spec_file(tmp_path)))
    pid = (tmp_path / ID_FILE).read_text().strip()
    agent = f"agent-{uuid.uuid4().hex[:6]}"
    run = ospec_cmd("agents", "assign", pid, "reviewer", agent, "--capability", "security",
                    "--priority", "high")  # fmt: skip
    assert run.code == 0 and run.out == f"{agent} is the reviewer of {pid} (high)\n"
    status = ospec_cmd("agents", "status", agent, "--json")
    assert status.code == 0 and status.json()["agent_id"] == agent


def test_webhooks_add_and_deliveries(
    ospec_cmd: Cmd,
    receiver: Receiver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OSPEC_WEBHOOK_SECRET", "cli-secret")
    added = ospec_cmd("webhooks", "add", receiver.url, "--event", "project.created", "--json")
    assert added.code == 0
    hook = added.json()
    assert isinstance(hook, dict) and "secret" not in hook  # it came from the environment
    ospec_cmd("deploy", str(spec_file(tmp_path)))

    def delivered() -> str | None:
        run = ospec_cmd("webhooks", "deliveries", hook["webhook_id"], "--status", "delivered")
        return run.out or None

    assert "project.created" in wait_until(delivered, what="a delivered webhook")


def test_webhooks_add_generates_a_secret_when_none_is_given(
    ospec_cmd: Cmd,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OSPEC_WEBHOOK_SECRET", raising=False)
    run = ospec_cmd("webhooks", "add", "http://127.0.0.1:9/hook")
    assert run.code == 0 and "signing secret (shown once" in run.out


def test_keys_create_prints_only_the_key_on_stdout(ospec_cmd: Cmd) -> None:
    run = ospec_cmd(
        "keys", "create", "ci", "--scope", "projects:read", "--scope", "projects:create"
    )
    assert run.code == 0 and run.out.startswith("ospec_sk_") and len(run.out.split()) == 1
    assert "projects:read, projects:create" in run.err


def test_a_missing_scope_exits_3_and_names_it(
    ospec_cmd: Cmd,
    sandbox: SandboxProcess,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reader = sandbox.make_key(["projects:read"])
    monkeypatch.setenv("OSPEC_API_TOKEN", reader)
    run = ospec_cmd("keys", "create", "x", "--scope", "admin", "--json")
    assert run.code == 3 and "missing scope 'admin'" in run.err
    assert run.json() == {"error": {
        "type": "PermissionDeniedError", "message": run.err.split(": ", 1)[1].strip(),
        "exit_code": 3, "status_code": 403, "code": "insufficient_scope",
        "required_scope": "admin",
    }}  # fmt: skip
    assert reader not in run.out + run.err


def test_no_token_exits_3_with_a_hint(ospec_cmd: Cmd, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OSPEC_API_TOKEN")
    run = ospec_cmd("status", "proj_x")
    assert run.code == 3 and "set OSPEC_API_TOKEN" in run.err


def test_plain_http_elsewhere_exits_2(ospec_cmd: Cmd) -> None:
    run = ospec_cmd("status", "proj_x", "--api-url", "http://api.example.com")
    assert run.code == 2 and "plain HTTP" in run.err


def test_an_unknown_project_exits_4(ospec_cmd: Cmd) -> None:
    run = ospec_cmd("status", "proj_missing")
    assert run.code == 4 and run.err == "ospec status: no project proj_missing (HTTP 404, project_not_found)\n"  # fmt: skip


def test_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["deploy", "--help"])
    assert done.value.code == 0
    assert "5  --timeout passed before the project finished" in capsys.readouterr().out


def cli(*argv: str, token: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OSPEC_API_TOKEN": token, "OSPEC_API_URL": url, "PYTHONPATH": SERVER_DIR}
    return subprocess.run(
        [sys.executable, "-m", "ospec", *argv], capture_output=True, text=True, env=env, timeout=60
    )


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["status", "proj_x"], 3, "the API key is not valid (HTTP 401, invalid_api_key)"),
        (["watch", "proj_x", "--json"], 3, "the API key is not valid"),
    ],
)
def test_errors_are_one_readable_line_without_traceback_or_token(
    sandbox: SandboxProcess, argv: list[str], code: int, message: str
) -> None:
    wrong = "ospec_sk_" + uuid.uuid4().hex
    done = cli(*argv, token=wrong, url=sandbox.base_url)
    assert done.returncode == code
    assert message in done.stderr and "Traceback" not in done.stderr
    assert wrong not in done.stdout + done.stderr


def test_an_unreachable_server_exits_4_without_traceback(tmp_path: Path) -> None:
    config = tmp_path / "xdg" / "ospec" / "config.yaml"
    config.parent.mkdir(parents=True)
    config.write_text("api_client:\n  retries: {max_attempts: 2, base_delay_ms: 10}\n")
    done = subprocess.run(
        [sys.executable, "-m", "ospec", "status", "proj_x"],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "OSPEC_API_TOKEN": "ospec_sk_secret", "PYTHONPATH": SERVER_DIR,
             "OSPEC_API_URL": "http://127.0.0.1:9", "XDG_CONFIG_HOME": str(tmp_path / "xdg")},
    )  # fmt: skip
    assert done.returncode == 4
    assert "cannot reach http://127.0.0.1:9" in done.stderr and "(after 2 attempts)" in done.stderr
    assert "Traceback" not in done.stderr and "ospec_sk_secret" not in done.stderr


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_progress_bar_is_redrawn_in_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TERM", "xterm")
    screen = Terminal()
    bar = ProgressDisplay(screen)
    for phase, progress in (("planning", 0.25), ("planning", 0.3), ("deployed", 1.0)):
        bar.update(Project.from_json({"status": phase, "progress": progress}))
    bar.close()
    frames = screen.getvalue().split("\r")[1:]
    assert frames[0] == "planning        [########----------------------]  25%"
    assert frames[-1] == "deployed        [##############################] 100%\n"


def test_usage_errors_are_json_too_with_json(ospec_cmd: Cmd) -> None:
    run = ospec_cmd("status", "--json")
    assert run.code == 2
    assert run.json()["error"]["message"].startswith("give a PROJECT_ID")


def test_an_unwritable_download_folder_exits_2(ospec_cmd: Cmd, tmp_path: Path) -> None:
    ospec_cmd("deploy", str(spec_file(tmp_path)), "--wait", "--poll-interval", "0.05")
    (tmp_path / "blocked").write_text("a file, not a folder")
    run = ospec_cmd("artifacts", "--download", "blocked/sub", "--type", "source_code")
    assert run.code == 2 and "Traceback" not in run.err
    assert run.err.startswith("ospec artifacts: blocked")
