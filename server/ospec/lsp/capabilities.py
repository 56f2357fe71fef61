"""What the connected client can do, resolved once at initialize (edge)."""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types


@dataclass(frozen=True, slots=True)
class ClientFeatures:
    pull_diagnostics: bool = False
    diagnostic_refresh: bool = False
    configuration: bool = False
    markdown: bool = False
    snippets: bool = False
    work_done_progress: bool = False
    show_document: bool = False
    completion_markdown: bool = False
    insert_as_is: bool = False
    document_changes: bool = False
    create_files: bool = False
    # Deploying: disabled code actions, lens refresh, asking the user (window/showMessageRequest).
    disabled_actions: bool = False
    code_lens_refresh: bool = False
    message_requests: bool = False

    @classmethod
    def of(cls, caps: types.ClientCapabilities) -> ClientFeatures:
        td = caps.text_document
        ws = caps.workspace
        win = caps.window
        hover_formats = (td.hover.content_format if td and td.hover else None) or []
        item = td.completion.completion_item if td and td.completion else None
        edit = ws.workspace_edit if ws else None
        resource_ops = (edit.resource_operations if edit else None) or []
        return cls(
            pull_diagnostics=bool(td and td.diagnostic),
            diagnostic_refresh=bool(ws and ws.diagnostics and ws.diagnostics.refresh_support),
            configuration=bool(ws and ws.configuration),
            markdown=types.MarkupKind.Markdown in hover_formats,
            snippets=bool(item and item.snippet_support),
            work_done_progress=bool(win and win.work_done_progress),
            show_document=bool(win and win.show_document and win.show_document.support),
            completion_markdown=types.MarkupKind.Markdown
            in ((item.documentation_format if item else None) or []),
            insert_as_is=types.InsertTextMode.AsIs
            in (
                (
                    item.insert_text_mode_support.value_set
                    if item and item.insert_text_mode_support
                    else None
                )
                or []
            ),
            document_changes=bool(edit and edit.document_changes),
            create_files=types.ResourceOperationKind.Create in resource_ops,
            disabled_actions=bool(td and td.code_action and td.code_action.disabled_support),
            code_lens_refresh=bool(ws and ws.code_lens and ws.code_lens.refresh_support),
            message_requests=bool(win and win.show_message),
        )
