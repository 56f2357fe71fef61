"""pytest-lsp fixtures: the real ospec-lsp over stdio, under recorded client capabilities."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "ospec", "lsp"]
# VS Code 1.65: push diagnostics, UTF-16, snippets. Neovim 0.11: pull diagnostics, UTF-8.
CLIENTS = ["visual_studio_code", "neovim"]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), params=CLIENTS)
async def client(request: pytest.FixtureRequest, lsp_client: LanguageClient, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A client session; @pytest.mark.init_options(...) and .configuration(...) preset settings."""
    if (marker := request.node.get_closest_marker("configuration")) is not None:
        lsp_client.set_configuration(marker.args[0], section="ospec")
    init = request.node.get_closest_marker("init_options")
    _record_publishes(lsp_client)
    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            root_uri=tmp_path.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="ws")],
            initialization_options=init.args[0] if init else None,
        )
    )
    lsp_client.tmp_path = tmp_path  # type: ignore[attr-defined]
    lsp_client.encoding = result.capabilities.position_encoding  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


def _record_publishes(client: LanguageClient) -> None:
    """Keep every publishDiagnostics (with its version), not just the latest per URI."""
    features = client.protocol.fm.features
    original = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]
    client.published = []  # type: ignore[attr-defined]

    def record(params: types.PublishDiagnosticsParams) -> None:
        client.published.append(params)  # type: ignore[attr-defined]
        original(params)

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record
