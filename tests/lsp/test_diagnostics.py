"""Diagnostics through the real server: open, change, close, pull, non-ASCII positions."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from .session import change, diagnostics, open_doc

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
    uri = open_doc(client, VALID.replace("outcome_type: api", "outcome_type: apii"), "demo.ospec.yaml")
    [diag] = await diagnostics(client, uri)
    assert diag.code == "OSPEC-S004"
    assert diag.source == "ospec"
    assert diag.severity == types.DiagnosticSeverity.Error
    assert diag.range == types.Range(start=types.Position(4, 14), end=types.Position(4, 18))
    assert "did you mean 'api'" in diag.message
