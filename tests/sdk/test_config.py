"""Settings precedence: argument > environment > project .ospec/config.yaml > user config file."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import jsonschema
import pytest

import ospec
from ospec.sdk import ClientConfig, RetryPolicy, load_config
from ospec.sdk.config import user_config_path

SCHEMA = Path(__file__).resolve().parents[2] / "schema" / "ospec-config.schema.json"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def user_file(tmp_path: Path) -> Path:
    return tmp_path / "xdg" / "ospec" / "config.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with a subfolder to run from: the config is found by walking up."""
    (tmp_path / "repo" / "src").mkdir(parents=True)
    return tmp_path / "repo"


def test_the_user_file_lives_under_xdg_config_home(user_file: Path) -> None:
    assert user_config_path() == user_file


def test_defaults_without_any_setting(project: Path) -> None:
    config = load_config(cwd=project)
    assert config.api_url == "https://api.ospec.dev" and config.api_token is None
    assert config.retries == RetryPolicy() and config.sources["api_url"] == "default"


def test_each_level_wins_over_the_next(
    user_file: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(user_file, "api_url: https://user.example\napi_token: ospec_sk_user\n")
    assert load_config(cwd=project / "src").api_url == "https://user.example"

    write(project / ".ospec" / "config.yaml", "api_url: https://project.example\n")
    config = load_config(cwd=project / "src")
    assert config.api_url == "https://project.example"
    assert config.sources["api_url"].endswith(".ospec/config.yaml")

    monkeypatch.setenv("OSPEC_API_URL", "https://env.example")
    monkeypatch.setenv("OSPEC_API_TOKEN", "ospec_sk_env")
    config = load_config(cwd=project / "src")
    assert config.api_url == "https://env.example"
    assert config.sources == {
        "api_url": "environment OSPEC_API_URL",
        "api_token": "environment OSPEC_API_TOKEN",
    }

    config = load_config(api_url="https://arg.example", api_token="ospec_sk_arg", cwd=project)
    assert config.api_url == "https://arg.example"
    assert config.api_token is not None and config.api_token.reveal() == "ospec_sk_arg"


def test_the_client_reads_the_same_precedence(
    user_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(user_file, "api_url: http://127.0.0.1:9\napi_token: ospec_sk_from_file\n")
    with ospec.Client() as c:
        assert c.base_url == "http://127.0.0.1:9"
        assert c.config.sources["api_token"] == str(user_file)
    monkeypatch.setenv("OSPEC_API_URL", "http://localhost:7")
    with ospec.Client(base_url="http://127.0.0.1:5") as c:
        assert c.base_url == "http://127.0.0.1:5"


def test_the_api_client_block_merges_key_by_key(user_file: Path, project: Path) -> None:
    write(user_file, """\
api_client:
  retries: {max_attempts: 5, backoff: linear}
  circuit_breaker: {failure_threshold: 9}
""")  # fmt: skip
    write(project / ".ospec" / "config.yaml", """\
api_client:
  retries: {base_delay_ms: 50}
  timeouts: {read_timeout_ms: 1234}
""")  # fmt: skip
    config = load_config(cwd=project)
    assert config.retries == RetryPolicy(max_attempts=5, backoff="linear", base_delay_ms=50)
    assert config.timeouts.read_timeout_ms == 1234
    assert config.circuit_breaker.failure_threshold == 9


def test_an_argument_replaces_the_whole_block(user_file: Path, project: Path) -> None:
    write(user_file, "api_client:\n  retries: {max_attempts: 5}\n")
    assert load_config(retries=RetryPolicy(max_attempts=1), cwd=project).retries.max_attempts == 1


def test_the_api_root_is_accepted_as_well_as_the_server_root() -> None:
    assert load_config(api_url="https://api.ospec.dev/api/v1/").api_url == "https://api.ospec.dev"


def test_an_invalid_file_names_the_file_and_key(user_file: Path, project: Path) -> None:
    write(user_file, "api_client:\n  retries: {backoff: sometimes}\n  timeout: {}\n")
    with pytest.raises(ospec.ConfigurationError) as caught:
        load_config(cwd=project)
    message = str(caught.value)
    assert str(user_file) in message and "api_client.retries.backoff" in message
    assert "'timeout' was unexpected" in message


def test_a_bad_token_in_a_file_is_reported_without_its_value(user_file: Path) -> None:
    write(user_file, "api_token: 'ospec_sk_has a space'\n")
    with pytest.raises(ospec.ConfigurationError) as caught:
        load_config()
    assert "api_token: invalid value (hidden)" in str(caught.value)
    assert "has a space" not in str(caught.value)


def test_a_yaml_error_gives_the_line(user_file: Path) -> None:
    write(user_file, "api_url: https://x\napi_client: [\n")
    with pytest.raises(ospec.ConfigurationError, match="not valid YAML at line 3"):
        load_config()


def test_a_token_in_a_project_file_is_warned_about(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(project / ".ospec" / "config.yaml", "api_token: ospec_sk_committed_by_mistake\n")
    caplog.set_level(logging.WARNING, logger="ospec.sdk")
    load_config(cwd=project)
    (warning,) = caplog.records
    assert "easily committed" in warning.getMessage()
    assert "ospec_sk_committed_by_mistake" not in caplog.text


def test_the_schema_accepts_its_examples_and_rejects_unknown_keys() -> None:
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    jsonschema.Draft202012Validator.check_schema(schema)
    for example in schema["examples"]:
        assert list(validator.iter_errors(example)) == []
    assert list(validator.iter_errors({"api_client": {"retry": {}}}))
    assert list(validator.iter_errors({"api_url": "ftp://x"}))


def test_the_schema_defaults_are_the_sdk_defaults() -> None:
    block = json.loads(SCHEMA.read_text())["properties"]["api_client"]["properties"]
    config = ClientConfig()
    for name, settings in (
        ("retries", config.retries),
        ("timeouts", config.timeouts),
        ("circuit_breaker", config.circuit_breaker),
    ):
        defaults = {k: v["default"] for k, v in block[name]["properties"].items()}
        assert defaults == vars(settings), name
