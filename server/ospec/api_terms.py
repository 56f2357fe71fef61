"""The platform API's vocabulary (Integration APIs page): one list each for the SDK, the CLI and
the sandbox, so they cannot drift apart."""

from __future__ import annotations

PHASES = ("specification", "planning", "implementation", "validation", "deployment")
TERMINAL_STATUSES = ("deployed", "failed")
ROLES = ("specifier", "planner", "implementer", "reviewer")
SCOPES = (
    "projects:create",
    "projects:read",
    "agents:write",
    "agents:read",
    "artifacts:download",
    "webhooks:write",
    "admin",
)
EVENTS = (
    "project.created",
    "project.phase_completed",
    "project.failed",
    "agent.task_completed",
    "security.issue_detected",
)
