"""Outline, folding, selection ranges, definition, references, rename and links (edge).

Each handler looks up the open document's per-version analysis, asks the core
(outline.py, navigate.py) and converts through ls.units; results that depend only on the
parse are kept in the document's per-version cache.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.exceptions import JsonRpcContentModified, JsonRpcException

from ..core import ParsedDocument, Pos, Span
from ..core.navigate import Index, RenameError, index, links
from ..core.outline import Fold, Kind, Symbol, folds, outline, selection
from .convert import Units
from .documents import OpenDocument
from .server import OspecServer

T = TypeVar("T")
# LSP's ErrorCodes.RequestFailed: a valid request the server could not carry out.
REQUEST_FAILED = -32803
# Clients that send no symbol kind list understand File (1) to Array (18) only.
BASIC_KINDS = frozenset(range(1, 19))
KIND_FALLBACK = {Kind.OBJECT: Kind.MODULE, Kind.NULL: Kind.CONSTANT, Kind.EVENT: Kind.FUNCTION}


@dataclass(frozen=True, slots=True)
class NavigationFeatures:
    """The client capabilities these features branch on."""

    hierarchical_symbols: bool = False
    symbol_kinds: frozenset[int] = BASIC_KINDS
    line_folding_only: bool = False
    folding_limit: int | None = None
    definition_links: bool = False
    link_tooltips: bool = False
    document_changes: bool = False

    @classmethod
    def of(cls, caps: types.ClientCapabilities) -> NavigationFeatures:
        def cap(path: str, default: object = None) -> object:
            return get_capability(caps, f"text_document.{path}", default)

        kinds = cap("document_symbol.symbol_kind.value_set") or ()
        return cls(
            hierarchical_symbols=bool(cap("document_symbol.hierarchical_document_symbol_support")),
            symbol_kinds=BASIC_KINDS | {int(k) for k in kinds},  # type: ignore[attr-defined]
            line_folding_only=bool(cap("folding_range.line_folding_only")),
            folding_limit=cap("folding_range.range_limit"),  # type: ignore[arg-type]
            definition_links=bool(cap("definition.link_support")),
            link_tooltips=bool(cap("document_link.tooltip_support")),
            document_changes=bool(
                get_capability(caps, "workspace.workspace_edit.document_changes", False)
            ),
        )


def register(server: OspecServer) -> None:
    """Attach the structure and navigation handlers to a server instance."""

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL, types.DocumentSymbolOptions(label="OSpec"))
    async def document_symbol(
        ls: OspecServer, params: types.DocumentSymbolParams
    ) -> list[types.DocumentSymbol] | list[types.SymbolInformation] | None:
        if (state := await _state(ls, params.text_document.uri)) is None:
            return None
        doc, parsed = state
        symbols = _cached(doc, parsed, "outline", outline)
        features, lines = _features(ls), parsed.lines
        if features.hierarchical_symbols:
            return [_tree(s, lines, ls.units, features) for s in symbols]
        return list(_flat(symbols, doc.uri, lines, ls.units, features))

    @server.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
    async def folding_range(
        ls: OspecServer, params: types.FoldingRangeParams
    ) -> list[types.FoldingRange] | None:
        if (state := await _state(ls, params.text_document.uri)) is None:
            return None
        doc, parsed = state
        features = _features(ls)
        limit = features.folding_limit
        found = _cached(doc, parsed, f"folds.{limit}", lambda p: folds(p, limit))
        return [_fold(f, parsed.lines, ls.units, features.line_folding_only) for f in found]

    @server.feature(types.TEXT_DOCUMENT_SELECTION_RANGE)
    async def selection_range(
        ls: OspecServer, params: types.SelectionRangeParams
    ) -> list[types.SelectionRange] | None:
        if (state := await _state(ls, params.text_document.uri)) is None:
            return None
        lines = state[1].lines
        return [
            _nested(selection(state[1], ls.units.from_client(lines, p)), lines, ls.units)
            for p in params.positions
        ]

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def definition(
        ls: OspecServer, params: types.DefinitionParams
    ) -> list[types.Location] | list[types.LocationLink] | None:
        if (found := await _lookup(ls, params)) is None:
            return None
        uri, lines, names, pos = found
        if (hit := names.definitions(pos)) is None:
            return None
        here, targets = hit
        if not _features(ls).definition_links:
            return [types.Location(uri, ls.units.range(lines, t.span)) for t in targets]
        return [
            types.LocationLink(
                target_uri=uri,
                target_range=ls.units.range(lines, t.item),
                target_selection_range=ls.units.range(lines, t.span),
                origin_selection_range=ls.units.range(lines, here.hit),
            )
            for t in targets
        ]

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    async def references(
        ls: OspecServer, params: types.ReferenceParams
    ) -> list[types.Location] | None:
        if (found := await _lookup(ls, params)) is None:
            return None
        uri, lines, names, pos = found
        hits = names.references(pos, params.context.include_declaration)
        return [types.Location(uri, ls.units.range(lines, o.span)) for o in hits]

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT)
    async def document_highlight(
        ls: OspecServer, params: types.DocumentHighlightParams
    ) -> list[types.DocumentHighlight] | None:
        if (found := await _lookup(ls, params)) is None:
            return None
        _, lines, names, pos = found
        return [
            types.DocumentHighlight(
                range=ls.units.range(lines, o.span),
                kind=types.DocumentHighlightKind.Write
                if o.declaration
                else types.DocumentHighlightKind.Read,
            )
            for o in names.references(pos, include_declaration=True)
        ]

    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    async def prepare_rename(
        ls: OspecServer, params: types.PrepareRenameParams
    ) -> types.PrepareRenameResult | None:
        if (found := await _lookup(ls, params)) is None:
            return None
        _, lines, names, pos = found
        if (here := names.at(pos)) is None:
            return None  # the client says this element cannot be renamed
        span = ls.units.range(lines, here.span)
        return span if here.verbatim else types.PrepareRenamePlaceholder(span, here.name)

    @server.feature(types.TEXT_DOCUMENT_RENAME)
    async def rename(ls: OspecServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
        doc = ls.documents.get(params.text_document.uri)
        version = doc.version if doc is not None else None
        if (found := await _lookup(ls, params)) is None:
            return None
        if doc is None or doc.version != version:
            raise JsonRpcContentModified()  # edits for an older text must not be applied
        uri, lines, names, pos = found
        try:
            edits = [
                types.TextEdit(ls.units.range(lines, e.span), e.text)
                for e in names.rename(pos, params.new_name)
            ]
        except RenameError as err:
            raise JsonRpcException(str(err), code=REQUEST_FAILED) from None
        if not _features(ls).document_changes:
            return types.WorkspaceEdit(changes={uri: edits})
        document = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
        return types.WorkspaceEdit(
            document_changes=[types.TextDocumentEdit(text_document=document, edits=edits)]
        )

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK)
    async def document_link(
        ls: OspecServer, params: types.DocumentLinkParams
    ) -> list[types.DocumentLink] | None:
        if (state := await _state(ls, params.text_document.uri)) is None:
            return None
        doc, parsed = state
        if doc.path is None:
            return []  # only files have a folder to resolve paths against
        folder, tooltips = Path(doc.path).parent, _features(ls).link_tooltips
        return [
            types.DocumentLink(
                range=ls.units.range(parsed.lines, link.span),
                target=Path(os.path.normpath(folder / link.path)).as_uri(),
                tooltip=f"Open {link.path}" if tooltips else None,
            )
            for link in _cached(doc, parsed, "links", links)
        ]


# -- lookups ------------------------------------------------------------------------------


async def _state(ls: OspecServer, uri: str) -> tuple[OpenDocument, ParsedDocument] | None:
    """The open document and its current parse, or None when it is not open."""
    doc = ls.documents.get(uri)
    if doc is None:
        return None
    return doc, (await ls.analysis(doc)).doc


async def _lookup(
    ls: OspecServer, params: types.TextDocumentPositionParams
) -> tuple[str, list[str], Index, Pos] | None:
    """For position requests: uri, lines, the name index and the position in code points."""
    if (state := await _state(ls, params.text_document.uri)) is None:
        return None
    doc, parsed = state
    pos = ls.units.from_client(parsed.lines, params.position)
    return doc.uri, parsed.lines, _cached(doc, parsed, "names", index), pos


def _cached(
    doc: OpenDocument, parsed: ParsedDocument, key: str, build: Callable[[ParsedDocument], T]
) -> T:
    """build(parsed), kept while the document's cache holds results for this very parse."""
    key = f"navigation.{key}"
    hit = doc.cache.get(key)
    if hit is None or hit[0] is not parsed:
        hit = doc.cache[key] = (parsed, build(parsed))
    return hit[1]  # type: ignore[no-any-return]


def _features(ls: OspecServer) -> NavigationFeatures:
    return NavigationFeatures.of(ls.client_capabilities)


# -- conversions --------------------------------------------------------------------------


def _kind(kind: Kind, features: NavigationFeatures) -> types.SymbolKind:
    chosen = getattr(types.SymbolKind, kind.value)
    if chosen not in features.symbol_kinds:
        chosen = getattr(types.SymbolKind, KIND_FALLBACK.get(kind, Kind.STRING).value)
    return chosen  # type: ignore[no-any-return]


def _tree(
    s: Symbol, lines: list[str], units: Units, features: NavigationFeatures
) -> types.DocumentSymbol:
    return types.DocumentSymbol(
        name=s.name,
        kind=_kind(s.kind, features),
        range=units.range(lines, s.span),
        selection_range=units.range(lines, s.selection),
        detail=s.detail,
        children=[_tree(c, lines, units, features) for c in s.children] or None,
    )


def _flat(
    symbols: Sequence[Symbol],
    uri: str,
    lines: list[str],
    units: Units,
    features: NavigationFeatures,
    container: str | None = None,
) -> Iterator[types.SymbolInformation]:
    for s in symbols:
        yield types.SymbolInformation(
            name=s.name,
            kind=_kind(s.kind, features),
            location=types.Location(uri, units.range(lines, s.span)),
            container_name=container,
        )
        yield from _flat(s.children, uri, lines, units, features, s.name)


def _fold(fold: Fold, lines: list[str], units: Units, lines_only: bool) -> types.FoldingRange:
    start, end = units.to_client(lines, fold.start), units.to_client(lines, fold.end)
    return types.FoldingRange(
        start_line=start.line,
        end_line=end.line,
        start_character=None if lines_only else start.character,
        end_character=None if lines_only else end.character,
        kind=types.FoldingRangeKind.Comment if fold.comment else None,
    )


def _nested(spans: list[Span], lines: list[str], units: Units) -> types.SelectionRange:
    """SelectionRange links from the innermost span out to the whole document."""
    parent: types.SelectionRange | None = None
    for span in reversed(spans):
        parent = types.SelectionRange(range=units.range(lines, span), parent=parent)
    assert parent is not None  # the chain always holds the whole document
    return parent
