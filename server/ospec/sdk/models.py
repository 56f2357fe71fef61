"""Typed results of the API (dataclasses), parsed leniently so new server fields never break us.

Each model keeps the JSON it came from in `raw` (hidden from repr), for `--json` output and for
fields this SDK version does not know yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..api_terms import TERMINAL_STATUSES


def parse_time(value: object) -> datetime | None:
    """RFC 3339 text to an aware datetime (Python 3.10's fromisoformat does not accept `Z`)."""
    if not isinstance(value, str) or not value:
        return None
    text = value[:-1] + "+00:00" if value[-1] in "Zz" else value
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)


def _str(d: dict[str, Any], key: str, default: str = "") -> str:
    value = d.get(key)
    return value if isinstance(value, str) else default


def _opt_str(d: dict[str, Any], key: str) -> str | None:
    value = d.get(key)
    return value if isinstance(value, str) else None


def _int(d: dict[str, Any], key: str, default: int = 0) -> int:
    value = d.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _float(d: dict[str, Any], key: str, default: float = 0.0) -> float:
    value = d.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return default


def _list(d: dict[str, Any], key: str) -> list[Any]:
    value = d.get(key)
    return value if isinstance(value, list) else []


def _dict(d: dict[str, Any], key: str) -> dict[str, Any]:
    value = d.get(key)
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Finding:
    """One analysis finding; line and column are 1-based as in the API and `ospec check`."""

    code: str
    severity: str
    message: str
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Finding:
        line, column = _int(d, "line", 1), _int(d, "column", 1)
        return cls(
            code=_str(d, "code"),
            severity=_str(d, "severity", "error"),
            message=_str(d, "message"),
            line=line,
            column=column,
            end_line=_int(d, "end_line", line),
            end_column=_int(d, "end_column", column),
        )

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.severity} {self.code} {self.message}"


@dataclass(frozen=True)
class CreatedProject:
    """The answer to `create_project`; `replayed` is true when an Idempotency-Key matched."""

    project_id: str
    name: str
    spec_id: str
    status: str
    created_at: datetime | None
    spec_url: str
    findings: list[Finding]
    replayed: bool = False
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.project_id

    @classmethod
    def from_json(cls, d: dict[str, Any], *, replayed: bool = False) -> CreatedProject:
        return cls(
            project_id=_str(d, "project_id"),
            name=_str(d, "name"),
            spec_id=_str(d, "spec_id"),
            status=_str(d, "status", "specification"),
            created_at=parse_time(d.get("created_at")),
            spec_url=_str(d, "spec_url"),
            findings=[Finding.from_json(f) for f in _list(d, "findings") if isinstance(f, dict)],
            replayed=replayed,
            raw=d,
        )


@dataclass(frozen=True)
class Project:
    """A project's state: `status`, `progress` (0-1) and `current_phase` drive watching."""

    project_id: str
    name: str
    status: str
    progress: float
    current_phase: str
    agents: dict[str, str]
    created_at: datetime | None
    updated_at: datetime | None
    spec_id: str = ""
    tasks_completed: int = 0
    tasks_total: int = 0
    failed_phase: str | None = None
    error: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.project_id

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def percent(self) -> int:
        return round(self.progress * 100)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Project:
        tasks = _dict(d, "tasks")
        status = _str(d, "status")
        return cls(
            project_id=_str(d, "project_id"),
            name=_str(d, "name"),
            status=status,
            progress=min(1.0, max(0.0, _float(d, "progress"))),
            current_phase=_str(d, "current_phase", status),
            agents={k: v for k, v in _dict(d, "agents").items() if isinstance(v, str)},
            created_at=parse_time(d.get("created_at")),
            updated_at=parse_time(d.get("updated_at")),
            spec_id=_str(d, "spec_id"),
            tasks_completed=_int(tasks, "completed"),
            tasks_total=_int(tasks, "total"),
            failed_phase=_opt_str(d, "failed_phase"),
            error=_opt_str(d, "error"),
            raw=d,
        )


@dataclass(frozen=True)
class ProjectPage:
    projects: list[Project]
    next_cursor: str | None


@dataclass(frozen=True)
class AgentAssignment:
    project_id: str
    role: str
    agent_id: str
    capabilities: list[str]
    priority: str
    assigned_at: datetime | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> AgentAssignment:
        return cls(
            project_id=_str(d, "project_id"),
            role=_str(d, "role"),
            agent_id=_str(d, "agent_id"),
            capabilities=[c for c in _list(d, "capabilities") if isinstance(c, str)],
            priority=_str(d, "priority", "medium"),
            assigned_at=parse_time(d.get("assigned_at")),
            raw=d,
        )


@dataclass(frozen=True)
class AgentStatus:
    agent_id: str
    status: str
    current_project: str | None
    current_task: str | None
    utilization: float
    last_activity: datetime | None
    current_role: str | None = None
    tasks_completed: int = 0
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> AgentStatus:
        return cls(
            agent_id=_str(d, "agent_id"),
            status=_str(d, "status"),
            current_project=_opt_str(d, "current_project"),
            current_task=_opt_str(d, "current_task"),
            utilization=_float(d, "utilization"),
            last_activity=parse_time(d.get("last_activity")),
            current_role=_opt_str(d, "current_role"),
            tasks_completed=_int(d, "tasks_completed"),
            raw=d,
        )


@dataclass(frozen=True)
class Artifact:
    type: str
    path: str
    size_bytes: int
    modified: datetime | None
    content_type: str | None = None
    sha256: str | None = None
    url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Artifact:
        return cls(
            type=_str(d, "type"),
            path=_str(d, "path"),
            size_bytes=_int(d, "size_bytes"),
            modified=parse_time(d.get("modified")),
            content_type=_opt_str(d, "content_type"),
            sha256=_opt_str(d, "sha256"),
            url=_opt_str(d, "url"),
            raw=d,
        )


@dataclass(frozen=True)
class Webhook:
    webhook_id: str
    url: str
    events: list[str]
    created_at: datetime | None
    active: bool = True
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.webhook_id

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Webhook:
        return cls(
            webhook_id=_str(d, "webhook_id"),
            url=_str(d, "url"),
            events=[e for e in _list(d, "events") if isinstance(e, str)],
            created_at=parse_time(d.get("created_at")),
            active=d.get("active") is not False,
            raw=d,
        )


@dataclass(frozen=True)
class DeliveryAttempt:
    attempt: int
    at: datetime | None
    status_code: int | None
    error: str | None
    duration_ms: float

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> DeliveryAttempt:
        code = d.get("status_code")
        return cls(
            attempt=_int(d, "attempt"),
            at=parse_time(d.get("at")),
            status_code=code if isinstance(code, int) else None,
            error=_opt_str(d, "error"),
            duration_ms=_float(d, "duration_ms"),
        )


@dataclass(frozen=True)
class WebhookDelivery:
    delivery_id: str
    webhook_id: str
    event: str
    project_id: str | None
    status: str
    attempts: int
    created_at: datetime | None
    delivered_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    attempt_log: list[DeliveryAttempt]
    payload: dict[str, Any] = field(default_factory=dict, repr=False)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> WebhookDelivery:
        code = d.get("last_status_code")
        return cls(
            delivery_id=_str(d, "delivery_id"),
            webhook_id=_str(d, "webhook_id"),
            event=_str(d, "event"),
            project_id=_opt_str(d, "project_id"),
            status=_str(d, "status"),
            attempts=_int(d, "attempts"),
            created_at=parse_time(d.get("created_at")),
            delivered_at=parse_time(d.get("delivered_at")),
            last_status_code=code if isinstance(code, int) else None,
            last_error=_opt_str(d, "last_error"),
            attempt_log=[
                DeliveryAttempt.from_json(a) for a in _list(d, "attempt_log") if isinstance(a, dict)
            ],
            payload=_dict(d, "payload"),
            raw=d,
        )


@dataclass(frozen=True)
class DeliveryPage:
    deliveries: list[WebhookDelivery]
    next_cursor: str | None


@dataclass(frozen=True)
class ApiKey:
    """A created API key; `api_key` is the secret, shown once and hidden from repr."""

    api_key_id: str
    name: str
    scopes: list[str]
    created_at: datetime | None
    expires_at: datetime | None
    api_key: str = field(default="", repr=False)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.api_key_id

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ApiKey:
        return cls(
            api_key_id=_str(d, "api_key_id"),
            name=_str(d, "name"),
            scopes=[s for s in _list(d, "scopes") if isinstance(s, str)],
            created_at=parse_time(d.get("created_at")),
            expires_at=parse_time(d.get("expires_at")),
            api_key=_str(d, "api_key"),
            raw=d,
        )


@dataclass(frozen=True)
class WebhookEvent:
    """A parsed webhook payload: `event` names it, `data` holds the event-specific fields."""

    event: str
    timestamp: datetime | None
    project_id: str | None
    data: dict[str, Any]
    id: str | None = None
    signature: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> WebhookEvent:
        return cls(
            event=_str(d, "event"),
            timestamp=parse_time(d.get("timestamp")),
            project_id=_opt_str(d, "project_id"),
            data=_dict(d, "data"),
            id=_opt_str(d, "id"),
            signature=_opt_str(d, "signature"),
            raw=d,
        )
