"""The pure parts of deploying: settings, lens titles, idempotency keys, failure messages."""

from __future__ import annotations

import logging

import httpx
import pytest

from ospec.lsp.deploy_errors import explain
from ospec.lsp.deploy_state import ApiFinding, Deployment, content_digest
from ospec.lsp.lenses import ago, deploy_lenses, status_title
from ospec.lsp.protocol_logs import TokenFilter
from ospec.lsp.settings import Settings
from ospec.sdk import AsyncClient
from ospec.sdk.errors import (
    AuthenticationError,
    ConfigurationError,
    InsecureURLError,
    MissingTokenError,
    PermissionDeniedError,
    ServerError,
)
from ospec.sdk.models import Finding, Project

URI = "file:///work/shop.ospec.yaml"
TOKEN = "ospec_sk_do-not-show-me"


def test_deploy_settings_are_read_from_the_ospec_section() -> None:
    raw = {"apiUrl": " http://127.0.0.1:8765 ", "apiToken": TOKEN, "deploy": {"confirm": True}}
    settings, problem = Settings.parse({"ospec": raw})
    assert problem is None
    assert (settings.api_url, settings.api_token, settings.deploy_confirm) == (
        "http://127.0.0.1:8765",
        TOKEN,
        True,
    )
    assert TOKEN not in repr(settings)


def test_a_dotted_confirm_setting_is_accepted_too() -> None:
    assert Settings.parse({"deploy.confirm": True})[0].deploy_confirm


def test_a_token_of_the_wrong_type_is_refused_without_echoing_it() -> None:
    settings, problem = Settings.parse({"apiToken": ["ospec_sk_secret"]})
    assert settings == Settings() and problem is not None
    assert "ospec_sk_secret" not in problem and "apiToken" in problem


def test_the_same_file_and_text_give_the_same_key_until_a_deploy_of_it_fails() -> None:
    state = Deployment()
    digest = content_digest(URI, "id: shop\n")
    key = state.idempotency_key(digest)
    assert key == Deployment().idempotency_key(digest)
    assert key != state.idempotency_key(content_digest(URI, "id: shop2\n"))
    assert key != state.idempotency_key(content_digest("file:///other.ospec.yaml", "id: shop\n"))
    state.submitting(digest)
    state.rejected([], "rejected")
    assert state.idempotency_key(digest) == key + "-retry1"  # "Deploy" again retries


def test_a_failed_project_counts_once_however_often_it_is_polled() -> None:
    state = Deployment()
    state.submitting("d")
    failed = Project.from_json({"project_id": "proj_1", "status": "failed", "failed_phase": "x"})
    state.update(failed)
    state.update(failed)
    assert state.failures == {"d": 1} and state.phase == "x"


def test_the_lens_reads_deploy_then_progress_then_the_outcome() -> None:
    digest = content_digest(URI, "text")
    assert [lens.title for lens in deploy_lenses(None, URI, 3, 0, digest, 0)] == ["Deploy"]
    [blocked] = deploy_lenses(None, URI, 3, 1, digest, 0)
    assert (blocked.title, blocked.command, blocked.arguments) == (
        "Deploy — 1 error must be fixed first",
        "ospec.deploy",
        [URI, 3],
    )
    state = Deployment(digest=digest, project_id="proj_1", changed_at=1000.0)
    state.status, state.phase, state.percent, state.following = (
        "implementation",
        "implementation",
        65,
        True,
    )
    assert status_title(state, 1000) == "Deploying… implementation 65%"
    state.status = "deployed"
    [lens] = deploy_lenses(state, URI, 3, 0, digest, 1000 + 5 * 60)
    assert (lens.title, lens.command, lens.arguments) == (
        "Deployed ✓ proj_1 · 5 min ago",
        "ospec.status",
        [URI],
    )
    state.status = "failed"
    titles = [lens.title for lens in deploy_lenses(state, URI, 3, 0, digest, 1000)]
    assert titles == ["Failed — see details", "Deploy"]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(5, "just now"), (61, "1 min ago"), (3 * 3600, "3 h ago"), (2 * 86400, "2 d ago")],
)
def test_ago(seconds: float, text: str) -> None:
    assert ago(seconds) == text


def test_an_api_finding_applies_while_its_line_is_unchanged() -> None:
    lines = ["id: shop", "tasks:", "  - dependencies: [nope]"]
    finding = ApiFinding.of(
        Finding("OSPEC-R001", "error", "unknown task 'nope'", 3, 5, 3, 27), lines
    )
    assert finding.still_applies(lines)
    assert not finding.still_applies(["# moved", *lines])
    assert not finding.still_applies([*lines[:2], "  - dependencies: []"])


# -- failure messages: typed SDK errors, some from a mock transport (unit tests of the mapping) --


def _client(status: int, body: dict[str, object]) -> AsyncClient:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, json=body))
    return AsyncClient(api_token=TOKEN, base_url="https://api.example.com", transport=transport)


async def test_a_401_names_where_the_token_came_from_and_what_to_set() -> None:
    client = _client(401, {"error": {"code": "unauthorized", "message": "invalid API key"}})
    with pytest.raises(AuthenticationError) as caught:
        await client.get_project("proj_1")
    message = explain(caught.value, client.base_url, client.config.sources)
    assert message.startswith(
        "The OSpec API at https://api.example.com rejected the API token from the "
        "ospec.apiToken setting (invalid API key)."
    )
    assert "OSPEC_API_TOKEN" in message and TOKEN not in message


async def test_a_403_names_the_missing_scope() -> None:
    body = {"error": {"code": "forbidden", "message": "no", "required_scope": "projects:create"}}
    client = _client(403, body)
    with pytest.raises(PermissionDeniedError) as caught:
        await client.create_project("id: x\n")
    assert "lacks 'projects:create'" in explain(caught.value, client.base_url, {})


def test_configuration_problems_point_at_the_setting_that_fixes_them() -> None:
    assert "Set OSPEC_API_TOKEN" in explain(MissingTokenError("no API token"))
    assert "ospec.apiUrl" in explain(InsecureURLError("refusing to send the API token over http"))
    assert "ospec.apiUrl" in explain(ConfigurationError("api_url is not a valid URL"))
    assert "OSPEC_API_TOKEN" in explain(ConfigurationError("the API token must be visible ASCII"))


def test_server_errors_say_they_were_retried() -> None:
    err = ServerError("unavailable (after 3 attempts)", status_code=503, code="unavailable")
    assert explain(err) == (
        "The OSpec API answered HTTP 503: unavailable (after 3 attempts); try again later."
    )


def test_protocol_logs_show_no_api_token() -> None:
    record = logging.LogRecord(
        "pygls", logging.INFO, __file__, 1, "initialized %s", ({"apiToken": TOKEN},), None
    )
    TokenFilter().filter(record)
    assert record.getMessage() == "initialized {'apiToken': '********'}"
