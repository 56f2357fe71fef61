"""The README's promises stay true: every finding code is documented, quick start is runnable."""

from __future__ import annotations

from ospec.core import Code

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_code_is_in_the_readme_table() -> None:
    for code in Code:
        assert f"| `{code.code}` | " in README, code.code


def test_quick_start_commands_are_there() -> None:
    assert "pip install . && ospec check schema/examples/*.ospec.yaml" in README
    assert "bash .ci/run" in README
