"""`.ospec/config.yaml` gets diagnostics, hover and completion from the configuration schema."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from .session import diagnostics, open_doc

CONFIG = ".ospec/config.yaml"


async def test_a_project_config_is_checked_with_its_own_schema(client: LanguageClient) -> None:
    uri = open_doc(
        client, "api_url: https://api.ospec.dev\napi_token: ospec_sk_1\nretries: 3\n", CONFIG
    )
    found = {(d.code, d.range.start.line) for d in await diagnostics(client, uri)}
    assert found == {("OSPEC-C001", 1), ("OSPEC-S002", 2)}


async def test_hover_on_a_config_key_describes_it(client: LanguageClient) -> None:
    uri = open_doc(client, "api_url: https://api.ospec.dev\n", CONFIG)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=0, character=2),
        )
    )
    assert hover is not None and "without /api/v1" in str(hover.contents)


async def test_completion_offers_the_config_keys(client: LanguageClient) -> None:
    uri = open_doc(client, "api_url: https://api.ospec.dev\n\n", CONFIG)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=1, character=0),
        )
    )
    items = result.items if isinstance(result, types.CompletionList) else result or []
    labels = {item.label for item in items}
    assert {"api_client", "allow_insecure_http"} <= labels
    assert "api_url" not in labels and "ospec_version" not in labels
