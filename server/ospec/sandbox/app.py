"""HTTP routes; handlers parse, authorize and delegate to the domain modules (edge)."""

from __future__ import annotations

import asyncio
import copy
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ospec.api_terms import EVENTS, SCOPES
from ospec.sandbox import agents, artifacts, auth, bodies, projects, specs, webhooks
from ospec.sandbox.auth import Principal, requires
from ospec.sandbox.config import Settings, parse_iso
from ospec.sandbox.errors import EXCEPTION_HANDLERS, ApiError
from ospec.sandbox.faults import FaultConfig, FaultMiddleware, Faults
from ospec.sandbox.lifecycle import Lifecycle
from ospec.sandbox.limits import BodyLimitMiddleware, RateLimiter
from ospec.sandbox.pagination import choice_of, limit_of
from ospec.sandbox.store import Store

log = logging.getLogger(__name__)

IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
DELIVERY_STATUSES = ("pending", "delivered", "failed", "cancelled")


@dataclass
class Sandbox:
    """Everything a request handler may need, created when the app starts."""

    settings: Settings
    store: Store
    faults: Faults
    limiter: RateLimiter
    lifecycle: Lifecycle
    deliveries: webhooks.DeliveryWorker


def sandbox_of(request: Request) -> Sandbox:
    found: Sandbox = request.app.state.sandbox
    return found


# --- projects -------------------------------------------------------------------------------


@requires("projects:create")
async def create_project(request: Request, principal: Principal) -> Response:
    sb = sandbox_of(request)
    body = await bodies.read(request, bodies.YAML_TYPES)
    idem_key = request.headers.get("idempotency-key")
    if idem_key is not None and not IDEMPOTENCY_KEY.match(idem_key):
        raise ApiError(
            400, "invalid_parameter", "Idempotency-Key must be 1-255 visible ASCII characters"
        )
    digest = projects.request_hash(body)
    if idem_key is not None:
        stored = projects.replay(sb.store, principal.key_id, idem_key, digest)
        if stored is not None:
            return _created(stored, replayed=True)
    text = bodies.text_of(body)
    findings, facts = await run_in_threadpool(_analyze, text)
    response, created = projects.create(
        sb.store,
        text=text,
        facts=facts,
        findings=findings,
        phase_seconds=sb.settings.phase_seconds,
        key_id=principal.key_id,
        idem_key=idem_key,
        request_hash=digest,
    )
    if created:
        sb.lifecycle.add(response["project_id"], time.time())
        sb.deliveries.wake()
    return _created(response, replayed=not created)


def _analyze(text: str) -> tuple[list[dict[str, Any]], specs.SpecFacts]:
    return specs.validate(text), specs.facts_of(text)


def _created(body: dict[str, Any], *, replayed: bool) -> Response:
    headers = {"Location": f"/api/v1/projects/{body['project_id']}"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(body, 201, headers)


@requires("projects:read")
async def list_projects(request: Request, principal: Principal) -> Response:
    status = choice_of(request, "status", projects.STATUSES)
    page = projects.page(
        sandbox_of(request).store, status, limit_of(request), request.query_params.get("cursor")
    )
    return JSONResponse(page)


@requires("projects:read")
async def get_project(request: Request, principal: Principal) -> Response:
    return JSONResponse(projects.one(sandbox_of(request).store, request.path_params["project_id"]))


@requires("projects:read")
async def get_spec(request: Request, principal: Principal) -> Response:
    row = projects.get_row(sandbox_of(request).store, request.path_params["project_id"])
    return Response(row["spec_text"], media_type="application/yaml; charset=utf-8")


# --- agents ---------------------------------------------------------------------------------


@requires("agents:write")
async def assign_agent(request: Request, principal: Principal) -> Response:
    sb = sandbox_of(request)
    project_id, role = request.path_params["project_id"], request.path_params["role"]
    projects.get_row(sb.store, project_id)
    if role not in agents.ROLES:
        raise ApiError(
            422,
            "invalid_role",
            f"role must be one of: {', '.join(agents.ROLES)}",
            allowed=list(agents.ROLES),
        )
    body = await bodies.read_json(request)
    return JSONResponse(agents.assign(sb.store, project_id, role, body))


@requires("agents:read")
async def agent_status(request: Request, principal: Principal) -> Response:
    agent_id = request.path_params["agent_id"]
    return JSONResponse(agents.status(sandbox_of(request).store, agent_id, time.time()))


# --- artifacts ------------------------------------------------------------------------------


@requires("projects:read")
async def list_artifacts(request: Request, principal: Principal) -> Response:
    store = sandbox_of(request).store
    project_id = request.path_params["project_id"]
    projects.get_row(store, project_id)
    return JSONResponse(
        {"project_id": project_id, "artifacts": artifacts.listing(store, project_id)}
    )


@requires("artifacts:download")
async def download_artifact(request: Request, principal: Principal) -> Response:
    store = sandbox_of(request).store
    project_id, kind = request.path_params["project_id"], request.path_params["artifact_type"]
    project = projects.get_row(store, project_id)
    if kind not in artifacts.KINDS:
        raise ApiError(
            404,
            "artifact_not_found",
            f"unknown artifact type {kind!r}; types are: {', '.join(artifacts.KINDS)}",
        )
    row = artifacts.fetch(store, project_id, kind)
    if row is None:
        raise ApiError(
            404, "artifact_not_found", f"project {project_id} has no {kind} artifact (yet)"
        )
    spec = artifacts.KINDS[kind]
    stem = re.sub(r"[^A-Za-z0-9._-]", "-", project["spec_id"]) or "project"
    return Response(
        bytes(row["content"]),
        media_type=spec.content_type,
        headers={"Content-Disposition": f'attachment; filename="{stem}-{spec.suffix}"'},
    )


# --- webhooks -------------------------------------------------------------------------------


@requires("webhooks:write")
async def create_webhook(request: Request, principal: Principal) -> Response:
    sb = sandbox_of(request)
    body = await bodies.read_json(request)
    bodies.check_fields(body, {"url", "events", "secret"}, {"url", "events", "secret"})
    url = webhooks.check_url(body["url"], sb.settings.webhook_allow_hosts)
    events = bodies.choices(body, "events", EVENTS)
    secret = bodies.string(body, "secret", 256)
    hook = webhooks.create(sb.store, url, events, secret, principal.key_id)
    return JSONResponse(hook, 201, {"Location": f"/api/v1/webhooks/{hook['webhook_id']}"})


@requires("webhooks:write")
async def list_webhooks(request: Request, principal: Principal) -> Response:
    rows = sandbox_of(request).store.all(
        "SELECT * FROM webhooks WHERE deleted_at IS NULL ORDER BY seq"
    )
    return JSONResponse({"webhooks": [webhooks.webhook_json(row) for row in rows]})


@requires("webhooks:write")
async def get_webhook(request: Request, principal: Principal) -> Response:
    row = webhooks.get_row(sandbox_of(request).store, request.path_params["webhook_id"])
    return JSONResponse(webhooks.webhook_json(row))


@requires("webhooks:write")
async def delete_webhook(request: Request, principal: Principal) -> Response:
    webhooks.delete(sandbox_of(request).store, request.path_params["webhook_id"])
    return Response(status_code=204)


@requires("webhooks:write")
async def list_deliveries(request: Request, principal: Principal) -> Response:
    store = sandbox_of(request).store
    webhook_id = request.path_params["webhook_id"]
    if store.one("SELECT 1 FROM webhooks WHERE id = ?", (webhook_id,)) is None:
        raise ApiError(404, "webhook_not_found", f"no webhook {webhook_id}")
    page = webhooks.deliveries_page(
        store,
        webhook_id,
        choice_of(request, "status", DELIVERY_STATUSES),
        limit_of(request),
        request.query_params.get("cursor"),
    )
    return JSONResponse(page)


# --- API keys -------------------------------------------------------------------------------


@requires(auth.ADMIN)
async def create_api_key(request: Request, principal: Principal) -> Response:
    body = await bodies.read_json(request)
    bodies.check_fields(body, {"name", "scopes", "expires_at"}, {"name", "scopes"})
    name = bodies.string(body, "name", 100)
    scopes = bodies.choices(body, "scopes", SCOPES)
    expires_at = None
    raw = body.get("expires_at")
    if raw is not None:
        try:
            expires_at = parse_iso(raw) if isinstance(raw, str) else None
        except ValueError:
            expires_at = None
        if expires_at is None:
            raise ApiError(422, "invalid_request", "expires_at must be an RFC 3339 timestamp")
        if expires_at <= time.time():
            raise ApiError(422, "invalid_request", "expires_at must be in the future")
    key, secret = auth.create_key(sandbox_of(request).store, name, scopes, expires_at)
    return JSONResponse({**key, "api_key": secret}, 201)


@requires(auth.ADMIN)
async def list_api_keys(request: Request, principal: Principal) -> Response:
    rows = sandbox_of(request).store.all("SELECT * FROM api_keys ORDER BY created_at, id")
    return JSONResponse({"api_keys": [auth.key_json(row) for row in rows]})


@requires(auth.ADMIN)
async def revoke_api_key(request: Request, principal: Principal) -> Response:
    store = sandbox_of(request).store
    key_id = request.path_params["api_key_id"]
    row = store.one("SELECT bootstrap FROM api_keys WHERE id = ?", (key_id,))
    if row is None:
        raise ApiError(404, "api_key_not_found", f"no API key {key_id}")
    if row["bootstrap"]:
        raise ApiError(
            409,
            "cannot_revoke_bootstrap_key",
            "the bootstrap admin key cannot be revoked; restart with --reset-admin-key instead",
        )
    with store.transaction():
        store.execute(
            "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?",
            (time.time(), key_id),
        )
    return Response(status_code=204)


# --- sandbox-only fault controls ------------------------------------------------------------


@requires(auth.ADMIN)
async def get_faults(request: Request, principal: Principal) -> Response:
    return JSONResponse(sandbox_of(request).faults.to_json())


@requires(auth.ADMIN)
async def set_faults(request: Request, principal: Principal) -> Response:
    faults = sandbox_of(request).faults
    faults.config = FaultConfig.from_json(await bodies.read_json(request))
    return JSONResponse(faults.to_json())


@requires(auth.ADMIN)
async def clear_faults(request: Request, principal: Principal) -> Response:
    sandbox_of(request).faults.config = FaultConfig()
    return Response(status_code=204)


ROUTES = [
    Route("/api/v1/projects", create_project, methods=["POST"]),
    Route("/api/v1/projects", list_projects, methods=["GET"]),
    Route("/api/v1/projects/{project_id}", get_project, methods=["GET"]),
    Route("/api/v1/projects/{project_id}/spec", get_spec, methods=["GET"]),
    Route("/api/v1/projects/{project_id}/agents/{role}", assign_agent, methods=["PUT"]),
    Route("/api/v1/projects/{project_id}/artifacts", list_artifacts, methods=["GET"]),
    Route(
        "/api/v1/projects/{project_id}/artifacts/{artifact_type}",
        download_artifact,
        methods=["GET"],
    ),
    Route("/api/v1/agents/{agent_id}/status", agent_status, methods=["GET"]),
    Route("/api/v1/webhooks", create_webhook, methods=["POST"]),
    Route("/api/v1/webhooks", list_webhooks, methods=["GET"]),
    Route("/api/v1/webhooks/{webhook_id}", get_webhook, methods=["GET"]),
    Route("/api/v1/webhooks/{webhook_id}", delete_webhook, methods=["DELETE"]),
    Route("/api/v1/webhooks/{webhook_id}/deliveries", list_deliveries, methods=["GET"]),
    Route("/api/v1/auth/api-keys", create_api_key, methods=["POST"]),
    Route("/api/v1/auth/api-keys", list_api_keys, methods=["GET"]),
    Route("/api/v1/auth/api-keys/{api_key_id}", revoke_api_key, methods=["DELETE"]),
    Route("/api/v1/_sandbox/faults", get_faults, methods=["GET"]),
    Route("/api/v1/_sandbox/faults", set_faults, methods=["POST"]),
    Route("/api/v1/_sandbox/faults", clear_faults, methods=["DELETE"]),
]


async def _supervise(name: str, run: Callable[[], Awaitable[None]]) -> None:
    """Keep a background loop alive: log a crash and start it again."""
    while True:
        try:
            await run()
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s crashed; restarting it in a second", name)
            await asyncio.sleep(1)


def create_app(settings: Settings) -> Starlette:
    """The ASGI app; opening the database and starting the simulation wait for startup."""
    faults = Faults(copy.deepcopy(settings.faults))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        store = Store.open(settings.db_path)
        worker = webhooks.DeliveryWorker(store, settings)
        lifecycle = Lifecycle(store, settings.checkpoint_seconds, worker.wake)
        resumed = lifecycle.resume(time.time())
        if resumed:
            log.warning("resumed %d project(s) in flight", resumed)
        app.state.sandbox = Sandbox(
            settings=settings,
            store=store,
            faults=faults,
            limiter=RateLimiter(settings.rate_limit, settings.rate_burst),
            lifecycle=lifecycle,
            deliveries=worker,
        )
        tasks = [
            asyncio.create_task(_supervise("lifecycle", lifecycle.run)),
            asyncio.create_task(_supervise("webhook deliveries", worker.run)),
        ]
        try:
            yield
        finally:
            lifecycle.stop()
            worker.stop()
            _, late = await asyncio.wait(tasks, timeout=5)
            for task in late:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            store.close()

    app = Starlette(
        routes=ROUTES,
        middleware=[
            Middleware(FaultMiddleware, faults=faults),
            Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False  # a redirect would not be a JSON answer
    return app
