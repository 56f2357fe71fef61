"""The SDK/CLI configuration file is checked against its own schema, with the same finding codes."""

from __future__ import annotations

from pathlib import Path

from ospec.checker import analyze_text

from .helpers import where

PROJECT = Path("/repo/.ospec/config.yaml")
USER = Path("/home/me/.config/ospec/config.yaml")


def found(text: str, path: Path = PROJECT) -> list[tuple[str, tuple[int, int, int, int]]]:
    return [(f.code, where(f)) for f in analyze_text(text, path=path).findings]


def test_a_valid_config_has_no_findings() -> None:
    text = "api_url: https://api.ospec.dev\napi_client:\n  retries: {max_attempts: 5}\n"
    assert found(text) == []


def test_a_misspelt_key_gets_a_did_you_mean() -> None:
    [f] = analyze_text("api_client:\n  retries:\n    backof: linear\n", path=PROJECT).findings
    assert (f.code, where(f)) == ("OSPEC-S002", (2, 4, 2, 10))
    assert "did you mean 'backoff'" in f.message


def test_values_are_checked_against_the_schema() -> None:
    assert found("api_url: ftp://example.com\n") == [("OSPEC-S005", (0, 9, 0, 26))]


def test_a_token_in_a_project_file_is_a_warning_and_fine_in_the_user_file() -> None:
    text = "api_token: ospec_sk_abc\n"
    assert found(text) == [("OSPEC-C001", (0, 0, 0, 9))]
    assert found(text, USER) == []


def test_a_bad_token_is_reported_without_echoing_it() -> None:
    [f] = analyze_text('api_token: "ospec sk secret"\n', path=USER).findings
    assert f.code == "OSPEC-S005" and "secret" not in f.message


def test_spec_rules_do_not_apply_to_config_files() -> None:
    # The spec rules (id vs file name, acceptance...) would fire on any mapping.
    assert found("api_url: http://127.0.0.1:8765\n") == []
