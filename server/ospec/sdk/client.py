"""`Client` and `AsyncClient`: the same methods, one blocking and one async, over one `Core`."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx

from . import files, operations
from .breaker import BreakerSettings
from .config import ClientConfig, Secret, Timeouts, load_config
from .core import MAX_REDIRECTS, Core, Watcher
from .errors import APIError, MissingTokenError
from .models import (
    AgentAssignment,
    AgentStatus,
    ApiKey,
    Artifact,
    CreatedProject,
    DeliveryPage,
    Project,
    ProjectPage,
    Webhook,
)
from .operations import Call
from .retry import RetryPolicy

T = TypeVar("T")
Dest = str | os.PathLike[str]
_CHUNK = 64 * 1024


def _core(
    api_token: str | Secret | None,
    base_url: str | None,
    allow_insecure_http: bool | None,
    retries: RetryPolicy | None,
    timeouts: Timeouts | None,
    circuit_breaker: BreakerSettings | None,
    config: ClientConfig | None,
) -> Core:
    if config is None:
        config = load_config(
            api_url=base_url,
            api_token=api_token,
            allow_insecure_http=allow_insecure_http,
            retries=retries,
            timeouts=timeouts,
            circuit_breaker=circuit_breaker,
        )
    if config.api_token is None:
        raise MissingTokenError(
            "no API token: pass api_token=..., set OSPEC_API_TOKEN, or add api_token to "
            "~/.config/ospec/config.yaml"
        )
    return Core(config, config.api_token)


def _artifact_type(artifact: str | Artifact) -> str:
    return artifact.type if isinstance(artifact, Artifact) else artifact


class _Base:
    _core: Core

    @property
    def base_url(self) -> str:
        return self._core.config.api_url

    @property
    def config(self) -> ClientConfig:
        return self._core.config

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"


class Client(_Base):
    """Blocking client. Settings come from arguments, then the environment, then config files.

    >>> client = Client(api_token="ospec_sk_...", base_url="http://127.0.0.1:8765")
    >>> project = client.create_project(Path("project.ospec.yaml").read_text())
    >>> final = client.wait_for_completion(project.id, timeout=600)
    """

    def __init__(
        self,
        api_token: str | Secret | None = None,
        *,
        base_url: str | None = None,
        allow_insecure_http: bool | None = None,
        retries: RetryPolicy | None = None,
        timeouts: Timeouts | None = None,
        circuit_breaker: BreakerSettings | None = None,
        config: ClientConfig | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._core = _core(
            api_token, base_url, allow_insecure_http, retries, timeouts, circuit_breaker, config
        )
        self._http = httpx.Client(transport=transport, **self._core.http_options())

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the request loop -------------------------------------------------------------------

    def _send(self, call: Call[Any]) -> httpx.Response:
        attempt = 0
        while True:
            attempt += 1
            self._core.breaker.before_call()
            try:
                response = self._follow(call)
            except httpx.TransportError as exc:
                delay = self._core.after_error(call, attempt, exc)
            else:
                if call.stream and response.status_code >= 400:
                    self._read_or_close(response)
                try:
                    delay = self._core.after_response(call, attempt, response)
                except BaseException:
                    response.close()
                    raise
                if delay is None:
                    return response
                response.close()
            time.sleep(delay)

    def _follow(self, call: Call[Any]) -> httpx.Response:
        request = self._core.build(self._http, call)
        for _ in range(MAX_REDIRECTS + 1):
            response = self._http.send(request, stream=call.stream)
            nxt = self._core.redirect(self._http, request, response)
            if nxt is None:
                return response
            response.close()
            request = nxt
        raise APIError("too many redirects", status_code=response.status_code, code="redirects")

    @staticmethod
    def _read_or_close(response: httpx.Response) -> None:
        try:
            response.read()
        except httpx.TransportError:
            response.close()
            raise

    def _run(self, call: Call[T]) -> T:
        response = self._send(call)
        return call.parse(response)

    # --- projects -----------------------------------------------------------------------------

    def create_project(
        self, spec: str | bytes, *, idempotency_key: str | None = None
    ) -> CreatedProject:
        """Submit an OSpec document. Retries reuse one Idempotency-Key, so they never duplicate;
        pass your own key to make repeated calls (e.g. CI re-runs) return the same project."""
        return self._run(operations.create_project(spec, idempotency_key))

    def get_project(self, project_id: str) -> Project:
        return self._run(operations.get_project(project_id))

    def list_projects(
        self, *, status: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> ProjectPage:
        return self._run(operations.list_projects(status, limit, cursor))

    def iter_projects(
        self, *, status: str | None = None, page_size: int = 100
    ) -> Iterator[Project]:
        """Every project, following `next_cursor` page by page."""
        cursor = None
        while True:
            page = self.list_projects(status=status, limit=page_size, cursor=cursor)
            yield from page.projects
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    def get_spec(self, project_id: str) -> str:
        return self._run(operations.get_spec(project_id))

    def watch_project(
        self,
        project_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float = 1.0,
        max_poll_interval: float = 10.0,
    ) -> Iterator[Project]:
        """Yield the project whenever its status, phase or progress changes; stop after
        `deployed` or `failed`. Raises WaitTimeoutError after `timeout` seconds."""
        watch = Watcher(project_id, timeout, poll_interval, max_poll_interval)
        while True:
            project = self.get_project(project_id)
            if watch.changed(project):
                yield project
            if project.is_terminal:
                return
            time.sleep(watch.next_sleep())

    def wait_for_completion(
        self,
        project_id: str,
        timeout: float | None = None,
        on_progress: Callable[[Project], None] | None = None,
        *,
        poll_interval: float = 1.0,
        max_poll_interval: float = 10.0,
    ) -> Project:
        """The final project (check `.status`: `deployed` or `failed`)."""
        last = None
        for last in self.watch_project(
            project_id,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
        ):
            if on_progress is not None:
                on_progress(last)
        assert last is not None
        return last

    # --- agents -------------------------------------------------------------------------------

    def assign_agent(
        self,
        project_id: str,
        role: str,
        agent_id: str,
        capabilities: Sequence[str] = (),
        priority: str = "medium",
    ) -> AgentAssignment:
        return self._run(
            operations.assign_agent(project_id, role, agent_id, capabilities, priority)
        )

    def get_agent_status(self, agent_id: str) -> AgentStatus:
        return self._run(operations.get_agent_status(agent_id))

    # --- artifacts ----------------------------------------------------------------------------

    def get_artifacts(self, project_id: str) -> list[Artifact]:
        return self._run(operations.get_artifacts(project_id))

    def download_artifact(
        self,
        project_id: str,
        artifact: str | Artifact,
        dest: Dest = ".",
        *,
        overwrite: bool = False,
    ) -> Path:
        """Stream an artifact to disk and return its path.

        `dest` is a folder (the server's file name is used, sanitised) or a file path. The data
        goes to a temp file that is renamed into place only when complete; an existing file is
        replaced only with `overwrite=True`. A connection lost mid-body restarts the download,
        within the retry policy."""
        kind = _artifact_type(artifact)
        call = operations.download_artifact(project_id, kind)
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._download_once(call, kind, dest, overwrite)
            except httpx.TransportError as exc:
                delay = self._core.after_body_error(call, attempt, exc)
            time.sleep(delay)

    def _download_once(self, call: Call[Any], kind: str, dest: Dest, overwrite: bool) -> Path:
        response = self._send(call)
        try:
            target = files.resolve_target(
                dest,
                artifact_type=kind,
                content_disposition=response.headers.get("content-disposition"),
                content_type=response.headers.get("content-type"),
                overwrite=overwrite,
            )
            out, temp = files.open_temp(target)
            try:
                with out:
                    for chunk in response.iter_bytes(_CHUNK):
                        out.write(chunk)
            except BaseException:
                files.discard(temp)
                raise
        finally:
            response.close()
        return files.commit(temp, target, overwrite=overwrite)

    # --- webhooks and keys --------------------------------------------------------------------

    def register_webhook(self, url: str, events: Sequence[str], secret: str) -> Webhook:
        return self._run(operations.register_webhook(url, events, secret))

    def list_webhook_deliveries(
        self,
        webhook_id: str,
        *,
        status: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> DeliveryPage:
        return self._run(operations.list_webhook_deliveries(webhook_id, status, limit, cursor))

    def create_api_key(
        self, name: str, scopes: Sequence[str], expires_at: datetime | str | None = None
    ) -> ApiKey:
        return self._run(operations.create_api_key(name, scopes, expires_at))


class AsyncClient(_Base):
    """The asyncio twin of `Client`: same arguments, same methods, awaited."""

    def __init__(
        self,
        api_token: str | Secret | None = None,
        *,
        base_url: str | None = None,
        allow_insecure_http: bool | None = None,
        retries: RetryPolicy | None = None,
        timeouts: Timeouts | None = None,
        circuit_breaker: BreakerSettings | None = None,
        config: ClientConfig | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._core = _core(
            api_token, base_url, allow_insecure_http, retries, timeouts, circuit_breaker, config
        )
        self._http = httpx.AsyncClient(transport=transport, **self._core.http_options())

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # --- the request loop -------------------------------------------------------------------

    async def _send(self, call: Call[Any]) -> httpx.Response:
        attempt = 0
        while True:
            attempt += 1
            self._core.breaker.before_call()
            try:
                response = await self._follow(call)
            except httpx.TransportError as exc:
                delay = self._core.after_error(call, attempt, exc)
            else:
                if call.stream and response.status_code >= 400:
                    await self._read_or_close(response)
                try:
                    delay = self._core.after_response(call, attempt, response)
                except BaseException:
                    await response.aclose()
                    raise
                if delay is None:
                    return response
                await response.aclose()
            await asyncio.sleep(delay)

    async def _follow(self, call: Call[Any]) -> httpx.Response:
        request = self._core.build(self._http, call)
        for _ in range(MAX_REDIRECTS + 1):
            response = await self._http.send(request, stream=call.stream)
            nxt = self._core.redirect(self._http, request, response)
            if nxt is None:
                return response
            await response.aclose()
            request = nxt
        raise APIError("too many redirects", status_code=response.status_code, code="redirects")

    @staticmethod
    async def _read_or_close(response: httpx.Response) -> None:
        try:
            await response.aread()
        except httpx.TransportError:
            await response.aclose()
            raise

    async def _run(self, call: Call[T]) -> T:
        response = await self._send(call)
        return call.parse(response)

    # --- projects -----------------------------------------------------------------------------

    async def create_project(
        self, spec: str | bytes, *, idempotency_key: str | None = None
    ) -> CreatedProject:
        return await self._run(operations.create_project(spec, idempotency_key))

    async def get_project(self, project_id: str) -> Project:
        return await self._run(operations.get_project(project_id))

    async def list_projects(
        self, *, status: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> ProjectPage:
        return await self._run(operations.list_projects(status, limit, cursor))

    async def iter_projects(
        self, *, status: str | None = None, page_size: int = 100
    ) -> AsyncIterator[Project]:
        cursor = None
        while True:
            page = await self.list_projects(status=status, limit=page_size, cursor=cursor)
            for project in page.projects:
                yield project
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    async def get_spec(self, project_id: str) -> str:
        return await self._run(operations.get_spec(project_id))

    async def watch_project(
        self,
        project_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float = 1.0,
        max_poll_interval: float = 10.0,
    ) -> AsyncIterator[Project]:
        watch = Watcher(project_id, timeout, poll_interval, max_poll_interval)
        while True:
            project = await self.get_project(project_id)
            if watch.changed(project):
                yield project
            if project.is_terminal:
                return
            await asyncio.sleep(watch.next_sleep())

    async def wait_for_completion(
        self,
        project_id: str,
        timeout: float | None = None,
        on_progress: Callable[[Project], None] | None = None,
        *,
        poll_interval: float = 1.0,
        max_poll_interval: float = 10.0,
    ) -> Project:
        last = None
        async for last in self.watch_project(
            project_id,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
        ):
            if on_progress is not None:
                on_progress(last)
        assert last is not None
        return last

    # --- agents -------------------------------------------------------------------------------

    async def assign_agent(
        self,
        project_id: str,
        role: str,
        agent_id: str,
        capabilities: Sequence[str] = (),
        priority: str = "medium",
    ) -> AgentAssignment:
        return await self._run(
            operations.assign_agent(project_id, role, agent_id, capabilities, priority)
        )

    async def get_agent_status(self, agent_id: str) -> AgentStatus:
        return await self._run(operations.get_agent_status(agent_id))

    # --- artifacts ----------------------------------------------------------------------------

    async def get_artifacts(self, project_id: str) -> list[Artifact]:
        return await self._run(operations.get_artifacts(project_id))

    async def download_artifact(
        self,
        project_id: str,
        artifact: str | Artifact,
        dest: Dest = ".",
        *,
        overwrite: bool = False,
    ) -> Path:
        """As `Client.download_artifact`; chunks are written as they arrive (local disk writes
        are short enough not to need a thread)."""
        kind = _artifact_type(artifact)
        call = operations.download_artifact(project_id, kind)
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._download_once(call, kind, dest, overwrite)
            except httpx.TransportError as exc:
                delay = self._core.after_body_error(call, attempt, exc)
            await asyncio.sleep(delay)

    async def _download_once(self, call: Call[Any], kind: str, dest: Dest, overwrite: bool) -> Path:
        response = await self._send(call)
        try:
            target = files.resolve_target(
                dest,
                artifact_type=kind,
                content_disposition=response.headers.get("content-disposition"),
                content_type=response.headers.get("content-type"),
                overwrite=overwrite,
            )
            out, temp = files.open_temp(target)
            try:
                with out:
                    async for chunk in response.aiter_bytes(_CHUNK):
                        out.write(chunk)
            except BaseException:
                files.discard(temp)
                raise
        finally:
            await response.aclose()
        return files.commit(temp, target, overwrite=overwrite)

    # --- webhooks and keys --------------------------------------------------------------------

    async def register_webhook(self, url: str, events: Sequence[str], secret: str) -> Webhook:
        return await self._run(operations.register_webhook(url, events, secret))

    async def list_webhook_deliveries(
        self,
        webhook_id: str,
        *,
        status: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> DeliveryPage:
        return await self._run(
            operations.list_webhook_deliveries(webhook_id, status, limit, cursor)
        )

    async def create_api_key(
        self, name: str, scopes: Sequence[str], expires_at: datetime | str | None = None
    ) -> ApiKey:
        return await self._run(operations.create_api_key(name, scopes, expires_at))
