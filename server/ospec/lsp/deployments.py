"""Deploys per document: submit through the SDK, follow the project, report back (edge).

`Deployments.deploy` submits the text with the SDK's AsyncClient and returns once the project
exists; a background task then follows it to `deployed` or `failed`, reporting through
`$/progress`, the lens and `window/showMessage`. Everything is awaited on the event loop (the
HTTP client is async; only building it, which reads config files and CA certificates, runs on a
thread), so the server keeps answering while a deploy runs.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from ..core import Pos, Span
from ..core.yamldoc import split_lines
from ..sdk.errors import OspecError, SpecValidationError
from .deploy_errors import explain
from .deploy_state import (
    DEPLOYED,
    FAILED,
    REJECTED,
    ApiFinding,
    Deployment,
    content_digest,
)
from .documents import OpenDocument
from .lenses import deploy_lenses, errors_reason, status_title
from .server import OspecServer
from .work_progress import WorkProgress

if TYPE_CHECKING:
    from ..sdk import AsyncClient
    from ..sdk.models import CreatedProject

log = logging.getLogger(__name__)

SOURCE = "ospec-deploy"
REQUEST_FAILED = -32803  # LSP ErrorCodes.RequestFailed
# Polling while a project moves; the SDK backs off towards the maximum while nothing changes.
POLL_SECONDS = 0.5
MAX_POLL_SECONDS = 5.0
KEEPS_RUNNING = "the project keeps running on the platform"


class Deployments:
    """Deploy state per document URI, and the task following each document's project."""

    def __init__(self, ls: OspecServer) -> None:
        self.ls = ls
        self.states: dict[str, Deployment] = {}
        self.followers: dict[str, asyncio.Task[None]] = {}

    # -- ospec.deploy -----------------------------------------------------------------------

    async def deploy(self, uri: str, version: int) -> dict[str, Any]:
        doc = self._current(uri, version)
        errors = (await self.ls.analysis(doc)).error_count
        if errors:
            raise JsonRpcException(f"Cannot deploy: {errors_reason(errors)}.", code=REQUEST_FAILED)
        if not await self._confirmed(doc):
            return {"status": "cancelled"}
        doc = self._current(uri, version)  # the text may have changed while the user decided
        text, digest = doc.text, content_digest(uri, doc.text)
        state = self.states.setdefault(uri, Deployment())
        follower = self.followers.get(uri)
        if follower is not None and not follower.done() and state.digest == digest:
            return self._result(state, replayed=True)  # a second click while it deploys
        progress = await WorkProgress.start(
            self.ls, f"Deploying {doc.filename or 'OSpec project'}", "submitting the spec"
        )
        try:
            client = await self._client()
        except OspecError as err:
            return self._failed_early(progress, explain(err))
        return await self._submit(doc, state, client, text, progress)

    async def _submit(
        self,
        doc: OpenDocument,
        state: Deployment,
        client: AsyncClient,
        text: str,
        progress: WorkProgress,
    ) -> dict[str, Any]:
        digest = content_digest(doc.uri, text)
        key, had_findings = state.idempotency_key(digest), bool(state.findings)
        state.submitting(digest)
        self._changed(doc, diagnostics=had_findings)  # the last deploy's findings are gone
        try:
            created = await client.create_project(text, idempotency_key=key)
        except BaseException as err:
            await client.aclose()
            if isinstance(err, SpecValidationError):
                return self._rejected(doc, state, progress, err, split_lines(text))
            if isinstance(err, OspecError):
                state.rejected([], explain(err, client.base_url, client.config.sources))
                self._changed(doc)
                return self._failed_early(progress, state.error or "")
            raise
        return self._follow(doc, state, client, created, progress)

    def _current(self, uri: str, version: int) -> OpenDocument:
        doc = self.ls.documents.get(uri)
        if doc is None:
            raise JsonRpcException(f"Cannot deploy: {uri} is not open.", code=REQUEST_FAILED)
        if doc.version != version:
            raise JsonRpcException(
                f"Not deployed: the document changed since this action was offered (version "
                f"{version}, now {doc.version}). Run Deploy again.",
                code=REQUEST_FAILED,
            )
        return doc

    async def _confirmed(self, doc: OpenDocument) -> bool:
        """Ask first when ospec.deploy.confirm is on and the client can ask (else invoking the
        action was the user's decision)."""
        if not (self.ls.settings.deploy_confirm and self.ls.client.message_requests):
            return True
        try:
            answer = await self.ls.window_show_message_request_async(
                types.ShowMessageRequestParams(
                    type=types.MessageType.Info,
                    message=f"Deploy {doc.filename or 'this spec'} to the OSpec platform?",
                    actions=[types.MessageActionItem("Deploy"), types.MessageActionItem("Cancel")],
                )
            )
        except Exception as err:  # asked for a confirmation we cannot get: do not deploy
            log.info("window/showMessageRequest failed: %s", err)
            self._show(
                types.MessageType.Warning,
                "Not deployed: the editor could not ask for the confirmation that "
                "ospec.deploy.confirm requires.",
            )
            return False
        return answer is not None and answer.title == "Deploy"

    async def _client(self) -> AsyncClient:
        from ..sdk import AsyncClient

        settings = self.ls.settings
        # load_config reads config files and httpx loads CA certificates: not on the loop.
        return await asyncio.to_thread(
            AsyncClient, api_token=settings.api_token, base_url=settings.api_url
        )

    def _failed_early(self, progress: WorkProgress, message: str) -> dict[str, Any]:
        log.warning("deploy failed: %s", message)
        progress.end(message)
        self._show(types.MessageType.Error, message)
        return {"status": "error", "message": message}

    def _rejected(
        self,
        doc: OpenDocument,
        state: Deployment,
        progress: WorkProgress,
        err: SpecValidationError,
        submitted: list[str],
    ) -> dict[str, Any]:
        findings = [ApiFinding.of(f, submitted) for f in err.errors]
        lines = ", ".join(str(f.line) for f in findings[:5]) + ("…" if len(findings) > 5 else "")
        message = (
            f"The OSpec API rejected the spec: {len(findings)} error"
            f"{'s' if len(findings) != 1 else ''} (line {lines}), shown as {SOURCE} problems."
        )
        state.rejected(findings, message)
        self._changed(doc, diagnostics=True)
        progress.end(message)
        self._show(types.MessageType.Error, message)
        return {"status": REJECTED, "message": message}

    # -- following --------------------------------------------------------------------------

    def _follow(
        self,
        doc: OpenDocument,
        state: Deployment,
        client: AsyncClient,
        created: CreatedProject,
        progress: WorkProgress,
    ) -> dict[str, Any]:
        uri, current = doc.uri, self.followers.get(doc.uri)
        if current is not None and not current.done():
            if state.project_id == created.project_id:  # clicks raced to the same project
                progress.end(f"Already deploying {created.project_id}.")
                self.ls.spawn(client.aclose())
                return self._result(state, replayed=True)
            current.cancel()  # a newer text replaces the one followed; that project keeps going
        state.created(created)
        state.url = f"{client.base_url}/api/v1/projects/{created.project_id}"
        state.following = True
        self._changed(doc)
        earlier = " (created earlier from this same text)" if created.replayed else " created"
        self._show(
            types.MessageType.Info,
            f"Deploying {created.name or doc.filename}: project {created.project_id}{earlier}.",
        )
        task = self.ls.spawn(self._watch(uri, state, client, created.project_id, progress))
        self.followers[uri] = task
        progress.on_cancel(task.cancel)
        return self._result(state, replayed=created.replayed)

    async def _watch(
        self,
        uri: str,
        state: Deployment,
        client: AsyncClient,
        project_id: str,
        progress: WorkProgress,
    ) -> None:
        try:
            async for project in client.watch_project(
                project_id, poll_interval=POLL_SECONDS, max_poll_interval=MAX_POLL_SECONDS
            ):
                state.update(project)
                progress.report(f"{project.current_phase} {project.percent}%", project.percent)
                self._changed(self.ls.documents.get(uri))
        except asyncio.CancelledError:
            message = f"Stopped following {project_id}; {KEEPS_RUNNING}."
            progress.end(message)
            self._show(types.MessageType.Info, message)
            raise
        except OspecError as err:
            why = explain(err, client.base_url, client.config.sources)
            message = (
                f"Lost track of {project_id}: {why} ({KEEPS_RUNNING}; ospec.status checks again)"
            )
            progress.end(message)
            self._show(types.MessageType.Warning, message)
        else:
            self._finished(state, progress)
        finally:
            if self.followers.get(uri) is asyncio.current_task():  # not replaced by a newer one
                state.following = False
                self._changed(self.ls.documents.get(uri))
            await asyncio.shield(client.aclose())

    def _finished(self, state: Deployment, progress: WorkProgress) -> None:
        project_id = state.project_id or ""
        if state.status == DEPLOYED:
            message = f"Deployed {state.name or project_id}: project {project_id} is deployed."
            kind = types.MessageType.Info
        else:
            message = (
                f"Deploy of {state.name or project_id} failed: project {project_id} "
                f"{state.status} in {state.phase}" + (f": {state.error}" if state.error else ".")
            )
            kind = types.MessageType.Error
        progress.end(message)
        if state.url and self.ls.client.show_document and self.ls.client.message_requests:
            self.ls.spawn(self._offer_open(kind, message, state.url))
        else:
            self._show(kind, message)

    async def _offer_open(self, kind: types.MessageType, message: str, url: str) -> None:
        try:
            answer = await self.ls.window_show_message_request_async(
                types.ShowMessageRequestParams(
                    type=kind, message=message, actions=[types.MessageActionItem("Open project")]
                )
            )
        except Exception as err:  # the client could not ask: the message alone, then
            log.info("window/showMessageRequest failed: %s", err)
            self._show(kind, message)
            return
        if answer is not None and answer.title == "Open project":
            await self.ls.window_show_document_async(
                types.ShowDocumentParams(uri=url, external=True)
            )

    # -- ospec.status -------------------------------------------------------------------------

    async def status(self, uri: str) -> dict[str, Any]:
        """Fetch the document's project again; show and return where it stands."""
        state = self.states.get(uri)
        if state is None or state.project_id is None:
            message = "Not deployed from this editor yet: use the Deploy action or lens."
            if state is not None and state.status == REJECTED:
                message = state.error or message
            self._show(types.MessageType.Info, message)
            return {"status": state.status if state else "idle", "message": message}
        if not state.following:
            if (problem := await self._refresh(state, state.project_id)) is not None:
                self._show(types.MessageType.Warning, problem)
                return {**self._result(state), "message": problem}
            self._changed(self.ls.documents.get(uri))
        title = status_title(state, time.time())
        detail = f": {state.error}" if state.status == FAILED and state.error else ""
        self._show(types.MessageType.Info, f"{state.project_id}: {title}{detail}")
        return {**self._result(state), "lens": title}

    async def _refresh(self, state: Deployment, project_id: str) -> str | None:
        """Fetch the project into the state; the problem, if that failed."""
        try:
            client = await self._client()
        except OspecError as err:
            return explain(err)
        try:
            state.update(await client.get_project(project_id))
        except OspecError as err:
            return explain(err, client.base_url, client.config.sources)
        finally:
            await client.aclose()
        return None

    # -- lens, diagnostics, messages ------------------------------------------------------------

    async def lenses(self, doc: OpenDocument) -> list[types.CodeLens]:
        errors = (await self.ls.analysis(doc)).error_count
        top = types.Range(start=types.Position(0, 0), end=types.Position(0, 0))
        found = deploy_lenses(
            self.states.get(doc.uri),
            doc.uri,
            doc.version,
            errors,
            content_digest(doc.uri, doc.text),
            time.time(),
        )
        return [
            types.CodeLens(
                range=top,
                command=types.Command(
                    title=lens.title, command=lens.command, arguments=lens.arguments
                ),
            )
            for lens in found
        ]

    def diagnostics(self, doc: OpenDocument) -> list[types.Diagnostic]:
        """The API's findings from the last deploy, each while the line it names is unchanged
        (an edit there may have fixed it, and after lines move its position means nothing);
        the next deploy replaces them all."""
        state = self.states.get(doc.uri)
        if state is None or not state.findings:
            return []
        lines, units = doc.lines, self.ls.units
        return [
            types.Diagnostic(
                range=units.range(lines, _span(f)),
                message=f.message,
                severity=types.DiagnosticSeverity.Error,
                code=f.code,
                source=SOURCE,
            )
            for f in state.findings
            if f.still_applies(lines)
        ]

    def _changed(self, doc: OpenDocument | None, *, diagnostics: bool = False) -> None:
        """Tell the client to ask again for lenses (and diagnostics when they changed)."""
        if self.ls.client.code_lens_refresh:
            self.ls.spawn(self._ask(self.ls.workspace_code_lens_refresh_async(None)))
        if not diagnostics or doc is None:
            return
        # A new report without a new version: pull clients need a new result id.
        self.ls.settings_generation += 1
        if not self.ls.client.pull_diagnostics:
            self.ls.schedule(doc)
        elif self.ls.client.diagnostic_refresh:
            self.ls.spawn(self._ask(self.ls.workspace_diagnostic_refresh_async(None)))

    @staticmethod
    async def _ask(request: Any) -> None:
        try:
            await request
        except Exception as err:  # a refresh the client cannot do is not worth a failure
            log.debug("refresh request failed: %s", err)

    def _show(self, kind: types.MessageType, message: str) -> None:
        self.ls.window_show_message(types.ShowMessageParams(type=kind, message=message))

    @staticmethod
    def _result(state: Deployment, *, replayed: bool = False) -> dict[str, Any]:
        return {
            "projectId": state.project_id,
            "status": state.status,
            "phase": state.phase,
            "percent": state.percent,
            "replayed": replayed,
            "url": state.url,
            "updatedAt": datetime.fromtimestamp(state.changed_at, timezone.utc).isoformat(),
        }


def _span(f: ApiFinding) -> Span:
    return Span(Pos(f.line - 1, f.column - 1), Pos(f.end_line - 1, f.end_column - 1))
