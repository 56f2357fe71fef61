"""Headless Neovim, a real LSP client, with our plugin: diagnostics, hover and completion arrive."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT

HERE = Path(__file__).resolve().parent
NVIM = os.environ.get("NVIM_BIN") or shutil.which("nvim")
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

pytestmark = pytest.mark.skipif(NVIM is None, reason="nvim not installed (apt-get install neovim)")


def run_nvim(spec: Path, hover: str, complete: str) -> dict[str, object]:
    env = dict(
        os.environ,
        OSPEC_PLUGIN_DIR=str(ROOT / "editors" / "neovim"),
        OSPEC_LSP_CMD=json.dumps(SERVER),
        OSPEC_HOVER=hover,
        OSPEC_COMPLETE=complete,
    )
    proc = subprocess.run(
        [str(NVIM), "--headless", "-u", str(HERE / "nvim_e2e.lua"), str(spec)],
        capture_output=True,
        text=True,
        timeout=90,
        env=env,
        stdin=subprocess.DEVNULL,
        cwd=spec.parent,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_neovim_shows_diagnostics_hover_and_completion(tmp_path: Path) -> None:
    spec = tmp_path / "shop.ospec.yaml"
    spec.write_text(SPEC)
    out = run_nvim(spec, hover="4,3", complete="4,14")
    assert out["filetype"] == "yaml.ospec"
    [diag] = out["diagnostics"]  # type: ignore[misc]
    assert (diag["code"], diag["lnum"], diag["col"], diag["end_col"]) == ("OSPEC-S004", 4, 14, 20)
    assert "Outcome type" in out["hover"]["value"]  # type: ignore[index]
    assert {"web-app", "api", "cli"} <= set(out["completion"])  # type: ignore[arg-type]
