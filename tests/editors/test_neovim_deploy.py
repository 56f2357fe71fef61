"""Headless Neovim with our plugin deploys a spec to a real sandbox: code action, command, the
server's messages, the lens and `require("ospec").status()`, all through the real client."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import ROOT
from ..sandbox.conftest import FAST_ARGS, SandboxProcess

HERE = Path(__file__).resolve().parent
NVIM11 = Path.home() / ".cache" / "ospec-ci" / "nvim-0.11" / "bin" / "nvim"
CANDIDATES = [os.environ.get("NVIM_BIN"), shutil.which("nvim"), str(NVIM11)]
NVIMS = list(dict.fromkeys(c for c in CANDIDATES if c and Path(c).exists()))
SERVER = [sys.executable, "-m", "ospec", "lsp"]
ADMIN_KEY = "ospec_sk_" + secrets.token_urlsafe(32)

SPEC = """\
ospec_version: "1.0.0"
id: shop
name: Shop front
description: An online shop with a catalogue and a cart.
outcome_type: api
acceptance:
  http_endpoints:
    - { path: /health, status: 200 }
"""

pytestmark = pytest.mark.skipif(not NVIMS, reason="nvim not installed (apt-get install neovim)")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    root = tmp_path_factory.mktemp("nvim-deploy")
    with SandboxProcess(root / "data", FAST_ARGS, admin_key=ADMIN_KEY, log=root / "log") as proc:
        yield proc


@pytest.fixture(params=NVIMS, ids=lambda p: Path(p).parent.parent.name or p)
def nvim(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_neovim_deploys_the_spec_and_sees_it_deployed(
    nvim: str, sandbox: SandboxProcess, tmp_path: Path
) -> None:
    spec = tmp_path / "shop.ospec.yaml"
    spec.write_text(SPEC.replace("id: shop", f"id: shop-{secrets.token_hex(4)}"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSPEC_")}
    env.update(
        OSPEC_PLUGIN_DIR=str(ROOT / "editors" / "neovim"),
        OSPEC_LSP_CMD=json.dumps(SERVER),
        OSPEC_API_URL=sandbox.base_url,
        OSPEC_API_TOKEN=ADMIN_KEY,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "server"), env.get("PYTHONPATH")])),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    proc = subprocess.run(
        [nvim, "--headless", "-u", str(HERE / "nvim_deploy_e2e.lua"), str(spec)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])

    assert out["action"] == {
        "title": "Deploy OSpec project",
        "kind": "source.deploy.ospec",
        "command": "ospec.deploy",
    }
    project_id = out["result"]["projectId"]
    with sandbox.client() as api:
        assert api.get(f"/api/v1/projects/{project_id}").json()["status"] == "deployed"
    assert any(f"project {project_id} is deployed" in m for m in out["messages"])
    assert out["lenses"] == [f"Deployed ✓ {project_id} · just now"]
    assert f"{project_id}: Deployed ✓ {project_id} · just now" in out["messages"]
    assert ADMIN_KEY not in proc.stdout + proc.stderr
