"""LSP fuzz: random incremental edits (including positions inside UTF-16 surrogate pairs) keep
the server's text equal to the client's, and requests at random positions never fail.

Positions inside a surrogate pair (or past a line's end) are not real character positions;
the server, like this reference client, rounds them down to the character boundary.
"""

from __future__ import annotations

import random
import sys

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from ..conftest import EXAMPLES

STEPS = 120
PIECES = [
    "😀",
    "é",
    "\n",
    "  ",
    "- ",
    ": ",
    "id: x",
    "{",
    "}",
    "[",
    "]",
    '"',
    "#",
    "\t",
    "\r\n",
    "tasks:\n  - id: a\n",
    "🎉🎉",
    "{{secrets.A}}",
    "",
    "x" * 40,
]


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "ospec", "lsp"]),
    params=["visual_studio_code", "neovim"],
)
async def client(request: pytest.FixtureRequest, lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    result = await lsp_client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities(request.param))
    )
    lsp_client.encoding = result.capabilities.position_encoding  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


def lines_of(text: str) -> list[str]:
    import re

    return re.split(r"\r\n|\r|\n", text)


def units(ch: str, encoding: str) -> int:
    if encoding == types.PositionEncodingKind.Utf8:
        return len(ch.encode("utf-8"))
    if encoding == types.PositionEncodingKind.Utf32:
        return 1
    return 2 if ord(ch) > 0xFFFF else 1


def to_offset(text: str, pos: types.Position, encoding: str) -> int:
    """Client position → code-point offset, rounding positions inside a character down."""
    import re

    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    lines = lines_of(text)
    if pos.line >= len(lines):
        return len(text)
    line, col, used = lines[pos.line], 0, 0
    for ch in line:
        step = units(ch, encoding)
        if used + step > pos.character:
            break
        used += step
        col += 1
    return starts[pos.line] + col


def random_position(rng: random.Random, text: str, encoding: str) -> types.Position:
    lines = lines_of(text)
    line = rng.randrange(len(lines) + 1)  # sometimes one past the end
    width = sum(units(c, encoding) for c in lines[line]) if line < len(lines) else 0
    return types.Position(line=line, character=rng.randrange(width + 3))


def inside(span: types.Range, text: str, encoding: str) -> bool:
    lines = lines_of(text)

    def ok(pos: types.Position) -> bool:
        if pos.line >= len(lines):
            return False
        return pos.character <= sum(units(c, encoding) for c in lines[pos.line])

    start, end = span.start, span.end
    return ok(start) and ok(end) and (start.line, start.character) <= (end.line, end.character)


async def test_random_edits_keep_texts_equal_and_requests_safe(client: LanguageClient) -> None:
    encoding = client.encoding  # type: ignore[attr-defined]
    rng = random.Random(f"fuzz-{encoding}")
    text = (EXAMPLES / "todo-api.ospec.yaml").read_text(encoding="utf-8")
    uri = "file:///fuzz/todo-api.ospec.yaml"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        )
    )
    requests = 0
    for version in range(2, STEPS + 2):
        a, b = random_position(rng, text, encoding), random_position(rng, text, encoding)
        lo, hi = sorted([to_offset(text, a, encoding), to_offset(text, b, encoding)])
        start, end = (
            (a, b) if to_offset(text, a, encoding) <= to_offset(text, b, encoding) else (b, a)
        )
        new = "".join(rng.choice(PIECES) for _ in range(rng.randrange(3)))
        text = text[:lo] + new + text[hi:]
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(start=start, end=end), text=new
                    )
                ],
            )
        )
        server_text = await client.protocol.send_request_async("ospec/documentText", {"uri": uri})
        assert server_text == text, f"texts differ after step {version}"
        at = random_position(rng, text, encoding)
        ident = types.TextDocumentIdentifier(uri=uri)
        await client.text_document_completion_async(
            types.CompletionParams(text_document=ident, position=at)
        )
        await client.text_document_hover_async(types.HoverParams(text_document=ident, position=at))
        await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=ident,
                range=types.Range(start=at, end=at),
                context=types.CodeActionContext(diagnostics=[]),
            )
        )
        await client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=ident)
        )
        await client.text_document_folding_range_async(
            types.FoldingRangeParams(text_document=ident)
        )
        await client.text_document_selection_range_async(
            types.SelectionRangeParams(text_document=ident, positions=[at])
        )
        await client.text_document_definition_async(
            types.DefinitionParams(text_document=ident, position=at)
        )
        await client.text_document_references_async(
            types.ReferenceParams(
                text_document=ident,
                position=at,
                context=types.ReferenceContext(include_declaration=True),
            )
        )
        await client.text_document_prepare_rename_async(
            types.PrepareRenameParams(text_document=ident, position=at)
        )
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=ident)
        )
        requests += 10
        for diagnostic in report.items:  # type: ignore[union-attr]
            assert inside(diagnostic.range, text, encoding), (diagnostic, version)
    print(
        f"\nlsp fuzz ({encoding}): {STEPS} edits, {requests} requests, texts equal after every edit"
    )
    assert client.error is None
