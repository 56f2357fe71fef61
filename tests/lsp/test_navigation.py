"""Outline, folding, selection, definition, references, rename and links through the server.

The `client` fixture runs each test as VS Code (UTF-16, location links, documentChanges,
link tooltips) and as Neovim (UTF-8, plain `changes`); `basic_client` is a client that
declares almost nothing: flat symbols, character folding, plain locations, UTF-16.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient

from .conftest import SERVER
from .session import change, open_doc, units

SPEC = """\
# Demo spec
# used by the navigation tests
ospec_version: "1.0.0"
id: demo
acceptance:
  http_endpoints:
    - { path: /health, status: 200 }
  performance: { response_time_ms: 300 }
prompts:
  planner: "prompts/planner.md"
scripts:
  seed: |
    #!/bin/bash
    echo "🚀 {{secrets.DB_URL}}"
tasks:
  - id: "setup"
    title: Set up 🚀
  - id: api
    title: Build the API
    dependencies: ["setup"]
secrets:
  required: [DB_URL]
deployment:
  url: "🚀 {{secrets.DB_URL}}"
"""
LINES = SPEC.split("\n")

BASIC = types.ClientCapabilities(
    text_document=types.TextDocumentClientCapabilities(
        document_symbol=types.DocumentSymbolClientCapabilities(),
        folding_range=types.FoldingRangeClientCapabilities(),
        definition=types.DefinitionClientCapabilities(),
        rename=types.RenameClientCapabilities(prepare_support=True),
    )
)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def basic_client(lsp_client: LanguageClient, tmp_path: Path):  # type: ignore[no-untyped-def]
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=BASIC, root_uri=tmp_path.as_uri())
    )
    lsp_client.tmp_path = tmp_path  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


# -- positions in the client's units ---------------------------------------------------------


def at(client: LanguageClient, line: int, col: int) -> types.Position:
    """A code-point position in SPEC, in the units the server negotiated with the client."""
    return types.Position(line=line, character=units(client, LINES[line][:col]))


def eol(client: LanguageClient, line: int) -> types.Position:
    return at(client, line, len(LINES[line]))


def find(line: int, needle: str, nth: int = 0) -> int:
    col = -1
    for _ in range(nth + 1):
        col = LINES[line].index(needle, col + 1)
    return col


def word(client: LanguageClient, line: int, needle: str, nth: int = 0) -> types.Range:
    """The range of the nth occurrence of needle on a line of SPEC."""
    col = find(line, needle, nth)
    return types.Range(start=at(client, line, col), end=at(client, line, col + len(needle)))


def span(client: LanguageClient, start: tuple[int, int], end: tuple[int, int] | int) -> types.Range:
    """From (line, col) to (line, col), or to the end of a line."""
    stop = eol(client, end) if isinstance(end, int) else at(client, *end)
    return types.Range(start=at(client, *start), end=stop)


def doc_id(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


def apply(client: LanguageClient, text: str, edits: list[types.TextEdit]) -> str:
    """Apply edits whose columns are in the client's units."""
    lines = text.split("\n")

    def col(position: types.Position) -> int:
        line = lines[position.line]
        return next(
            (i for i in range(len(line) + 1) if units(client, line[:i]) >= position.character),
            len(line),
        )

    ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))
    for edit in reversed(ordered):
        start, end = edit.range.start, edit.range.end
        assert start.line == end.line
        line = lines[start.line]
        lines[start.line] = line[: col(start)] + edit.new_text + line[col(end) :]
    return "\n".join(lines)


def is_vscode(client: LanguageClient) -> bool:
    caps = client.capabilities
    return bool(caps and caps.workspace and caps.workspace.workspace_edit.document_changes)  # type: ignore[union-attr]


# -- document symbols ------------------------------------------------------------------------


def sym(
    name: str,
    kind: types.SymbolKind,
    range_: types.Range,
    selection: types.Range,
    detail: str | None = None,
    children: list[types.DocumentSymbol] | None = None,
) -> types.DocumentSymbol:
    return types.DocumentSymbol(
        name=name,
        kind=kind,
        range=range_,
        selection_range=selection,
        detail=detail,
        children=tuple(children) if children else None,  # the client decodes arrays as tuples
    )


async def test_document_symbols_are_a_hierarchical_outline(client: LanguageClient) -> None:
    uri = open_doc(client, SPEC, "demo.ospec.yaml")
    found = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc_id(uri))
    )
    K, c = types.SymbolKind, client
    assert found == [
        sym("ospec_version", K.String, span(c, (2, 0), 2), word(c, 2, "ospec_version"), "1.0.0"),
        sym("id", K.String, span(c, (3, 0), 3), word(c, 3, "id"), "demo"),
        sym(
            "acceptance",
            K.Module,
            span(c, (4, 0), 7),
            word(c, 4, "acceptance"),
            "2 keys",
            [
                sym(
                    "http_endpoints",
                    K.Array,
                    span(c, (5, 2), 6),
                    word(c, 5, "http_endpoints"),
                    "1 item",
                    [
                        sym(
                            "GET /health",
                            K.Interface,
                            span(c, (6, 6), 6),
                            word(c, 6, "/health"),
                            "200",
                        )
                    ],
                ),
                sym(
                    "performance",
                    K.Object,
                    span(c, (7, 2), 7),
                    word(c, 7, "performance"),
                    "1 key",
                    [
                        sym(
                            "response_time_ms",
                            K.Number,
                            span(c, (7, 17), (7, 38)),
                            word(c, 7, "response_time_ms"),
                            "300",
                        )
                    ],
                ),
            ],
        ),
        sym(
            "prompts",
            K.Module,
            span(c, (8, 0), 9),
            word(c, 8, "prompts"),
            "1 key",
            [
                sym(
                    "planner",
                    K.File,
                    span(c, (9, 2), 9),
                    word(c, 9, "planner"),
                    "prompts/planner.md",
                )
            ],
        ),
        sym(
            "scripts",
            K.Module,
            span(c, (10, 0), 13),
            word(c, 10, "scripts"),
            "1 key",
            [sym("seed", K.Function, span(c, (11, 2), 13), word(c, 11, "seed"), "#!/bin/bash…")],
        ),
        sym(
            "tasks",
            K.Array,
            span(c, (14, 0), 19),
            word(c, 14, "tasks"),
            "2 items",
            [
                sym("setup", K.Function, span(c, (15, 4), 16), word(c, 15, '"setup"'), "Set up 🚀"),
                sym("api", K.Function, span(c, (17, 4), 19), word(c, 17, "api"), "Build the API"),
            ],
        ),
        sym(
            "secrets",
            K.Module,
            span(c, (20, 0), 21),
            word(c, 20, "secrets"),
            "1 key",
            [
                sym(
                    "required",
                    K.Array,
                    span(c, (21, 2), 21),
                    word(c, 21, "required"),
                    "1 item",
                    [sym("DB_URL", K.Constant, word(c, 21, "DB_URL"), word(c, 21, "DB_URL"))],
                )
            ],
        ),
        sym(
            "deployment",
            K.Module,
            span(c, (22, 0), 23),
            word(c, 22, "deployment"),
            "1 key",
            [
                sym(
                    "url",
                    K.String,
                    span(c, (23, 2), 23),
                    word(c, 23, "url"),
                    "🚀 {{secrets.DB_URL}}",
                )
            ],
        ),
    ]


async def test_a_client_without_hierarchy_gets_flat_symbols_with_containers(
    basic_client: LanguageClient,
) -> None:
    uri = open_doc(basic_client, SPEC, "demo.ospec.yaml")
    found = await basic_client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc_id(uri))
    )
    assert all(isinstance(s, types.SymbolInformation) for s in found or [])
    K = types.SymbolKind
    assert [(s.name, s.kind, s.container_name) for s in found or []] == [
        ("ospec_version", K.String, None),
        ("id", K.String, None),
        ("acceptance", K.Module, None),
        ("http_endpoints", K.Array, "acceptance"),
        ("GET /health", K.Interface, "http_endpoints"),
        ("performance", K.Module, "acceptance"),  # Object is not in the basic kind set
        ("response_time_ms", K.Number, "performance"),
        ("prompts", K.Module, None),
        ("planner", K.File, "prompts"),
        ("scripts", K.Module, None),
        ("seed", K.Function, "scripts"),
        ("tasks", K.Array, None),
        ("setup", K.Function, "tasks"),
        ("api", K.Function, "tasks"),
        ("secrets", K.Module, None),
        ("required", K.Array, "secrets"),
        ("DB_URL", K.Constant, "required"),
        ("deployment", K.Module, None),
        ("url", K.String, "deployment"),
    ]
    setup = next(s for s in found or [] if s.name == "setup")
    assert setup.location == types.Location(uri, span(basic_client, (15, 4), 16))


# -- folding ranges ----------------------------------------------------------------------------


async def test_folding_ranges_cover_blocks_and_comment_runs_by_line(client: LanguageClient) -> None:
    uri = open_doc(client, SPEC, "demo.ospec.yaml")
    found = await client.text_document_folding_range_async(
        types.FoldingRangeParams(text_document=doc_id(uri))
    )
    comment = types.FoldingRangeKind.Comment
    assert list(found or []) == [
        types.FoldingRange(start_line=0, end_line=1, kind=comment),
        *(
            types.FoldingRange(start_line=s, end_line=e)
            for s, e in [(4, 7), (5, 6), (8, 9), (10, 13), (11, 13), (14, 19)]
        ),
        *(
            types.FoldingRange(start_line=s, end_line=e)
            for s, e in [(15, 16), (17, 19), (20, 21), (22, 23)]
        ),
    ]


async def test_folding_ranges_carry_characters_when_the_client_folds_inside_lines(
    basic_client: LanguageClient,
) -> None:
    uri = open_doc(basic_client, SPEC, "demo.ospec.yaml")
    found = await basic_client.text_document_folding_range_async(
        types.FoldingRangeParams(text_document=doc_id(uri))
    )
    c = basic_client
    assert found is not None and list(found[:2]) == [
        types.FoldingRange(
            start_line=0,
            end_line=1,
            start_character=eol(c, 0).character,
            end_character=eol(c, 1).character,
            kind=types.FoldingRangeKind.Comment,
        ),
        types.FoldingRange(
            start_line=4,
            end_line=7,
            start_character=eol(c, 4).character,
            end_character=eol(c, 7).character,
        ),
    ]
    # the block scalar folds to its last content line, measured in UTF-16 after the emoji
    seed = next(f for f in found if f.start_line == 11)
    assert (seed.end_line, seed.end_character) == (13, eol(c, 13).character)


# -- selection ranges --------------------------------------------------------------------------


def chain(selection: types.SelectionRange | None) -> list[types.Range]:
    out = []
    while selection is not None:
        out.append(selection.range)
        selection = selection.parent
    return out


async def test_selection_ranges_grow_from_a_value_to_the_document(client: LanguageClient) -> None:
    uri = open_doc(client, SPEC, "demo.ospec.yaml")
    found = await client.text_document_selection_range_async(
        types.SelectionRangeParams(
            text_document=doc_id(uri), positions=[at(client, 19, 22), at(client, 3, 1)]
        )
    )
    c = client
    assert found is not None and [chain(s) for s in found] == [
        [
            word(c, 19, "setup"),
            word(c, 19, '"setup"'),
            word(c, 19, '["setup"]'),
            span(c, (19, 4), 19),  # dependencies: [...]
            span(c, (17, 4), 19),  # the api task
            span(c, (15, 2), 19),  # the task list
            span(c, (14, 0), 19),  # tasks: ...
            span(c, (2, 0), 23),  # the root mapping
            span(c, (0, 0), 24),  # the whole document
        ],
        [word(c, 3, "id"), span(c, (3, 0), 3), span(c, (2, 0), 23), span(c, (0, 0), 24)],
    ]


async def test_selection_ranges_inside_a_secret_placeholder_after_an_emoji(
    client: LanguageClient,
) -> None:
    uri = open_doc(client, SPEC, "demo.ospec.yaml")
    [found] = await client.text_document_selection_range_async(
        types.SelectionRangeParams(text_document=doc_id(uri), positions=[at(client, 23, 22)])
    )
    assert chain(found)[:4] == [
        word(client, 23, "DB_URL"),
        word(client, 23, "{{secrets.DB_URL}}"),
        word(client, 23, "🚀 {{secrets.DB_URL}}"),
        word(client, 23, '"🚀 {{secrets.DB_URL}}"'),
    ]


async def test_selection_ranges_past_the_end_offer_the_whole_document(
    client: LanguageClient,
) -> None:
    uri = open_doc(client, SPEC, "demo.ospec.yaml")
    [found] = await client.text_document_selection_range_async(
        types.SelectionRangeParams(
            text_document=doc_id(uri), positions=[types.Position(line=99, character=7)]
        )
    )
    assert chain(found) == [span(client, (0, 0), 24)]


# -- definition, references, highlights --------------------------------------------------------


def position_params(uri: str, position: types.Position) -> types.DefinitionParams:
    return types.DefinitionParams(text_document=doc_id(uri), position=position)


async def test_definition_of_a_dependency_is_the_task(client: LanguageClient) -> None:
    uri = open_doc(client, SPEC, "demo.ospec.yaml")
    found = await client.text_document_definition_async(position_params(uri, at(client, 19, 22)))
    assert list(found or []) == [
        types.LocationLink(
            target_uri=uri,
            target_range=span(client, (15, 4), 16),
            target_selection_range=word(client, 15, "setup"),
            origin_selection_range=word(client, 19, '"setup"'),
        )
    ]


async def test_definition_of_a_secret_placeholder_after_an_emoji(client: LanguageClient) -> None:
    uri = open_doc(client, SPEC, "demo.ospec.yaml")
    found = await client.text_document_definition_async(position_params(uri, at(client, 13, 13)))
    assert list(found or []) == [
        types.LocationLink(
            target_uri=uri,
            target_range=word(client, 21, "DB_URL"),
            target_selection_range=word(client, 21, "DB_URL"),
            origin_selection_range=word(client, 13, "{{secrets.DB_URL}}"),
        )
    ]


async def test_definition_without_link_support_is_a_location(basic_client: LanguageClient) -> None:
    uri = open_doc(basic_client, SPEC, "demo.ospec.yaml")
    found = await basic_client.text_document_definition_async(
        position_params(uri, at(basic_client, 19, 22))
    )
    assert list(found or []) == [types.Location(uri, word(basic_client, 15, "setup"))]


async def test_no_definition_away_from_names_or_past_the_end(client: LanguageClient) -> None:
    uri = open_doc(client, SPEC, "demo.ospec.yaml")
    for position in (at(client, 16, 6), types.Position(line=99, character=99)):
        assert await client.text_document_definition_async(position_params(uri, position)) is None


@pytest.mark.parametrize("declaration", [True, False])
async def test_references_of_a_secret(client: LanguageClient, declaration: bool) -> None:
    uri = open_doc(client, SPEC, "demo.ospec.yaml")
    found = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=doc_id(uri),
            position=at(client, 21, 15),
            context=types.ReferenceContext(include_declaration=declaration),
        )
    )
    expected = [
        types.Location(uri, word(client, 13, "DB_URL")),
        types.Location(uri, word(client, 21, "DB_URL")),
        types.Location(uri, word(client, 23, "DB_URL")),
    ]
    assert list(found or []) == (expected if declaration else [expected[0], expected[2]])


async def test_highlights_mark_the_declaration_as_written(client: LanguageClient) -> None:
    uri = open_doc(client, SPEC, "demo.ospec.yaml")
    found = await client.text_document_document_highlight_async(
        types.DocumentHighlightParams(text_document=doc_id(uri), position=at(client, 15, 10))
    )
    assert list(found or []) == [
        types.DocumentHighlight(word(client, 15, "setup"), types.DocumentHighlightKind.Write),
        types.DocumentHighlight(word(client, 19, "setup"), types.DocumentHighlightKind.Read),
    ]


# -- rename ------------------------------------------------------------------------------------


async def test_prepare_rename_offers_the_id_inside_its_quotes(client: LanguageClient) -> None:
    uri = open_doc(client, SPEC, "demo.ospec.yaml")
    found = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=doc_id(uri), position=at(client, 19, 21))
    )
    assert found == word(client, 19, "setup")


async def test_prepare_rename_refuses_a_key(client: LanguageClient) -> None:
    uri = open_doc(client, SPEC, "demo.ospec.yaml")
    found = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=doc_id(uri), position=at(client, 16, 6))
    )
    assert found is None


async def rename(client: LanguageClient, uri: str, position: types.Position, name: str):  # type: ignore[no-untyped-def]
    return await client.text_document_rename_async(
        types.RenameParams(text_document=doc_id(uri), position=position, new_name=name)
    )


async def test_rename_a_task_id_edits_the_task_and_its_dependents(client: LanguageClient) -> None:
    uri = open_doc(client, SPEC, "demo.ospec.yaml")
    found = await rename(client, uri, at(client, 15, 10), "init")
    edits = (  # the client decodes arrays as tuples
        types.TextEdit(word(client, 15, "setup"), "init"),
        types.TextEdit(word(client, 19, "setup"), "init"),
    )
    if is_vscode(client):
        versioned = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=1)
        assert found == types.WorkspaceEdit(
            document_changes=(types.TextDocumentEdit(text_document=versioned, edits=edits),)
        )
    else:
        assert found == types.WorkspaceEdit(changes={uri: edits})


async def test_rename_a_secret_from_a_placeholder_edits_every_mention(
    client: LanguageClient,
) -> None:
    uri = open_doc(client, SPEC, "demo.ospec.yaml")
    found = await rename(client, uri, at(client, 23, 24), "DATABASE_URL")
    edits = found.changes[uri] if found.changes else found.document_changes[0].edits
    assert apply(client, SPEC, edits) == SPEC.replace("DB_URL", "DATABASE_URL")


async def test_rename_refuses_an_invalid_task_id_with_a_message(client: LanguageClient) -> None:
    uri = open_doc(client, SPEC, "demo.ospec.yaml")
    with pytest.raises(JsonRpcException, match="'Init' is not a valid task id"):
        await rename(client, uri, at(client, 17, 9), "Init")


async def test_rename_refuses_a_position_that_names_nothing(client: LanguageClient) -> None:
    uri = open_doc(client, SPEC, "demo.ospec.yaml")
    with pytest.raises(JsonRpcException, match="only a task id or a secret name can be renamed"):
        await rename(client, uri, at(client, 3, 5), "x")


async def test_rename_works_on_the_latest_version(client: LanguageClient) -> None:
    uri = open_doc(client, SPEC, "demo.ospec.yaml")
    change(client, uri, 2, (17, 8), (17, 11), "web")
    found = await rename(client, uri, at(client, 17, 9), "site")
    edits = found.changes[uri] if found.changes else found.document_changes[0].edits
    assert [(e.range, e.new_text) for e in edits] == [(word(client, 17, "api"), "site")]
    if found.document_changes:
        assert found.document_changes[0].text_document.version == 2


# -- document links ------------------------------------------------------------------------------


async def test_prompt_paths_link_to_files_next_to_the_spec(client: LanguageClient) -> None:
    uri = open_doc(client, SPEC, "demo.ospec.yaml")
    found = await client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=doc_id(uri))
    )
    folder: Path = client.tmp_path  # type: ignore[attr-defined]
    tooltips = is_vscode(client)  # Neovim declares no document link tooltips
    assert list(found or []) == [
        types.DocumentLink(
            range=word(client, 9, "prompts/planner.md"),
            target=(folder / "prompts" / "planner.md").as_uri(),
            tooltip="Open prompts/planner.md" if tooltips else None,
        )
    ]


async def test_an_unsaved_document_has_no_links(client: LanguageClient) -> None:
    uri = "untitled:Untitled-1"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=SPEC)
        )
    )
    found = await client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=doc_id(uri))
    )
    assert found is not None and list(found) == []


# -- lifecycle ------------------------------------------------------------------------------------


async def test_a_document_that_is_not_open_gets_no_answers(client: LanguageClient) -> None:
    uri = (Path(client.tmp_path) / "closed.ospec.yaml").as_uri()  # type: ignore[attr-defined]
    assert (
        await client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=doc_id(uri))
        )
        is None
    )
    assert (
        await client.text_document_folding_range_async(
            types.FoldingRangeParams(text_document=doc_id(uri))
        )
        is None
    )
    position = types.Position(line=0, character=0)
    assert await client.text_document_definition_async(position_params(uri, position)) is None


async def test_the_outline_follows_edits(client: LanguageClient) -> None:
    uri = open_doc(client, SPEC, "demo.ospec.yaml")
    params = types.DocumentSymbolParams(text_document=doc_id(uri))
    before = await client.text_document_document_symbol_async(params)
    change(client, uri, 2, (3, 4), (3, 8), "demo-two")
    after = await client.text_document_document_symbol_async(params)
    assert [s.detail for s in before or []][:2] == ["1.0.0", "demo"]
    assert [s.detail for s in after or []][:2] == ["1.0.0", "demo-two"]
