"""The VS Code extension's own build: node tests (stubbed `vscode` + the real ospec-lsp) and the .vsix.

Runs `npm ci` when node_modules is missing (CI), then `npm test` and `npm run package` in
editors/vscode, the way a developer of the extension would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from ..conftest import ROOT

EXTENSION = ROOT / "editors" / "vscode"
NPM = shutil.which("npm")

pytestmark = pytest.mark.skipif(
    NPM is None, reason="npm not installed (Node.js 20+ with npm builds the VS Code extension)"
)


def npm(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(NPM), *args],
        cwd=EXTENSION,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env=dict(os.environ, npm_config_update_notifier="false", npm_config_fund="false"),
    )
    assert proc.returncode == 0, f"npm {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module", autouse=True)
def node_modules() -> None:
    if not (EXTENSION / "node_modules" / ".package-lock.json").exists():
        npm("ci", "--no-audit")


def test_node_tests_pass_including_the_protocol_test_against_the_real_server() -> None:
    out = npm("test").stdout
    counts = {
        k: int(v) for k, v in re.findall(r"^# (pass|fail|skipped|cancelled) (\d+)$", out, re.M)
    }
    assert counts.get("fail") == 0 and counts.get("cancelled") == 0, out
    assert counts.get("skipped") == 0, out
    assert counts.get("pass", 0) >= 50, out
    assert re.search(r"^ok \d+ - real ospec-lsp: initialize, diagnostics", out, re.M), out


def test_package_builds_a_vsix_with_the_bundle_and_no_sources(tmp_path: Path) -> None:
    vsix = tmp_path / "ospec.vsix"
    npm("run", "package", "--", "-o", str(vsix))
    with zipfile.ZipFile(vsix) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("extension/package.json"))
    expected = {
        "extension.vsixmanifest",
        "extension/package.json",
        "extension/dist/extension.js",
        "extension/language-configuration.json",
        "extension/syntaxes/ospec.tmLanguage.json",
        "extension/readme.md",
        "extension/changelog.md",
        "extension/LICENSE.txt",
    }
    assert expected <= names, sorted(names)
    leaked = [n for n in names if n.startswith(("extension/src/", "extension/node_modules/"))]
    assert leaked == [] and not any(n.endswith((".ts", ".map")) for n in names), sorted(names)
    assert manifest["main"] == "./dist/extension.js"
    assert manifest["contributes"]["languages"][0]["id"] == "ospec"
