"""LSP method handlers: each looks up state, calls the core or the server, converts (edge)."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from . import deploy, editing, navigation
from .server import OspecServer

DOCUMENT_TEXT = "ospec/documentText"


def register(server: OspecServer) -> None:
    """Attach every handler to a server instance (one registration per method)."""

    @server.feature(types.INITIALIZE)
    def initialize(ls: OspecServer, params: types.InitializeParams) -> None:
        ls.start_session(params)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: OspecServer, params: types.InitializedParams) -> None:
        await ls.fetch_settings()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: OspecServer, params: types.DidChangeConfigurationParams
    ) -> None:
        if ls.client.configuration:
            await ls.fetch_settings()
        else:
            ls.apply_settings(params.settings)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: OspecServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(ls.documents.open(params.text_document))

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: OspecServer, params: types.DidChangeTextDocumentParams) -> None:
        if (doc := ls.documents.change(params, ls.units)) is not None:
            ls.schedule(doc)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: OspecServer, params: types.DidSaveTextDocumentParams) -> None:
        # Files next to the spec (prompts, scripts) may have changed: recheck.
        if (doc := ls.documents.get(params.text_document.uri)) is not None:
            doc.cache.clear()
            ls.schedule(doc)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: OspecServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.documents.close(params.text_document.uri)
        ls.clear(params.text_document.uri)

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier="ospec", inter_file_dependencies=False, workspace_diagnostics=False
        ),
    )
    async def pull_diagnostics(
        ls: OspecServer, params: types.DocumentDiagnosticParams
    ) -> types.DocumentDiagnosticReport:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        version = doc.version
        analysis = await ls.analysis(doc)
        result_id = f"{version}.{ls.settings_generation}"
        if params.previous_result_id == result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return types.RelatedFullDocumentDiagnosticReport(
            items=ls.diagnostics(doc, analysis), result_id=result_id
        )

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=["."])
    )
    async def completion(
        ls: OspecServer, params: types.CompletionParams
    ) -> types.CompletionList | None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            return None
        return types.CompletionList(
            is_incomplete=False, items=await editing.completion_items(ls, doc, params.position)
        )

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: OspecServer, params: types.HoverParams) -> types.Hover | None:
        doc = ls.documents.get(params.text_document.uri)
        return await editing.hover(ls, doc, params.position) if doc else None

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, deploy.KIND]),
    )
    async def code_action(
        ls: OspecServer, params: types.CodeActionParams
    ) -> list[types.CodeAction] | None:
        if (doc := ls.documents.get(params.text_document.uri)) is None:
            return None
        fixes = await editing.code_actions(ls, doc, params)
        return fixes + await deploy.code_actions(ls, doc, params)

    navigation.register(server)
    deploy.register(server)

    @server.feature(DOCUMENT_TEXT)
    def document_text(ls: OspecServer, params: Any) -> str | None:
        """The server's copy of an open document, {"uri": ...} (for diagnosing text sync)."""
        uri = params.get("uri") if isinstance(params, dict) else getattr(params, "uri", None)
        doc = ls.documents.get(uri) if isinstance(uri, str) else None
        return doc.text if doc else None
