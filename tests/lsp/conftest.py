"""pytest-lsp fixtures: the real ospec-lsp over stdio, under recorded client capabilities."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "ospec", "lsp"]
# VS Code 1.65: push diagnostics, UTF-16, snippets. Neovim 0.11: pull diagnostics, UTF-8.
CLIENTS = ["visual_studio_code", "neovim"]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), params=CLIENTS)
async def client(request, lsp_client: LanguageClient, tmp_path: Path):  # type: ignore[no-untyped-def]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            root_uri=tmp_path.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="ws")],
        )
    )
    lsp_client.tmp_path = tmp_path  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()
