"""Deploy from the editor, end to end: the real ospec-lsp, driven by pytest-lsp under the VS Code
and Neovim capability profiles, deploying to a real sandbox process over loopback."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from ospec.api_terms import PHASES

from ..conftest import ROOT
from ..sandbox.conftest import FAST_ARGS, SandboxProcess, wait_status
from .session import change, diagnostics, eventually, open_doc

ADMIN_KEY = "ospec_sk_" + secrets.token_urlsafe(32)
WRONG_KEY = "ospec_sk_" + secrets.token_urlsafe(32)
LOG_DIR = Path(tempfile.mkdtemp(prefix="ospec-lsp-deploy-"))
SERVER_LOG = LOG_DIR / "server.log"
# The server at debug level with its stderr in a file, so tests can read what it logged.
SERVER = [
    sys.executable,
    "-c",
    "import os, sys; fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND); "
    "os.dup2(fd, 2); from ospec.lsp.main import main; sys.exit(main(['--log-level', 'DEBUG']))",
    str(SERVER_LOG),
]
BASE_ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("OSPEC_")},
    "PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT / "server"), os.environ.get("PYTHONPATH")])
    ),
    "XDG_CONFIG_HOME": str(LOG_DIR),  # no user config file with another token
}
WITH_TOKEN = {**BASE_ENV, "OSPEC_API_TOKEN": ADMIN_KEY}
# Slow enough that following a deploy sees several phases at the server's 0.5 s polling.
PHASE_ARGS = [*FAST_ARGS[2:], "--phase-seconds", "0.4"]
CLIENTS = ["visual_studio_code", "neovim"]
PHASE_WORDS = {*PHASES, "deployed"}


def spec(name: str, *, tasks: str = "", tags: str = "") -> str:
    """A valid spec; its id is unique, so every test deploys a text of its own."""
    spec_id = f"{name}-{secrets.token_hex(4)}"
    text = (
        'ospec_version: "1.0.0"\n'
        f"id: {spec_id}\n"
        f"name: Deploy test {spec_id}\n"
        "description: A project deployed from the editor tests.\n"
        "outcome_type: api\n"
        "acceptance:\n"
        "  http_endpoints:\n"
        "    - { path: /health, status: 200 }\n"
    )
    return text + tasks + (f"metadata:\n  tags: [{tags}]\n" if tags else "")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxProcess]:
    data, log = LOG_DIR / "sandbox-data", LOG_DIR / "sandbox.log"
    try:
        with SandboxProcess(data, PHASE_ARGS, admin_key=ADMIN_KEY, log=log) as proc:
            yield proc
    finally:
        shutil.rmtree(LOG_DIR, ignore_errors=True)  # the server log and the sandbox's data


@pytest.fixture
def api(sandbox: SandboxProcess) -> Iterator[httpx.Client]:
    with sandbox.client() as client:
        yield client


async def _session(
    request: pytest.FixtureRequest,
    client: LanguageClient,
    tmp_path: Path,
    settings: dict[str, Any],
    profile: str,
) -> None:
    """Initialize under a recorded profile (or none: "bare"); answer the server's questions."""
    if (marker := request.node.get_closest_marker("configuration")) is not None:
        settings = {**settings, **marker.args[0]}
    client.set_configuration(settings, section="ospec")
    client.asked = []  # type: ignore[attr-defined]
    client.choices = ["Open project"]  # type: ignore[attr-defined]
    client.lens_refreshes = 0  # type: ignore[attr-defined]

    @client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
    def ask(params: types.ShowMessageRequestParams) -> types.MessageActionItem | None:
        client.asked.append(params)  # type: ignore[attr-defined]
        titles = [a.title for a in params.actions or []]
        chosen = [c for c in client.choices if c in titles]  # type: ignore[attr-defined]
        return types.MessageActionItem(chosen[0]) if chosen else None

    @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def refresh(params: None) -> None:
        client.lens_refreshes += 1  # type: ignore[attr-defined]

    _read_code_actions_with_commands(client)
    caps = types.ClientCapabilities() if profile == "bare" else client_capabilities(profile)
    await client.initialize_session(
        types.InitializeParams(
            capabilities=caps,
            root_uri=tmp_path.as_uri(),
            initialization_options=settings,
        )
    )
    client.tmp_path = tmp_path  # type: ignore[attr-defined]


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, server_env=WITH_TOKEN), params=CLIENTS
)
async def client(  # type: ignore[no-untyped-def]
    request: pytest.FixtureRequest, lsp_client: LanguageClient, tmp_path: Path, sandbox
):
    """A session whose server has OSPEC_API_TOKEN and the sandbox as ospec.apiUrl."""
    await _session(request, lsp_client, tmp_path, {"apiUrl": sandbox.base_url}, request.param)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=BASE_ENV))
async def tokenless(  # type: ignore[no-untyped-def]
    request: pytest.FixtureRequest, lsp_client: LanguageClient, tmp_path: Path, sandbox
):
    """A VS Code session whose server has no token in its environment."""
    settings = {"apiUrl": sandbox.base_url}
    await _session(request, lsp_client, tmp_path, settings, "visual_studio_code")
    yield
    await lsp_client.shutdown_session()


def _read_code_actions_with_commands(client: LanguageClient) -> None:
    """lsprotocol reads any code action that has a `command` as a bare Command; a Command's
    `command` is the command's name (a string), a CodeAction's is an object."""
    converter = client.protocol._converter

    def structure(obj: Any, _: type) -> types.Command | types.CodeAction:
        kind = types.Command if isinstance(obj.get("command"), str) else types.CodeAction
        return converter.structure(obj, kind)  # type: ignore[no-any-return]

    converter.register_structure_hook(types.Command | types.CodeAction, structure)  # type: ignore[arg-type]


# -- helpers ---------------------------------------------------------------------------------


async def deploy_action(client: LanguageClient, uri: str, line: int = 0) -> types.CodeAction:
    await diagnostics(client, uri)  # the analysis of this version is done
    here = types.Position(line=line, character=0)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=here, end=here),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    [action] = [a for a in actions or [] if a.kind == "source.deploy.ospec"]
    assert isinstance(action, types.CodeAction)
    return action


async def run(client: LanguageClient, command: types.Command) -> Any:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command.command, arguments=command.arguments)
    )


async def deploy(client: LanguageClient, uri: str) -> dict[str, Any]:
    action = await deploy_action(client, uri)
    assert action.command is not None
    result: dict[str, Any] = await run(client, action.command)
    return result


def said(client: LanguageClient) -> list[str]:
    """Every message the server showed, popups and questions alike."""
    asked = client.asked  # type: ignore[attr-defined]
    return [m.message for m in client.messages] + [q.message for q in asked]


async def until_said(client: LanguageClient, text: str) -> str:
    async def check() -> str | None:
        return next((m for m in said(client) if text in m), None)

    found = await eventually(check, timeout=30)
    assert found, f"no message containing {text!r}; got {said(client)}"
    return found


def deploy_progress(client: LanguageClient) -> list[Any]:
    [values] = [v for t, v in client.progress_reports.items() if str(t).startswith("ospec-deploy")]
    return values


async def lens_titles(client: LanguageClient, uri: str) -> list[str]:
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert all(lens.range.start.line == 0 for lens in lenses or [])
    return [lens.command.title for lens in lenses or [] if lens.command]


async def _now(value: Any) -> Any:
    return value


def project_count(api: httpx.Client) -> int:
    return sum(1 for _ in _projects(api))


def _projects(api: httpx.Client) -> Iterator[dict[str, Any]]:
    cursor = None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/v1/projects", params=params).json()
        yield from page["projects"]
        if not (cursor := page.get("next_cursor")):
            return


# -- deploying -------------------------------------------------------------------------------


async def test_deploy_follows_the_project_to_deployed_with_progress_in_order(
    client: LanguageClient, api: httpx.Client
) -> None:
    uri = open_doc(client, spec("shop"), "shop.ospec.yaml")

    result = await deploy(client, uri)

    project_id = result["projectId"]
    assert project_id.startswith("proj_") and not result["replayed"]
    assert any(project_id in m and "Deploying" in m for m in said(client))
    final = await until_said(client, "is deployed")
    assert project_id in final
    values = deploy_progress(client)
    assert isinstance(values[0], types.WorkDoneProgressBegin) and values[0].cancellable
    assert isinstance(values[-1], types.WorkDoneProgressEnd) and "deployed" in values[-1].message
    reports = [v for v in values[1:-1] if isinstance(v, types.WorkDoneProgressReport)]
    assert len(reports) == len(values) - 2 and len(reports) >= 2
    percentages = [r.percentage for r in reports]
    assert percentages == sorted(percentages) and percentages[-1] == 100
    assert all(r.message.split()[0] in PHASE_WORDS for r in reports)
    assert api.get(f"/api/v1/projects/{project_id}").json()["status"] == "deployed"
    # The user chose "Open project" in the final message.
    [shown] = await eventually(lambda: _now(client.shown_documents))
    assert shown.uri.endswith(f"/api/v1/projects/{project_id}") and shown.external


@pytest.mark.parametrize("client", ["visual_studio_code"], indirect=True)
async def test_a_second_click_while_it_deploys_creates_no_second_project(
    client: LanguageClient, api: httpx.Client
) -> None:
    uri = open_doc(client, spec("twice"))
    action = await deploy_action(client, uri)
    assert action.command is not None
    before = project_count(api)

    first, second = await asyncio.gather(run(client, action.command), run(client, action.command))

    assert first["projectId"] == second["projectId"]
    assert project_count(api) == before + 1
    await until_said(client, "is deployed")


@pytest.mark.parametrize("client", ["visual_studio_code"], indirect=True)
async def test_deploying_the_same_text_again_returns_the_same_project(
    client: LanguageClient, api: httpx.Client
) -> None:
    uri = open_doc(client, spec("again"))
    first = await deploy(client, uri)
    await until_said(client, "is deployed")
    before = project_count(api)

    second = await deploy(client, uri)

    assert second["projectId"] == first["projectId"] and second["replayed"]
    assert project_count(api) == before
    assert any("(created earlier from this same text)" in m for m in said(client))


async def test_a_spec_with_errors_offers_the_action_disabled_with_the_reason(
    client: LanguageClient, api: httpx.Client
) -> None:
    uri = open_doc(client, "ospec_version: '1.0.0'\nid: broken\nname: 42\n")
    errors = [d for d in await diagnostics(client, uri) if d.severity == 1]
    reason = f"{len(errors)} errors must be fixed first"
    assert len(errors) >= 2

    action = await deploy_action(client, uri)

    if client.capabilities.text_document.code_action.disabled_support:  # type: ignore[union-attr]
        assert action.disabled is not None and action.disabled.reason == reason
        assert action.command is None
    else:  # Neovim shows no disabled actions: it is enabled, and running it says why not
        assert action.command is not None
        before = project_count(api)
        with pytest.raises(Exception, match=reason):
            await run(client, action.command)
        assert project_count(api) == before
    assert await lens_titles(client, uri) == [f"Deploy — {reason}"]


async def outdated_deploy_command(client: LanguageClient, name: str) -> types.Command:
    """The Deploy command offered for version 1 of a spec that has since been edited."""
    uri = open_doc(client, spec(name))
    action = await deploy_action(client, uri)
    assert action.command is not None and list(action.command.arguments or []) == [uri, 1]
    change(client, uri, 2, (2, 0), (2, 0), "# edited\n")
    return action.command


@pytest.mark.parametrize("client", ["visual_studio_code"], indirect=True)
async def test_the_command_refuses_a_version_that_is_no_longer_current(
    client: LanguageClient, api: httpx.Client
) -> None:
    command = await outdated_deploy_command(client, "stale")
    before = project_count(api)

    with pytest.raises(Exception, match=r"changed since .* \(version 1, now 2\)"):
        await run(client, command)

    assert project_count(api) == before


@pytest.mark.parametrize("client", ["visual_studio_code"], indirect=True)
async def test_a_refusal_is_one_line_of_information_in_the_log_not_a_traceback(
    client: LanguageClient,
) -> None:
    command = await outdated_deploy_command(client, "refused")
    logged_before = len(SERVER_LOG.read_text())

    with pytest.raises(Exception, match="changed since this action was offered"):
        await run(client, command)

    async def refusal_logged() -> str | None:  # pygls answers first, then reports the error
        text = SERVER_LOG.read_text()[logged_before:]
        return text if "refused a request" in text else None

    logged = await eventually(refusal_logged, timeout=10)
    assert logged is not None
    assert "Traceback" not in logged
    [refusal] = [line for line in logged.splitlines() if "refused a request" in line]
    assert " INFO ospec.lsp.server: refused a request: Not deployed: the document" in refusal


@pytest.mark.parametrize("client", ["visual_studio_code"], indirect=True)
async def test_deploying_an_edited_text_follows_the_new_project_instead(
    client: LanguageClient, api: httpx.Client
) -> None:
    uri = open_doc(client, spec("edited"))
    first = await deploy(client, uri)
    change(client, uri, 2, (2, 0), (2, 0), "# edited while it deploys\n")

    second = await deploy(client, uri)

    assert second["projectId"] != first["projectId"]
    await until_said(client, f"Stopped following {first['projectId']}")
    await until_said(client, f"project {second['projectId']} is deployed")
    assert await lens_titles(client, uri) == [f"Deployed ✓ {second['projectId']} · just now"]
    assert wait_status(api, first["projectId"], ("deployed",))["status"] == "deployed"


@pytest.mark.parametrize("client", ["visual_studio_code"], indirect=True)
async def test_cancelling_the_progress_stops_following_but_the_project_runs_on(
    client: LanguageClient, api: httpx.Client
) -> None:
    uri = open_doc(client, spec("cancel"))
    result = await deploy(client, uri)

    async def started() -> list[Any]:
        return [v for v in deploy_progress(client) if isinstance(v, types.WorkDoneProgressReport)]

    assert await eventually(started)
    [token] = [t for t in client.progress_reports if str(t).startswith("ospec-deploy")]
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))

    stopped = await until_said(client, f"Stopped following {result['projectId']}")
    assert "keeps running" in stopped
    assert isinstance(deploy_progress(client)[-1], types.WorkDoneProgressEnd)
    [lens] = await lens_titles(client, uri)
    assert lens.startswith("Deploying…") and lens.endswith("(not followed)")
    assert wait_status(api, result["projectId"], ("deployed",))["status"] == "deployed"
    assert not any("is deployed" in m for m in said(client))


# -- the API's findings come back into the spec --------------------------------------------------

UNKNOWN_DEPENDENCY = """\
tasks:
  - id: setup
    title: Scaffold the service
  - id: api
    title: Implement the endpoints
    dependencies: [setup, databse]
"""


@pytest.mark.configuration({"rules": {"OSPEC-R001": "warning"}})
async def test_a_422_from_the_api_becomes_diagnostics_at_the_lines_it_names(
    client: LanguageClient, api: httpx.Client
) -> None:
    # This editor downgraded OSPEC-R001 to a warning; the API, with the default rules, rejects it.
    text = spec("rejected", tasks=UNKNOWN_DEPENDENCY)
    line = text.split("\n").index("    dependencies: [setup, databse]")
    uri = open_doc(client, text)
    before = project_count(api)
    client.diagnostics.pop(uri, None)

    result = await deploy(client, uri)

    assert result["status"] == "rejected" and project_count(api) == before
    assert any("rejected the spec: 1 error (line " + str(line + 1) in m for m in said(client))
    [found] = [d for d in await _diagnostics_with(client, uri, "ospec-deploy")]
    assert (found.code, found.range.start.line, found.severity) == ("OSPEC-R001", line, 1)
    assert "databse" in found.message
    assert await lens_titles(client, uri) == ["Failed — see details", "Deploy"]


@pytest.mark.configuration({"rules": {"OSPEC-R001": "warning"}})
@pytest.mark.parametrize("client", ["visual_studio_code"], indirect=True)
async def test_the_apis_findings_stay_until_their_line_is_edited(
    client: LanguageClient, api: httpx.Client
) -> None:
    text = spec("fixing", tasks=UNKNOWN_DEPENDENCY)
    line = text.split("\n").index("    dependencies: [setup, databse]")
    uri = open_doc(client, text)
    await deploy(client, uri)
    assert await _diagnostics_with(client, uri, "ospec-deploy")

    change(client, uri, 2, (3, 0), (3, 0), "# another line's edit\n")  # moves the line down
    assert not await _diagnostics_with(client, uri, "ospec-deploy", expect=False)
    change(client, uri, 3, (3, 0), (4, 0), "")  # back where the API saw it
    assert await _diagnostics_with(client, uri, "ospec-deploy")
    change(client, uri, 4, (line, 25), (line, 32), "")  # "databse" deleted: fixed
    assert not await _diagnostics_with(client, uri, "ospec-deploy", expect=False)


async def _diagnostics_with(
    client: LanguageClient, uri: str, source: str, *, expect: bool = True
) -> list[types.Diagnostic]:
    """The current diagnostics from one source; waits for them to appear when expected."""

    async def check() -> list[types.Diagnostic]:
        return [d for d in await diagnostics(client, uri) if d.source == source]

    return await eventually(check, timeout=10 if expect else 0)


# -- configuration and failures --------------------------------------------------------------


@pytest.mark.configuration({"apiToken": WRONG_KEY})
@pytest.mark.parametrize("client", ["visual_studio_code"], indirect=True)
async def test_a_rejected_token_is_one_clear_message_that_never_shows_the_token(
    client: LanguageClient,
) -> None:
    uri = open_doc(client, spec("unauthorized"))

    result = await deploy(client, uri)

    assert result["status"] == "error"
    [message] = [m for m in client.messages if m.type == types.MessageType.Error]
    assert message.message == result["message"]
    assert "rejected the API token from the ospec.apiToken setting" in message.message
    assert "OSPEC_API_TOKEN" in message.message
    assert "Traceback" not in message.message
    log = SERVER_LOG.read_text()
    assert "HTTP 401" in log or "rejected the API token" in log
    assert "'apiToken': '********'" in log  # pygls logged the settings it was sent: masked
    for secret in (WRONG_KEY, ADMIN_KEY):
        assert secret not in log
        assert all(secret not in m for m in said(client))
        assert all(secret not in p.message for p in client.log_messages)


async def test_without_a_token_the_message_says_which_variable_to_set(
    tokenless: LanguageClient, api: httpx.Client
) -> None:
    uri = open_doc(tokenless, spec("tokenless"))
    before = project_count(api)

    result = await deploy(tokenless, uri)

    assert result["status"] == "error" and project_count(api) == before
    [message] = said(tokenless)
    assert message.startswith("Cannot deploy: no OSpec API token. Set OSPEC_API_TOKEN")
    assert "ospec.apiToken" in message


@pytest.mark.parametrize("client", ["visual_studio_code"], indirect=True)
async def test_an_unusable_api_url_names_the_setting(client: LanguageClient) -> None:
    client.set_configuration({"apiUrl": "http://ospec.example.com"}, section="ospec")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    uri = open_doc(client, spec("insecure"))

    result = await deploy(client, uri)

    assert result["status"] == "error"
    assert "plain HTTP to ospec.example.com" in result["message"]
    assert "ospec.apiUrl" in result["message"]


@pytest.mark.parametrize("client", ["visual_studio_code"], indirect=True)
async def test_with_the_api_down_the_deploy_fails_clearly_and_completion_goes_on(
    client: LanguageClient, sandbox: SandboxProcess
) -> None:
    closed = f"http://127.0.0.1:{_free_port()}"
    client.set_configuration({"apiUrl": closed}, section="ospec")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    uri = open_doc(client, spec("down"))
    action = await deploy_action(client, uri)
    assert action.command is not None

    deploying = asyncio.ensure_future(run(client, action.command))
    items = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=4, character=14),  # outcome_type: ‸
        )
    )
    answered_while_deploying = not deploying.done()
    result = await deploying

    assert items is not None and "api" in {i.label for i in _items(items)}
    assert answered_while_deploying  # the SDK's retries back off for over a second
    assert result["status"] == "error"
    assert result["message"].startswith(f"Cannot reach the OSpec API at {closed}")
    assert "(after 3 attempts)" in result["message"] and "ospec.apiUrl" in result["message"]
    assert await lens_titles(client, uri) == ["Failed — see details", "Deploy"]


@pytest.mark.parametrize("client", ["visual_studio_code"], indirect=True)
async def test_503s_from_the_api_are_retried_and_the_deploy_succeeds(
    client: LanguageClient, tmp_path: Path
) -> None:
    with SandboxProcess(
        tmp_path / "flaky",
        [*PHASE_ARGS, "--fail-next", "2", "--fail-path-prefix", "/api/v1/projects"],
        admin_key=ADMIN_KEY,
        log=tmp_path / "flaky.log",
    ) as flaky:
        client.set_configuration({"apiUrl": flaky.base_url}, section="ospec")
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        uri = open_doc(client, spec("flaky"))

        result = await deploy(client, uri)

        assert result["projectId"].startswith("proj_")
        await until_said(client, "is deployed")
        with flaky.client() as api:
            assert project_count(api) == 1


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _items(result: types.CompletionList | list[types.CompletionItem]) -> list[types.CompletionItem]:
    return list(result.items if isinstance(result, types.CompletionList) else result)


# -- the lens and ospec.status -----------------------------------------------------------------


async def test_the_lens_follows_the_lifecycle_and_survives_edits(
    client: LanguageClient, api: httpx.Client
) -> None:
    uri = open_doc(client, spec("lens"))
    await diagnostics(client, uri)
    assert await lens_titles(client, uri) == ["Deploy"]

    result = await deploy(client, uri)

    async def moving() -> str | None:
        [title] = await lens_titles(client, uri)
        return title if title.startswith("Deploying… ") and title.endswith("%") else None

    assert await eventually(moving)
    await until_said(client, "is deployed")
    assert await lens_titles(client, uri) == [f"Deployed ✓ {result['projectId']} · just now"]
    change(client, uri, 2, (2, 0), (2, 0), "# edited after the deploy\n")
    await diagnostics(client, uri)
    assert await lens_titles(client, uri) == [
        f"Deployed ✓ {result['projectId']} · just now",
        "Deploy",  # the text changed since
    ]
    refreshes = client.lens_refreshes  # type: ignore[attr-defined]
    lens_refresh = client.capabilities.workspace.code_lens  # type: ignore[union-attr]
    assert refreshes > 0 if lens_refresh and lens_refresh.refresh_support else refreshes == 0


@pytest.mark.parametrize("client", ["visual_studio_code"], indirect=True)
async def test_a_failed_project_says_so_in_the_lens_and_the_status_command(
    client: LanguageClient, api: httpx.Client
) -> None:
    uri = open_doc(client, spec("fails", tags="sandbox-fail-implementation"))
    result = await deploy(client, uri)

    final = await until_said(client, "failed")

    assert f"project {result['projectId']} failed in implementation" in final
    assert await lens_titles(client, uri) == ["Failed — see details", "Deploy"]
    status = await run(client, types.Command(title="", command="ospec.status", arguments=[uri]))
    assert status["status"] == "failed" and status["lens"] == "Failed — see details"
    assert any(m.startswith(f"{result['projectId']}: Failed — see details: ") for m in said(client))


@pytest.mark.parametrize("client", ["visual_studio_code"], indirect=True)
async def test_the_status_command_refreshes_a_project_no_longer_followed(
    client: LanguageClient, api: httpx.Client
) -> None:
    uri = open_doc(client, spec("status"))
    status = types.Command(title="", command="ospec.status", arguments=[uri])
    assert (await run(client, status))["status"] == "idle"
    result = await deploy(client, uri)
    [token] = [t for t in client.progress_reports if str(t).startswith("ospec-deploy")]
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    await until_said(client, "Stopped following")
    wait_status(api, result["projectId"], ("deployed",))

    refreshed = await run(client, status)

    assert refreshed["status"] == "deployed" and refreshed["projectId"] == result["projectId"]
    assert await lens_titles(client, uri) == [f"Deployed ✓ {result['projectId']} · just now"]


@pytest.mark.parametrize("client", ["visual_studio_code"], indirect=True)
async def test_the_status_command_explains_when_the_api_cannot_be_reached(
    client: LanguageClient, api: httpx.Client
) -> None:
    uri = open_doc(client, spec("status-down"))
    result = await deploy(client, uri)
    await until_said(client, "is deployed")
    closed = f"http://127.0.0.1:{_free_port()}"
    client.set_configuration({"apiUrl": closed}, section="ospec")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))

    async def status() -> dict[str, Any] | None:
        answer = await run(client, types.Command(title="", command="ospec.status", arguments=[uri]))
        return answer if "message" in answer else None  # once the new URL is in use

    answer = await eventually(status)

    assert answer["projectId"] == result["projectId"] and answer["status"] == "deployed"
    assert answer["message"].startswith(f"Cannot reach the OSpec API at {closed}")


# -- asking first, and clients with fewer features ------------------------------------------------


@pytest.mark.configuration({"deploy": {"confirm": True}})
@pytest.mark.parametrize("client", ["visual_studio_code"], indirect=True)
async def test_with_deploy_confirm_the_user_is_asked_first(
    client: LanguageClient, api: httpx.Client
) -> None:
    uri = open_doc(client, spec("confirm"))
    before = project_count(api)
    client.choices = ["Cancel"]  # type: ignore[attr-defined]

    assert (await deploy(client, uri))["status"] == "cancelled"
    assert project_count(api) == before

    client.choices = ["Deploy"]  # type: ignore[attr-defined]
    assert (await deploy(client, uri))["projectId"].startswith("proj_")
    questions = [q.message for q in client.asked]  # type: ignore[attr-defined]
    assert questions[0].startswith("Deploy ") and questions[0].endswith("to the OSpec platform?")
    assert project_count(api) == before + 1


@pytest.mark.configuration({"deploy": {"confirm": True}})  # it cannot ask: running it decides
@pytest.mark.parametrize("client", ["bare"], indirect=True)
async def test_a_client_without_progress_lenses_or_documents_gets_messages_only(
    client: LanguageClient, api: httpx.Client
) -> None:
    uri = open_doc(client, spec("plain"))

    result = await deploy(client, uri)
    await until_said(client, "is deployed")

    assert not client.progress_reports and not client.asked  # type: ignore[attr-defined]
    assert client.lens_refreshes == 0 and not client.shown_documents  # type: ignore[attr-defined]
    start, end = [m.message for m in client.messages]
    assert result["projectId"] in start and result["projectId"] in end
