"""Each API operation as data (method, path, body, parser), so both clients share one definition."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx

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
    WebhookDelivery,
)

T = TypeVar("T")
API = "/api/v1"


@dataclass(frozen=True)
class Call(Generic[T]):
    """One request and how to read its answer; `idempotency_key` also makes a POST retry-safe."""

    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    params: dict[str, Any] | None = None
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    idempotency_key: str | None = None
    stream: bool = False


def _seg(value: str) -> str:
    """One path segment, escaped, so an id can never change which route is called."""
    if not isinstance(value, str) or not value:
        raise ValueError("ids must be non-empty strings")
    return quote(value, safe="")


def _json(response: httpx.Response) -> dict[str, Any]:
    data = response.json()
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    return data


def new_idempotency_key() -> str:
    return f"ospec-py-{uuid.uuid4()}"


def create_project(spec: str | bytes, idempotency_key: str | None) -> Call[CreatedProject]:
    body = spec.encode("utf-8") if isinstance(spec, str) else bytes(spec)
    return Call(
        "POST",
        f"{API}/projects",
        lambda r: CreatedProject.from_json(
            _json(r), replayed=r.headers.get("idempotent-replayed") == "true"
        ),
        content=body,
        headers={"Content-Type": "application/yaml"},
        idempotency_key=idempotency_key or new_idempotency_key(),
    )


def get_project(project_id: str) -> Call[Project]:
    return Call("GET", f"{API}/projects/{_seg(project_id)}", lambda r: Project.from_json(_json(r)))


def list_projects(status: str | None, limit: int | None, cursor: str | None) -> Call[ProjectPage]:
    def parse(r: httpx.Response) -> ProjectPage:
        data = _json(r)
        items = [Project.from_json(p) for p in data.get("projects", []) if isinstance(p, dict)]
        return ProjectPage(items, data.get("next_cursor"))

    return Call("GET", f"{API}/projects", parse, params=_query(status, limit, cursor))


def get_spec(project_id: str) -> Call[str]:
    return Call("GET", f"{API}/projects/{_seg(project_id)}/spec", lambda r: r.text)


def assign_agent(
    project_id: str, role: str, agent_id: str, capabilities: Sequence[str], priority: str
) -> Call[AgentAssignment]:
    return Call(
        "PUT",
        f"{API}/projects/{_seg(project_id)}/agents/{_seg(role)}",
        lambda r: AgentAssignment.from_json(_json(r)),
        json={"agent_id": agent_id, "capabilities": list(capabilities), "priority": priority},
    )


def get_agent_status(agent_id: str) -> Call[AgentStatus]:
    return Call(
        "GET", f"{API}/agents/{_seg(agent_id)}/status", lambda r: AgentStatus.from_json(_json(r))
    )


def get_artifacts(project_id: str) -> Call[list[Artifact]]:
    def parse(r: httpx.Response) -> list[Artifact]:
        items = _json(r).get("artifacts", [])
        return [Artifact.from_json(a) for a in items if isinstance(a, dict)]

    return Call("GET", f"{API}/projects/{_seg(project_id)}/artifacts", parse)


def download_artifact(project_id: str, artifact_type: str) -> Call[httpx.Response]:
    return Call(
        "GET",
        f"{API}/projects/{_seg(project_id)}/artifacts/{_seg(artifact_type)}",
        lambda r: r,
        headers={"Accept": "*/*"},
        stream=True,
    )


def register_webhook(url: str, events: Sequence[str], secret: str) -> Call[Webhook]:
    return Call(
        "POST",
        f"{API}/webhooks",
        lambda r: Webhook.from_json(_json(r)),
        json={"url": url, "events": list(events), "secret": secret},
    )


def list_webhook_deliveries(
    webhook_id: str, status: str | None, limit: int | None, cursor: str | None
) -> Call[DeliveryPage]:
    def parse(r: httpx.Response) -> DeliveryPage:
        data = _json(r)
        items = data.get("deliveries", [])
        deliveries = [WebhookDelivery.from_json(d) for d in items if isinstance(d, dict)]
        return DeliveryPage(deliveries, data.get("next_cursor"))

    return Call(
        "GET",
        f"{API}/webhooks/{_seg(webhook_id)}/deliveries",
        parse,
        params=_query(status, limit, cursor),
    )


def create_api_key(
    name: str, scopes: Sequence[str], expires_at: datetime | str | None
) -> Call[ApiKey]:
    body: dict[str, Any] = {"name": name, "scopes": list(scopes)}
    if isinstance(expires_at, datetime):
        stamp = expires_at if expires_at.tzinfo else expires_at.replace(tzinfo=timezone.utc)
        body["expires_at"] = stamp.isoformat()
    elif expires_at is not None:
        body["expires_at"] = expires_at
    return Call("POST", f"{API}/auth/api-keys", lambda r: ApiKey.from_json(_json(r)), json=body)


def _query(status: str | None, limit: int | None, cursor: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if status:
        params["status"] = status
    if limit is not None:
        params["limit"] = limit
    if cursor:
        params["cursor"] = cursor
    return params
