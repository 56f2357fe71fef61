"""Requests answer from the document's parse for its current version: one parse per version."""

from __future__ import annotations

from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from ospec.core import incremental, yamldoc
from ospec.lsp import editing
from ospec.lsp.main import create_server

SPEC = """\
ospec_version: "1.0.0"
id: shop
name: Shop front
description: An online shop with a catalogue and a cart.
outcome_type: web-app
acceptance:
  http_endpoints:
    - { path: /health, status: 200 }
"""


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = yamldoc.parse

    def counting(text: str) -> yamldoc.ParsedDocument:
        seen.append(text)
        return real(text)

    def splicing(old: yamldoc.ParsedDocument, text: str, schema: Any) -> Any:
        # An edit re-parses only the part it touched: that counts as the version's parse.
        seen.append(text)
        return real_splice(old, text, schema)

    real_splice = incremental.splice
    monkeypatch.setattr("ospec.core.analyze.parse", counting)
    monkeypatch.setattr("ospec.core.analyze.splice", splicing)
    monkeypatch.setattr("ospec.lsp.editing.parse", counting)
    return seen


async def test_completion_and_hover_reuse_the_parse_of_the_version(parses: list[str]) -> None:
    ls = create_server()
    ls.start_session(types.InitializeParams(capabilities=client_capabilities("visual_studio_code")))
    doc = ls.documents.open(
        types.TextDocumentItem(
            uri="file:///tmp/shop.ospec.yaml", language_id="yaml", version=1, text=SPEC
        )
    )
    for line in range(8):
        await editing.completion_items(ls, doc, types.Position(line, 3))
        await editing.hover(ls, doc, types.Position(line, 1))
    assert len(parses) == 1


async def test_an_edit_means_exactly_one_new_parse(parses: list[str]) -> None:
    ls = create_server()
    ls.start_session(types.InitializeParams(capabilities=client_capabilities("visual_studio_code")))
    item = types.TextDocumentItem(
        uri="file:///tmp/shop.ospec.yaml", language_id="yaml", version=1, text=SPEC
    )
    doc = ls.documents.open(item)
    await editing.hover(ls, doc, types.Position(0, 1))
    ls.documents.change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=item.uri, version=2),
            content_changes=[
                types.TextDocumentContentChangeWholeDocument(text=SPEC.replace("Shop", "Store"))
            ],
        ),
        ls.units,
    )
    await editing.hover(ls, doc, types.Position(0, 1))
    await editing.completion_items(ls, doc, types.Position(4, 15))
    assert len(parses) == 2
