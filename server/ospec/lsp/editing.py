"""Completion, hover and quick fixes: adapters from the core to LSP types (edge)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from ..core.completion import Completion, Env, complete
from ..core.fixes import Fix, fixes_for
from ..core.hover import hover_at
from ..core.yamldoc import parse
from .convert import diagnostic
from .documents import OpenDocument
from .server import OspecServer

KINDS = {
    "key": types.CompletionItemKind.Property,
    "enum": types.CompletionItemKind.EnumMember,
    "value": types.CompletionItemKind.Value,
    "reference": types.CompletionItemKind.Reference,
    "secret": types.CompletionItemKind.Constant,
    "file": types.CompletionItemKind.File,
    "snippet": types.CompletionItemKind.Snippet,
}
MAX_FILES = 200


async def completion_items(
    ls: OspecServer, doc: OpenDocument, position: types.Position
) -> list[types.CompletionItem]:
    analysis = await ls.analysis(doc)
    pos = ls.units.from_client(doc.lines, position)
    tree = analysis.doc if analysis.doc.usable else _tree_without_line(doc, pos.line)
    env = Env(
        tree=tree, filename=doc.filename, list_files=_lister(doc), snippets=ls.client.snippets
    )
    items = complete(doc.lines, pos, ls.analyzer_for(doc).schemas[analysis.profile], env)
    return [_item(ls, doc, c) for c in items]


def _tree_without_line(doc: OpenDocument, line: int):  # type: ignore[no-untyped-def]
    """The half-typed line usually breaks the parse; parse once more without it (per version)."""
    key = f"tree-without-{line}"
    if key not in doc.cache:
        lines = list(doc.lines)
        lines[line] = ""
        tree = parse("\n".join(lines))
        doc.cache[key] = tree if tree.usable else None
    return doc.cache[key]


def _lister(doc: OpenDocument):  # type: ignore[no-untyped-def]
    if not doc.path:
        return None
    base = Path(doc.path).parent

    def files() -> list[str]:
        found: list[str] = []
        for sub in ("", "prompts", "scripts"):
            folder = base / sub if sub else base
            try:
                entries = sorted(p for p in folder.iterdir() if p.is_file())
            except OSError:
                continue
            found.extend(str(p.relative_to(base)) for p in entries[:MAX_FILES])
        return found

    return files


def _item(ls: OspecServer, doc: OpenDocument, c: Completion) -> types.CompletionItem:
    doc_kind = (
        types.MarkupKind.Markdown if ls.client.completion_markdown else types.MarkupKind.PlainText
    )
    multi_line = "\n" in c.text
    return types.CompletionItem(
        label=c.label,
        kind=KINDS.get(c.kind, types.CompletionItemKind.Text),
        detail=c.detail or None,
        documentation=types.MarkupContent(kind=doc_kind, value=c.documentation)
        if c.documentation
        else None,
        sort_text=c.sort or None,
        filter_text=c.label,
        text_edit=types.TextEdit(range=ls.units.range(doc.lines, c.replace), new_text=c.text),
        insert_text_format=types.InsertTextFormat.Snippet
        if c.snippet
        else types.InsertTextFormat.PlainText,
        insert_text_mode=types.InsertTextMode.AsIs
        if multi_line and ls.client.insert_as_is
        else None,
    )


async def hover(ls: OspecServer, doc: OpenDocument, position: types.Position) -> types.Hover | None:
    analysis = await ls.analysis(doc)
    if not analysis.doc.usable:
        return None
    info = hover_at(
        analysis.doc,
        ls.units.from_client(doc.lines, position),
        ls.analyzer_for(doc).schemas[analysis.profile],
    )
    if info is None:
        return None
    markdown = ls.client.markdown
    return types.Hover(
        contents=types.MarkupContent(
            kind=types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText,
            value=info.markdown if markdown else info.plain,
        ),
        range=ls.units.range(doc.lines, info.span),
    )


async def code_actions(
    ls: OspecServer, doc: OpenDocument, params: types.CodeActionParams
) -> list[types.CodeAction]:
    analysis = await ls.analysis(doc)
    lines = analysis.doc.lines
    start = ls.units.from_client(lines, params.range.start)
    end = ls.units.from_client(lines, params.range.end)
    schema = ls.analyzer_for(doc).schemas[analysis.profile]
    actions = []
    for finding in analysis.findings:
        if finding.span.end < start or end < finding.span.start:
            continue
        diag = diagnostic(finding, lines, ls.units)
        for fix in fixes_for(analysis.doc, finding, schema, doc.filename):
            edit = _workspace_edit(ls, doc, fix)
            if edit is None:
                continue
            actions.append(
                types.CodeAction(
                    title=fix.title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    edit=edit,
                    is_preferred=fix.preferred or None,
                )
            )
    return actions


def _workspace_edit(ls: OspecServer, doc: OpenDocument, fix: Fix) -> types.WorkspaceEdit | None:
    if fix.create_file is not None:
        if not (doc.path and ls.client.create_files and ls.client.document_changes):
            return None
        target = (Path(doc.path).parent / fix.create_file).as_uri()
        origin = types.Range(start=types.Position(0, 0), end=types.Position(0, 0))
        return types.WorkspaceEdit(
            document_changes=[
                types.CreateFile(
                    uri=target, options=types.CreateFileOptions(ignore_if_exists=True)
                ),
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=target, version=None
                    ),
                    edits=[types.TextEdit(range=origin, new_text=fix.file_text)],
                ),
            ]
        )
    edits = [
        types.TextEdit(range=ls.units.range(doc.lines, e.span), new_text=e.text) for e in fix.edits
    ]
    if ls.client.document_changes:
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=doc.uri, version=doc.version
                    ),
                    edits=edits,
                )
            ]
        )
    return types.WorkspaceEdit(changes={doc.uri: edits})
