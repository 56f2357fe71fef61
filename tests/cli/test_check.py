"""`ospec check` as CI uses it: formats, exit codes, stdin, folders and unreadable files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ospec.cli import main

from ..conftest import EXAMPLES
from ..core.helpers import MINIMAL

BAD = MINIMAL.replace("outcome_type: api", "outcome_type: apii")
WARN = MINIMAL + "descripton: typo\n"


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    (tmp_path / "demo.ospec.yaml").write_text(MINIMAL)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_file_exits_0(specs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, specs / "demo.ospec.yaml")
    assert (code, out) == (0, "")
    assert "1 file checked: 0 errors, 0 warnings" in err


def test_error_exits_1_with_path_line_col(specs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = specs / "demo.ospec.yaml"
    bad.write_text(BAD)
    code, out, _ = run(capsys, bad)
    assert code == 1
    assert out.startswith(f"{bad}:5:15: error OSPEC-S004 outcome_type must be one of:")


def test_warnings_alone_exit_0_unless_warnings_as_errors(
    specs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (specs / "demo.ospec.yaml").write_text(WARN)
    assert run(capsys, specs)[0] == 0
    assert run(capsys, specs, "--warnings-as-errors")[0] == 1


def test_folders_are_searched_for_spec_suffixes(
    specs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (specs / "sub").mkdir()
    (specs / "sub" / "other.ospec.yml").write_text(BAD.replace("id: demo", "id: other"))
    (specs / "plain.yaml").write_text("not: a spec\n")
    code, out, err = run(capsys, specs)
    assert code == 1
    assert "other.ospec.yml:5:15" in out
    assert "2 files checked" in err


def test_globs_are_expanded(specs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, f"{specs}/*.ospec.yaml")
    assert code == 0 and "1 file checked" in err


def test_json_format_has_one_based_positions(
    specs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (specs / "demo.ospec.yaml").write_text(BAD)
    code, out, _ = run(capsys, specs, "--format", "json")
    [item] = json.loads(out)
    assert code == 1
    assert item == {
        "path": str(specs / "demo.ospec.yaml"),
        "line": 5,
        "column": 15,
        "end_line": 5,
        "end_column": 19,
        "severity": "error",
        "code": "OSPEC-S004",
        "message": item["message"],
    }


def test_sarif_format_is_sarif_2_1_0(specs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (specs / "demo.ospec.yaml").write_text(BAD)
    _, out, _ = run(capsys, specs, "--format", "sarif")
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    [result] = log["runs"][0]["results"]
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == "OSPEC-S004"
    assert result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 5,
        "startColumn": 15,
        "endLine": 5,
        "endColumn": 19,
    }


def test_github_format_is_workflow_annotations(
    specs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (specs / "demo.ospec.yaml").write_text(WARN)
    _, out, _ = run(capsys, specs, "--format", "github")
    assert out.startswith(
        f"::warning file={specs}/demo.ospec.yaml,line=9,col=1,endLine=9,endColumn=11,"
        "title=OSPEC-S002::unknown key 'descripton'"
    )


def test_profile_flag_selects_strict(specs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (specs / "demo.ospec.yaml").write_text(WARN)
    assert run(capsys, specs, "--profile", "strict")[0] == 1


def test_rule_flag_turns_a_code_off(specs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (specs / "demo.ospec.yaml").write_text(BAD)
    assert run(capsys, specs, "--rule", "OSPEC-S004=off")[0] == 0


def test_not_utf8_is_exit_2_and_other_files_still_checked(
    specs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (specs / "broken.ospec.yaml").write_bytes(b"id: \xff\xfe\n")
    (specs / "demo.ospec.yaml").write_text(BAD)
    code, out, err = run(capsys, specs)
    assert code == 2
    assert "broken.ospec.yaml: not UTF-8 text (invalid byte 0xff at offset 4)" in err
    assert "OSPEC-S004" in out


def test_missing_file_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, tmp_path / "nope.ospec.yaml")
    assert code == 2 and "no such file" in err


def test_bad_usage_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--rule", "OSPEC-X999=off")[0] == 2


def test_empty_folder_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, tmp_path)
    assert code == 2 and "no spec files found" in err


def test_symlink_loop_does_not_hang(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "demo.ospec.yaml").write_text(MINIMAL)
    (tmp_path / "loop").symlink_to(tmp_path)
    assert run(capsys, tmp_path)[0] == 0


def test_stdin_with_a_file_name() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ospec",
            "check",
            "-",
            "--stdin-filename",
            "other.ospec.yaml",
            "--format",
            "json",
        ],
        input=MINIMAL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    [item] = json.loads(proc.stdout)
    assert (item["path"], item["code"]) == ("other.ospec.yaml", "OSPEC-R004")


def test_bundled_examples_are_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *sorted(EXAMPLES.glob("*.ospec.yaml")))
    assert (code, out) == (0, "")


def test_bundled_invalid_examples_all_have_findings(capsys: pytest.CaptureFixture[str]) -> None:
    invalid = sorted((EXAMPLES / "invalid").glob("*.ospec.yaml"))
    assert invalid
    for path in invalid:
        _, out, _ = run(capsys, path)
        assert out, f"{path.name} should have findings"


def test_many_files_on_worker_processes_give_the_same_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for i in range(24):  # over the threshold for worker processes
        body = MINIMAL.replace("id: demo", f"id: spec-{i}") + ("colour: red\n" if i % 3 else "")
        (tmp_path / f"spec-{i:02d}.ospec.yaml").write_text(body)
    (tmp_path / "broken.ospec.yaml").write_bytes(b"id: \xff\n")
    alone = run(capsys, "--jobs", "1", str(tmp_path))
    assert run(capsys, "--jobs", "2", str(tmp_path)) == alone
    code, out, err = alone
    assert code == 2 and out.count("OSPEC-S002") == 16 and "not UTF-8" in err
