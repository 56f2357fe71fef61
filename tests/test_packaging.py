"""The wheel carries the schema and examples, and the code finds them inside the package."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from .conftest import ROOT


def test_wheel_ships_the_schema_and_loads_it_from_the_package(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            "-q",
        ],
        check=True,
        timeout=300,
    )
    [wheel] = tmp_path.glob("ospec-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "site")
    assert "ospec/schema/ospec-1.0.schema.json" in names
    assert any(n.startswith("ospec/schema/examples/") and n.endswith(".ospec.yaml") for n in names)
    site = str(tmp_path / "site")
    probe = (
        f"import ospec, ospec.resources as r; "
        f"assert ospec.__file__.startswith({site!r}), ospec.__file__; "
        "s = r.load_schema(); assert s['title'].startswith('OSpec'), s['title']; print('ok')"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        env={"PYTHONPATH": str(tmp_path / "site")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout.strip() == "ok", out.stderr
