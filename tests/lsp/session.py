"""Client-side helpers for the end-to-end tests: open, edit, get diagnostics."""

from __future__ import annotations

from itertools import count
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

_numbers = count()


def uses_pull(client: LanguageClient) -> bool:
    caps = client.capabilities
    return bool(caps and caps.text_document and caps.text_document.diagnostic)


def open_doc(client: LanguageClient, text: str, name: str | None = None) -> str:
    """Open text as a (fresh) spec document; return its URI."""
    folder: Path = client.tmp_path  # type: ignore[attr-defined]
    uri = (folder / (name or f"doc{next(_numbers)}.ospec.yaml")).as_uri()
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        )
    )
    return uri


async def diagnostics(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    """The diagnostics for the document's current version, by pull or push as the client does."""
    if uses_pull(client):
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
        return list(report.items)
    while uri not in client.diagnostics:
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return list(client.diagnostics[uri])


def change(
    client: LanguageClient,
    uri: str,
    version: int,
    start: tuple[int, int],
    end: tuple[int, int],
    text: str,
) -> None:
    """Send one incremental edit (positions in the client's units)."""
    client.diagnostics.pop(uri, None)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=types.Position(*start), end=types.Position(*end)),
                    text=text,
                )
            ],
        )
    )


def units(client: LanguageClient, text: str) -> int:
    """Length of text in the position units the server negotiated with this client."""
    encoding = getattr(client, "encoding", types.PositionEncodingKind.Utf16)
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8"))
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    return len(text.encode("utf-16-le")) // 2


async def eventually(check, timeout: float = 10.0):  # type: ignore[no-untyped-def]
    """Poll an async check until it returns something truthy (bounded; no blind sleeps)."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.05)


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP text edits to ASCII text (so client units are code points)."""
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)

    def offset(p: types.Position) -> int:
        if p.line >= len(lines):
            return len(text)
        return starts[p.line] + min(p.character, len(lines[p.line]))

    for edit in sorted(
        edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
    ):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def edits_of(edit: types.WorkspaceEdit, uri: str) -> list[types.TextEdit]:
    if edit.changes:
        return list(edit.changes[uri])
    out: list[types.TextEdit] = []
    for change in edit.document_changes or []:
        if isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri:
            out.extend(e for e in change.edits if isinstance(e, types.TextEdit))
    return out


def cursor_position(text_with_cursor: str) -> tuple[str, types.Position]:
    before, _, after = text_with_cursor.partition("‸")
    lines = before.split("\n")
    return before + after, types.Position(line=len(lines) - 1, character=len(lines[-1]))
