"""OspecServer: document state, settings and per-version analysis for the handlers (edge)."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from lsprotocol import types
from pygls.capabilities import ServerCapabilitiesBuilder
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from .. import __version__
from ..checker import analyzer_for, files_next_to
from ..core import Analysis, Analyzer
from ..core.yamldoc import Mapping, Pair, Sequence
from .capabilities import ClientFeatures
from .convert import Units, diagnostic
from .documents import Documents, OpenDocument
from .protocol_logs import is_refusal
from .settings import SECTION, Settings

log = logging.getLogger(__name__)

# Documents larger than this are analysed on a worker thread so the event loop keeps
# answering other requests; smaller ones finish faster than a thread hand-off is worth.
THREAD_THRESHOLD_CHARS = 64_000
# No debounce while analysis is cheap; past this cost, wait a fraction of it for more typing.
DEBOUNCE_FREE_SECONDS = 0.05
MAX_DEBOUNCE_SECONDS = 0.15
SWITCH_INTERVAL_SECONDS = 0.0005


_gc_lock = threading.Lock()
_gc_holds = 0


def _without_gc(job: Callable[[], Analysis]) -> Callable[[], Analysis]:
    """Run job with the cyclic garbage collector paused.

    A large analysis allocates hundreds of thousands of objects, which triggers full
    collections that walk every object of the process (over 100 ms each at 20,000 lines) while
    holding the GIL, so the event loop could not answer anything meanwhile. The trees hold no
    reference cycles: reference counting frees them without the collector.
    """

    def run() -> Analysis:
        global _gc_holds
        with _gc_lock:
            _gc_holds += 1
            gc.disable()
        try:
            return job()
        finally:
            with _gc_lock:
                _gc_holds -= 1
                if not _gc_holds:
                    # Move what exists now (the new tree) out of later collections, so that
                    # none of them walks it; it is still freed by reference counting.
                    gc.freeze()
                    gc.enable()

    return run


def _free_gradually(held: list[Analysis]) -> None:
    """Free the analysis in `held` a small subtree at a time (on a worker thread).

    Dropping the last reference to a large tree frees it in one C-level cascade that holds
    the GIL for tens of milliseconds, so no other thread (the event loop) runs meanwhile.
    Holding the top levels here and releasing them one by one splits that into short steps
    between which the interpreter may switch threads. Nodes shared with a newer analysis
    (incremental analyses share untouched subtrees) are only released, never changed.
    """
    analysis = held.pop()
    pieces: list[Any] = []
    frontier: list[Any] = [analysis.doc.root, analysis.doc.data]
    for _ in range(4):
        deeper: list[Any] = []
        for obj in frontier:
            if isinstance(obj, Mapping):
                deeper.extend(obj.pairs)
            elif isinstance(obj, Pair):
                deeper.append(obj.value)
            elif isinstance(obj, Sequence):
                deeper.extend(obj.items)
            elif isinstance(obj, dict):
                deeper.extend(obj.values())
            elif isinstance(obj, list):
                deeper.extend(obj)
        pieces.extend(deeper)
        frontier = deeper
    del analysis, frontier, deeper, obj
    for i in range(len(pieces)):  # outermost first: each step frees one small subtree
        pieces[i] = None


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
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._cost: dict[str, float] = {}
        # The latest analysis of each open document: the next version splices from it.
        self._last: dict[str, Analysis] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        # While a large document is analysed on a worker thread, each hop of a request through
        # the event loop waits for the GIL; at the default 5 ms switch interval a hover on
        # another document took 50-100 ms, at 0.5 ms it takes a few (see tests/benchmarks).
        sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
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

    def analyzer_for(self, doc: OpenDocument) -> Analyzer:
        """The spec analyzer, or the configuration file's for .ospec/config.yaml."""
        return self._analyzer_and_name(doc)[0]

    def _analyzer_and_name(self, doc: OpenDocument) -> tuple[Analyzer, str | None]:
        where = doc.path or doc.filename  # a file's path; the name of an unsaved document
        return analyzer_for(PurePosixPath(where) if where else None)

    async def _analyze(self, doc: OpenDocument) -> Analysis:
        text, uri = doc.text, doc.uri
        path = Path(doc.path) if doc.path else None
        previous = self._last.get(uri)
        chosen, filename = self._analyzer_and_name(doc)
        job: Callable[[], Analysis] = lambda: chosen.analyze(  # noqa: E731
            text,
            filename=filename,
            options=self.settings.options,
            file_exists=files_next_to(path) if path else None,
            previous=previous,
        )
        started = time.perf_counter()
        if len(text) > THREAD_THRESHOLD_CHARS:
            result = await asyncio.get_running_loop().run_in_executor(None, _without_gc(job))
        else:
            result = job()
        self._cost[uri] = time.perf_counter() - started
        if self.documents.get(uri) is doc:
            self._release(self._last.get(uri))
            self._last[uri] = result
        log.debug(
            "analysed %s@%s in %.1f ms (%s)",
            uri,
            doc.version,
            self._cost[uri] * 1000,
            f"re-parsed {result.spliced}" if result.spliced is not None else "whole",
        )
        return result

    def _release(self, analysis: Analysis | None) -> None:
        """Drop an old analysis of a large document on a worker thread: freeing a tree of
        hundreds of thousands of nodes takes tens of milliseconds."""
        if analysis is not None and len(analysis.doc.text) > THREAD_THRESHOLD_CHARS:
            held = [analysis]
            del analysis
            asyncio.get_running_loop().run_in_executor(None, _free_gradually, held)

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
        self._release(self._last.pop(uri, None))
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
        if is_refusal(error):  # the client has the answer; the log needs one line, not a traceback
            log.info("refused a request: %s", error)
            return
        # Internal errors go to the log (stderr), never to the user as popups.
        log.error(
            "internal error (%s): %s", getattr(source, "__name__", source), error, exc_info=error
        )
