"""Completion, hover and quick fixes through the real server, as VS Code and Neovim see them."""

from __future__ import annotations

import re

from lsprotocol import types
from pytest_lsp import LanguageClient

from .session import apply_edits, cursor_position, diagnostics, edits_of, open_doc

SPEC = """\
ospec_version: "1.0.0"
id: shop
name: Shop front
description: An online shop with a catalogue and a cart.
outcome_type: web-app
acceptance:
  http_endpoints:
    - { path: /health, status: 200 }
tasks:
  - id: setup
    title: Scaffold the project
    description: Create the repository and CI.
  - id: catalogue
    title: Build the catalogue
  - id: cart
    title: Build the cart
    dependencies: [catalogue, ‸]
"""


async def complete(
    client: LanguageClient, text_with_cursor: str, name: str = "shop.ospec.yaml"
) -> tuple[str, list[types.CompletionItem]]:
    text, position = cursor_position(text_with_cursor)
    uri = open_doc(client, text, name)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position
        )
    )
    assert isinstance(result, types.CompletionList)
    return text, list(result.items)


def snippet_support(client: LanguageClient) -> bool:
    caps = client.capabilities.text_document.completion.completion_item  # type: ignore[union-attr]
    return bool(caps and caps.snippet_support)


def plain(text: str) -> str:
    """Snippet text as inserted once every placeholder keeps its default."""
    text = re.sub(r"\$\{\d+:([^}]*)\}", r"\1", text)
    text = re.sub(r"\$\{\d+\|([^,|]*)[^}]*\}", r"\1", text)
    return re.sub(r"\$\d+", "", text)


async def test_empty_document_offers_a_whole_valid_spec(client: LanguageClient) -> None:
    text, [item] = await complete(client, "‸", "billing-api.ospec.yaml")
    assert item.label == "OSpec skeleton"
    expected = (
        types.InsertTextFormat.Snippet
        if snippet_support(client)
        else types.InsertTextFormat.PlainText
    )
    assert item.insert_text_format == expected
    inserted = apply_edits(text, [item.text_edit])  # type: ignore[list-item]
    uri = open_doc(client, plain(inserted), "billing-api.ospec.yaml")
    assert "id: billing-api" in plain(inserted)
    assert await diagnostics(client, uri) == []


async def test_keys_exclude_present_ones_and_put_required_first(client: LanguageClient) -> None:
    _, items = await complete(client, SPEC.replace("    dependencies: [catalogue, ‸]\n", "    ‸\n"))
    labels = [i.label for i in sorted(items, key=lambda i: i.sort_text or "")]
    assert "id" not in labels and "title" not in labels
    assert set(labels) == {"description", "dependencies", "estimated_hours", "risk_level"}
    by_label = {i.label: i for i in items}
    assert by_label["risk_level"].text_edit.new_text.startswith("risk_level:")  # type: ignore[union-attr]


async def test_nested_key_skeleton_inserts_required_children(client: LanguageClient) -> None:
    text, items = await complete(client, SPEC.replace("tasks:", "metadata:\n  ‸\ntasks:"))
    maintainers = next(i for i in items if i.label == "maintainers")
    inserted = plain(apply_edits(text, [maintainers.text_edit]))  # type: ignore[list-item]
    assert "metadata:\n  maintainers:\n    - name: " in inserted


async def test_enum_values_come_with_their_glosses(client: LanguageClient) -> None:
    _, items = await complete(client, SPEC.replace("outcome_type: web-app", "outcome_type: ap‸"))
    api = next(i for i in items if i.label == "api")
    assert api.kind == types.CompletionItemKind.EnumMember
    assert api.documentation and "HTTP service" in api.documentation.value  # type: ignore[union-attr]
    assert api.text_edit.range == types.Range(
        start=types.Position(4, 14), end=types.Position(4, 16)
    )  # type: ignore[union-attr]


async def test_dependencies_offer_other_unlisted_task_ids(client: LanguageClient) -> None:
    _, items = await complete(client, SPEC)
    assert [i.label for i in items] == ["setup"]
    assert items[0].detail == "Scaffold the project"


async def test_secret_names_after_secrets_dot(client: LanguageClient) -> None:
    text = (
        SPEC.replace("    dependencies: [catalogue, ‸]\n", "")
        + 'secrets:\n  required: [STRIPE_KEY, DB_URL]\nprompts:\n  p: "{{secrets.‸}}"\n'
    )
    _, items = await complete(client, text)
    assert sorted(i.label for i in items) == ["DB_URL", "STRIPE_KEY"]


async def hover(client: LanguageClient, text_with_cursor: str) -> types.Hover | None:
    text, position = cursor_position(text_with_cursor)
    uri = open_doc(client, text, "shop.ospec.yaml")
    return await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )


async def test_hover_on_a_key_describes_it(client: LanguageClient) -> None:
    result = await hover(client, SPEC.replace("outcome_type:", "outc‸ome_type:").replace("‸]", "]"))
    assert result is not None
    assert "Outcome type" in result.contents.value  # type: ignore[union-attr]
    assert "web-app" in result.contents.value  # type: ignore[union-attr]
    assert result.range == types.Range(start=types.Position(4, 0), end=types.Position(4, 12))


async def test_hover_on_an_enum_value_gives_its_gloss(client: LanguageClient) -> None:
    result = await hover(
        client, SPEC.replace("outcome_type: web-app", "outcome_type: web-‸app").replace("‸]", "]")
    )
    assert result is not None and "web-app" in result.contents.value  # type: ignore[union-attr]


async def test_hover_on_a_dependency_shows_the_task(client: LanguageClient) -> None:
    result = await hover(client, SPEC.replace("[catalogue, ‸]", "[cata‸logue]"))
    assert result is not None
    assert "Build the catalogue" in result.contents.value  # type: ignore[union-attr]


async def test_hover_uses_markdown_only_when_the_client_does(client: LanguageClient) -> None:
    result = await hover(client, SPEC.replace("outcome_type:", "outc‸ome_type:").replace("‸]", "]"))
    formats = client.capabilities.text_document.hover.content_format  # type: ignore[union-attr]
    assert result is not None
    assert result.contents.kind == (
        types.MarkupKind.Markdown
        if types.MarkupKind.Markdown in formats
        else types.MarkupKind.PlainText
    )  # type: ignore[union-attr]


async def quick_fix(
    client: LanguageClient, text: str, code: str
) -> tuple[str, list[types.CodeAction]]:
    uri = open_doc(client, text, "shop.ospec.yaml")
    found = await diagnostics(client, uri)
    diag = next(d for d in found if d.code == code)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diag.range,
            context=types.CodeActionContext(diagnostics=[diag]),
        )
    )
    return uri, [
        a
        for a in actions or []
        if isinstance(a, types.CodeAction) and a.diagnostics and a.diagnostics[0].code == code
    ]


async def test_preferred_quick_fix_removes_its_diagnostic(client: LanguageClient) -> None:
    text = SPEC.replace("[catalogue, ‸]", "[catalogue]").replace(
        "outcome_type: web-app", "outcome_type: web-ap"
    )
    uri, actions = await quick_fix(client, text, "OSPEC-S004")
    [preferred] = [a for a in actions if a.is_preferred]
    assert preferred.title == "Change to 'web-app'"
    fixed = apply_edits(text, edits_of(preferred.edit, uri))  # type: ignore[arg-type]
    assert await diagnostics(client, open_doc(client, fixed, "shop.ospec.yaml")) == []


async def test_every_diagnostic_can_be_suppressed(client: LanguageClient) -> None:
    text = SPEC.replace("[catalogue, ‸]", "[catalogue, nope]")
    uri, actions = await quick_fix(client, text, "OSPEC-R001")
    suppress = next(a for a in actions if a.title == "Disable OSPEC-R001 for this line")
    fixed = apply_edits(text, edits_of(suppress.edit, uri))  # type: ignore[arg-type]
    assert "    # ospec-disable-next-line OSPEC-R001\n    dependencies: [catalogue, nope]" in fixed
    assert await diagnostics(client, open_doc(client, fixed, "shop.ospec.yaml")) == []


async def test_missing_prompt_file_is_created_where_the_client_allows(
    client: LanguageClient,
) -> None:
    text = (
        SPEC.replace("[catalogue, ‸]", "[catalogue]") + "prompts:\n  planner: prompts/planner.md\n"
    )
    _uri, actions = await quick_fix(client, text, "OSPEC-R006")
    create = [a for a in actions if a.title.startswith("Create")]
    edit_caps = client.capabilities.workspace.workspace_edit  # type: ignore[union-attr]
    if (
        edit_caps
        and edit_caps.document_changes
        and types.ResourceOperationKind.Create in (edit_caps.resource_operations or [])
    ):
        [action] = create
        change = action.edit.document_changes[0]  # type: ignore[index, union-attr]
        assert isinstance(change, types.CreateFile)
        assert change.uri.endswith("/prompts/planner.md")
    else:
        assert create == []
