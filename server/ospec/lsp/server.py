"""OspecServer: document state, settings and per-version analysis for the handlers (edge)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.capabilities import ServerCapabilitiesBuilder
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from .. import __version__
from ..checker import analyzer, files_next_to
from ..core import Analysis
from .capabilities import ClientFeatures
from .convert import Units, diagnostic
from .documents import Documents, OpenDocument
from .settings import SECTION, Settings

log = logging.getLogger(__name__)

# Documents larger than this are analysed on a worker thread so the event loop keeps
# answering other requests; smaller ones finish faster than a thread hand-off is worth.
THREAD_THRESHOLD_CHARS = 64_000
# No debounce while analysis is cheap; past this cost, wait a fraction of it for more typing.
DEBOUNCE_FREE_SECONDS = 0.05
MAX_DEBOUNCE_SECONDS = 0.15


class OspecProtocol(LanguageServerProtocol):
    """Text sync goes to our own document store (see documents.py), not pygls's workspace."""

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> Any:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Any:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) -> Any:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None


class OspecServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("ospec-lsp", __version__, protocol_cls=OspecProtocol)
        self.documents = Documents()
        self.units = Units()
        self.client = ClientFeatures()
        self.settings = Settings()
        self.settings_generation = 0
        self.analyzer = analyzer()
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._cost: dict[str, float] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        # Findings from outside the analysis (the API's, after a deploy), added to each report.
        self.diagnostic_extras: list[Callable[[OpenDocument], list[types.Diagnostic]]] = []

    # -- session -------------------------------------------------------------------------

    def start_session(self, params: types.InitializeParams) -> None:
        self.client = ClientFeatures.of(params.capabilities)
        self.units = Units(ServerCapabilitiesBuilder.choose_position_encoding(params.capabilities))
        self.apply_settings(params.initialization_options)

    def apply_settings(self, raw: Any) -> None:
        settings, problem = Settings.parse(raw)
        if problem:
            log.warning("%s", problem)
            self.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Warning, message=problem)
            )
        if settings != self.settings:
            self.settings = settings
            self.settings_generation += 1
            self.refresh_all()

    async def fetch_settings(self) -> None:
        if not self.client.configuration:
            return
        result = await self.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
        )
        if result and result[0] is not None:
            self.apply_settings(result[0])

    # -- analysis --------------------------------------------------------------------------

    async def analysis(self, doc: OpenDocument) -> Analysis:
        """The analysis of the document's current version, computed at most once per version."""
        cached = doc.cache.get("analysis")
        if cached is None:
            cached = asyncio.ensure_future(self._analyze(doc))
            doc.cache["analysis"] = cached
        return await asyncio.shield(cached)

    async def _analyze(self, doc: OpenDocument) -> Analysis:
        text, uri = doc.text, doc.uri
        path = Path(doc.path) if doc.path else None
        job: Callable[[], Analysis] = lambda: self.analyzer.analyze(  # noqa: E731
            text,
            filename=doc.filename,
            options=self.settings.options,
            file_exists=files_next_to(path) if path else None,
        )
        started = time.perf_counter()
        if len(text) > THREAD_THRESHOLD_CHARS:
            result = await asyncio.get_running_loop().run_in_executor(None, job)
        else:
            result = job()
        self._cost[uri] = time.perf_counter() - started
        log.debug("analysed %s@%s in %.1f ms", uri, doc.version, self._cost[uri] * 1000)
        return result

    # -- diagnostics ------------------------------------------------------------------------

    def schedule(self, doc: OpenDocument) -> None:
        """Publish diagnostics for this version soon; a newer edit cancels the wait."""
        if self.client.pull_diagnostics:
            return
        if (old := self._pending.pop(doc.uri, None)) is not None:
            old.cancel()
        cost = self._cost.get(doc.uri, 0.0)
        delay = 0.0 if cost < DEBOUNCE_FREE_SECONDS else min(MAX_DEBOUNCE_SECONDS, cost / 4)
        task = self.spawn(self._publish_later(doc.uri, doc.version, delay))
        self._pending[doc.uri] = task

    async def _publish_later(self, uri: str, version: int, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        doc = self.documents.get(uri)
        if doc is None or doc.version != version:
            return
        analysis = await self.analysis(doc)
        current = self.documents.get(uri)
        if current is not doc or doc.version != version:
            return  # the document changed while we worked: never publish stale findings
        self._pending.pop(uri, None)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, diagnostics=self.diagnostics(doc, analysis), version=version
            )
        )

    def diagnostics(self, doc: OpenDocument, analysis: Analysis) -> list[types.Diagnostic]:
        lines = analysis.doc.lines
        found = [diagnostic(f, lines, self.units) for f in analysis.findings]
        return found + [d for extra in self.diagnostic_extras for d in extra(doc)]

    def clear(self, uri: str) -> None:
        if (old := self._pending.pop(uri, None)) is not None:
            old.cancel()
        self._cost.pop(uri, None)
        if not self.client.pull_diagnostics:
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )

    def refresh_all(self) -> None:
        """Settings changed: recompute every open document."""
        for doc in self.documents:
            doc.cache.clear()
            self.schedule(doc)
        if self.client.pull_diagnostics and self.client.diagnostic_refresh:
            self.workspace_diagnostic_refresh(None)

    # -- plumbing ---------------------------------------------------------------------------

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        """Run a task we don't await, keeping a reference and logging its failure."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (err := task.exception()) is not None:
            log.error("background task failed", exc_info=err)

    def report_server_error(self, error: Exception, source: Any) -> None:
        # Internal errors go to the log (stderr), never to the user as popups.
        log.error(
            "internal error (%s): %s", getattr(source, "__name__", source), error, exc_info=error
        )
