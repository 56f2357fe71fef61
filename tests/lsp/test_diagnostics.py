"""Diagnostics through the real server: open, change, close, pull, non-ASCII positions."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from .session import change, diagnostics, eventually, open_doc, units, uses_pull

VALID = """\
ospec_version: "1.0.0"
id: demo
name: Demo service
description: A small service used by the language server tests.
outcome_type: api
acceptance:
  http_endpoints:
    - { path: /health, status: 200 }
"""


async def test_valid_spec_has_no_diagnostics(client: LanguageClient) -> None:
    uri = open_doc(client, VALID, "demo.ospec.yaml")
    assert await diagnostics(client, uri) == []


async def test_bad_enum_is_underlined_on_the_value(client: LanguageClient) -> None:
    uri = open_doc(
        client, VALID.replace("outcome_type: api", "outcome_type: apii"), "demo.ospec.yaml"
    )
    [diag] = await diagnostics(client, uri)
    assert diag.code == "OSPEC-S004"
    assert diag.source == "ospec"
    assert diag.severity == types.DiagnosticSeverity.Error
    assert diag.range == types.Range(start=types.Position(4, 14), end=types.Position(4, 18))
    assert "did you mean 'api'" in diag.message


async def test_an_edit_republishes_for_the_new_version(client: LanguageClient) -> None:
    uri = open_doc(
        client, VALID.replace("outcome_type: api", "outcome_type: apii"), "demo.ospec.yaml"
    )
    assert len(await diagnostics(client, uri)) == 1
    change(client, uri, 2, (4, 14), (4, 18), "api")
    assert await diagnostics(client, uri) == []


async def test_close_clears_pushed_diagnostics(client: LanguageClient) -> None:
    if uses_pull(client):
        pytest.skip("pull clients drop diagnostics of closed documents themselves")
    uri = open_doc(client, "id: [\n", "demo.ospec.yaml")
    assert await diagnostics(client, uri)
    client.diagnostics.pop(uri)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert await diagnostics(client, uri) == []


async def test_positions_after_emoji_are_in_client_units(client: LanguageClient) -> None:
    line = '    - { path: "/😀/🎉", status: 9999 }'
    uri = open_doc(
        client, VALID.replace("    - { path: /health, status: 200 }", line), "demo.ospec.yaml"
    )
    [diag] = await diagnostics(client, uri)
    start = line.index("9999")
    assert diag.code == "OSPEC-S006"
    assert diag.range.start == types.Position(7, units(client, line[:start]))
    assert diag.range.end == types.Position(7, units(client, line[: start + 4]))


async def test_incremental_edits_after_emoji_land_in_the_right_place(
    client: LanguageClient,
) -> None:
    line = '    - { path: "/😀/🎉", status: 9999 }'
    uri = open_doc(
        client, VALID.replace("    - { path: /health, status: 200 }", line), "demo.ospec.yaml"
    )
    assert len(await diagnostics(client, uri)) == 1
    start = units(client, line[: line.index("9999")])
    change(client, uri, 2, (7, start), (7, start + 4), "200")
    assert await diagnostics(client, uri) == []


async def test_stale_results_are_never_published(client: LanguageClient) -> None:
    if uses_pull(client):
        pytest.skip("push only")
    uri = open_doc(client, VALID, "demo.ospec.yaml")
    for version in range(2, 22):
        change(client, uri, version, (2, 6), (2, 7), "D" if version % 2 else "d")
    final = await eventually_published(client, uri, 21)
    versions = [p.version for p in client.published if p.uri == uri]  # type: ignore[attr-defined]
    assert versions == sorted(versions)
    assert final.version == 21


async def eventually_published(
    client: LanguageClient, uri: str, version: int
) -> types.PublishDiagnosticsParams:
    async def latest() -> types.PublishDiagnosticsParams | None:
        hits = [p for p in client.published if p.uri == uri and p.version == version]  # type: ignore[attr-defined]
        return hits[-1] if hits else None

    found = await eventually(latest)
    assert found is not None, f"no diagnostics published for version {version}"
    return found


async def test_pull_reports_unchanged_for_the_same_version(client: LanguageClient) -> None:
    if not uses_pull(client):
        pytest.skip("pull only")
    uri = open_doc(client, VALID, "demo.ospec.yaml")
    ident = types.TextDocumentIdentifier(uri=uri)
    first = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=ident)
    )
    again = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=ident, previous_result_id=first.result_id)
    )
    assert isinstance(again, types.RelatedUnchangedDocumentDiagnosticReport)


async def test_modeline_selects_the_strict_profile(client: LanguageClient) -> None:
    uri = open_doc(
        client, "# ospec: profile=strict\n" + VALID + "deployment: {}\n", "demo.ospec.yaml"
    )
    [diag] = await diagnostics(client, uri)
    assert (diag.code, diag.severity) == ("OSPEC-S002", types.DiagnosticSeverity.Error)


@pytest.mark.init_options({"profile": "strict", "rules": {"OSPEC-R004": "off"}})
async def test_initialization_options_set_profile_and_rules(client: LanguageClient) -> None:
    uri = open_doc(client, VALID + "deployment: {}\n", "other-name.ospec.yaml")
    [diag] = await diagnostics(client, uri)
    assert (diag.code, diag.severity) == ("OSPEC-S002", types.DiagnosticSeverity.Error)


@pytest.mark.init_options({"profile": "strictest"})
async def test_invalid_settings_fall_back_to_defaults_with_one_message(
    client: LanguageClient,
) -> None:
    uri = open_doc(client, VALID + "deployment: {}\n", "demo.ospec.yaml")
    assert await diagnostics(client, uri) == []
    [message] = client.messages
    assert message.type == types.MessageType.Warning
    assert "Invalid ospec settings" in message.message and "strictest" in message.message


@pytest.mark.configuration({"rules": {"OSPEC-S004": "warning"}})
async def test_workspace_configuration_is_applied(client: LanguageClient) -> None:
    uri = open_doc(
        client, VALID.replace("outcome_type: api", "outcome_type: apii"), "demo.ospec.yaml"
    )

    async def downgraded() -> bool:
        # Push clients: look at what has arrived so far; pull clients: ask again.
        found = await diagnostics(client, uri) if uses_pull(client) else client.diagnostics.get(uri)
        return bool(found) and found[0].severity == types.DiagnosticSeverity.Warning

    assert await eventually(downgraded)


async def test_binary_garbage_never_crashes_the_server(client: LanguageClient) -> None:
    uri = open_doc(client, "\x00\x01\ufffe\ud7ff: [{\n\t\x85\u2028", "demo.ospec.yaml")
    found = await diagnostics(client, uri)
    assert found and all(d.source == "ospec" for d in found)
    uri2 = open_doc(client, VALID, "demo.ospec.yaml")
    assert await diagnostics(client, uri2) == []
