"""Resource bombs get one clear finding (or a clear CLI error), not a hang or a crash.

Bounds (core/yamldoc.py): at most 8,000,000 characters and about 200,000 keys/list items are
composed at all; aliases may re-visit at most 100,000 nodes; nesting stops at 200 levels.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ospec.checker import analyzer

from ..core.helpers import MINIMAL


def codes(text: str) -> list[str]:
    return [f.code for f in analyzer().analyze(text).findings]


def test_billion_laughs_is_refused() -> None:
    text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i in range(1, 10):
        text += f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n"
    assert codes(text) == ["OSPEC-Y007"]


def test_merge_key_bomb_is_refused() -> None:
    text = "b0: &b0 {k0: v}\n"
    for i in range(1, 22):
        text += f"b{i}: &b{i} {{<<: [*b{i - 1}], k{i}: [*b{i - 1}, *b{i - 1}]}}\n"
    assert codes(text) == ["OSPEC-Y007"]


def test_ten_thousand_levels_of_nesting() -> None:
    assert codes("a: " + "[" * 10_000 + "]" * 10_000 + "\n") == ["OSPEC-Y008"]
    # 10,000 block levels need 50 million spaces of indentation: refused by size first.
    block = "".join(" " * i + f"k{i}:\n" for i in range(10_000))
    assert codes(block) == ["OSPEC-Y012"]
    block = "".join(" " * i + f"k{i}:\n" for i in range(3_000))
    assert codes(block) == ["OSPEC-Y008"]


def test_five_megabyte_single_line_is_analysed() -> None:
    text = MINIMAL.replace(
        "description: A small service used by the tests.", "description: " + "x" * 5_000_000
    )
    assert codes(text) == ["OSPEC-S007"]


def test_too_many_entries_are_refused_before_composing() -> None:
    assert codes("tags: [" + ", ".join(["x"] * 250_000) + "]\n") == ["OSPEC-Y012"]


def test_fifty_megabyte_file_is_refused_by_the_cli(tmp_path: Path) -> None:
    big = tmp_path / "big.ospec.yaml"
    with big.open("w") as out:
        out.write("description: ")
        for _ in range(50):
            out.write("y" * 1_000_000)
    proc = subprocess.run(
        [sys.executable, "-m", "ospec", "check", str(big)],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    assert proc.returncode == 1
    assert "OSPEC-Y012" in proc.stdout and "at most 8,000,000" in proc.stdout


def test_nul_bytes_and_invalid_utf8(tmp_path: Path) -> None:
    assert codes("id: a\x00b\n") == ["OSPEC-Y001"]
    bad = tmp_path / "bad.ospec.yaml"
    bad.write_bytes(b"id: \xc3\x28\n")
    proc = subprocess.run(
        [sys.executable, "-m", "ospec", "check", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "not UTF-8" in proc.stderr


def test_symlink_loops_in_a_folder_end_the_walk(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "demo.ospec.yaml").write_text(MINIMAL)
    (tmp_path / "specs" / "up").symlink_to(tmp_path)  # a folder loop
    (tmp_path / "specs" / "self.ospec.yaml").symlink_to(tmp_path / "specs" / "self.ospec.yaml")
    proc = subprocess.run(
        [sys.executable, "-m", "ospec", "check", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert "self.ospec.yaml" in proc.stderr and "symbolic links" in proc.stderr
    assert "demo.ospec.yaml" not in proc.stderr
