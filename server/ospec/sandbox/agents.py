"""Agent assignments per project role; agent status derived from the simulation (edge)."""

from __future__ import annotations

import json
import re
import time
from typing import TYPE_CHECKING, Any

from ospec.api_terms import PHASES, ROLES
from ospec.sandbox.config import iso
from ospec.sandbox.errors import ApiError

if TYPE_CHECKING:
    from ospec.sandbox.store import Store

PRIORITIES = ("low", "medium", "high", "critical")
# Who works in each phase, after the lifecycle page's phase table.
PHASE_ROLES = {
    "specification": ("specifier",),
    "planning": ("planner",),
    "implementation": ("implementer", "reviewer"),
    "validation": ("reviewer",),
    "deployment": ("implementer",),
}
AGENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$")
# Roles nobody was assigned to are played by these built-in simulated agents.
DEFAULT_PREFIX = "sandbox-"
_PHASE_ACTIVITY = {
    "specification": "review-specification",
    "planning": "plan-task-breakdown",
    "validation": "run-acceptance-tests",
    "deployment": "deploy-release",
}


def default_agent(role: str) -> str:
    return DEFAULT_PREFIX + role


def roster(store: Store, project_ids: list[str]) -> dict[str, dict[str, str]]:
    """role -> agent id for each project, built-in agents filling unassigned roles."""
    result = {pid: {role: default_agent(role) for role in ROLES} for pid in project_ids}
    if project_ids:
        marks = ",".join("?" * len(project_ids))
        for row in store.all(
            f"SELECT project_id, role, agent_id FROM assignments WHERE project_id IN ({marks})",
            project_ids,
        ):
            result[row["project_id"]][row["role"]] = row["agent_id"]
    return result


def assign(store: Store, project_id: str, role: str, body: dict[str, Any]) -> dict[str, Any]:
    agent_id = body.get("agent_id")
    if not isinstance(agent_id, str) or not AGENT_ID.match(agent_id):
        raise ApiError(
            422, "invalid_request", "agent_id must be 1-128 characters of letters, digits, ._:@-"
        )
    caps = body.get("capabilities", [])
    if (
        not isinstance(caps, list)
        or len(caps) > 50
        or not all(isinstance(c, str) and 0 < len(c) <= 64 for c in caps)
    ):
        raise ApiError(
            422, "invalid_request", "capabilities must be up to 50 strings of 1-64 chars"
        )
    priority = body.get("priority", "medium")
    if priority not in PRIORITIES:
        raise ApiError(422, "invalid_request", f"priority must be one of: {', '.join(PRIORITIES)}")
    unknown = set(body) - {"agent_id", "capabilities", "priority"}
    if unknown:
        raise ApiError(422, "invalid_request", f"unknown fields: {', '.join(sorted(unknown))}")
    now = time.time()
    with store.transaction():
        store.execute(
            """INSERT INTO assignments
                   (project_id, role, agent_id, capabilities, priority, assigned_at)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (project_id, role) DO UPDATE SET agent_id = excluded.agent_id,
                   capabilities = excluded.capabilities, priority = excluded.priority,
                   assigned_at = excluded.assigned_at""",
            (project_id, role, agent_id, json.dumps(caps), priority, now),
        )
        touch(store, [agent_id], now)
        store.execute("UPDATE projects SET updated_at = ? WHERE id = ?", (now, project_id))
    return {
        "project_id": project_id,
        "role": role,
        "agent_id": agent_id,
        "capabilities": caps,
        "priority": priority,
        "assigned_at": iso(now),
    }


def touch(
    store: Store, agent_ids: list[str], now: float, busy: float = 0.0, tasks: int = 0
) -> None:
    """Record activity: `busy` seconds of simulated work and `tasks` completed tasks."""
    for agent_id in agent_ids:
        store.execute(
            """INSERT INTO agents
                   (agent_id, first_seen, busy_seconds, last_activity, tasks_completed)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (agent_id) DO UPDATE SET
                   busy_seconds = busy_seconds + excluded.busy_seconds,
                   last_activity = excluded.last_activity,
                   tasks_completed = tasks_completed + excluded.tasks_completed""",
            (agent_id, now - busy, busy, now, tasks),
        )


def agents_for_phase(store: Store, project_id: str, phase: str) -> list[str]:
    team = roster(store, [project_id])[project_id]
    return sorted({team[role] for role in PHASE_ROLES[phase]})


def status(store: Store, agent_id: str, now: float) -> dict[str, Any]:
    assigned = store.all(
        "SELECT project_id, role FROM assignments WHERE agent_id = ? ORDER BY assigned_at",
        (agent_id,),
    )
    record = store.one("SELECT * FROM agents WHERE agent_id = ?", (agent_id,))
    default_role = agent_id[len(DEFAULT_PREFIX) :] if agent_id.startswith(DEFAULT_PREFIX) else None
    if record is None and not assigned and default_role not in ROLES:
        raise ApiError(404, "agent_not_found", f"no agent {agent_id} is known to this sandbox")
    work = _current_work(store, agent_id, default_role, now)
    busy_seconds = (record["busy_seconds"] if record else 0.0) + (work[3] if work else 0.0)
    first_seen = record["first_seen"] if record else now
    lifetime = now - first_seen
    utilization = min(1.0, busy_seconds / lifetime) if lifetime > 0 else 0.0
    last = now if work else (record["last_activity"] if record else None)
    return {
        "agent_id": agent_id,
        "status": "busy" if work else "idle",
        "current_project": work[0] if work else None,
        "current_task": work[1] if work else None,
        "current_role": work[2] if work else None,
        "utilization": round(utilization, 4),
        "last_activity": iso(last),
        "tasks_completed": record["tasks_completed"] if record else 0,
        "assignments": [{"project_id": a["project_id"], "role": a["role"]} for a in assigned],
    }


def _current_work(
    store: Store, agent_id: str, default_role: str | None, now: float
) -> tuple[str, str, str, float] | None:
    """(project, task, role, seconds into it) of the oldest running project the agent works on."""
    marks = ",".join("?" * len(PHASES))
    candidates = store.all(
        f"""SELECT p.*, a.role FROM projects p JOIN assignments a ON a.project_id = p.id
            WHERE a.agent_id = ? AND p.status IN ({marks}) ORDER BY p.seq""",
        (agent_id, *PHASES),
    )
    if default_role in ROLES:
        phases = [p for p, roles in PHASE_ROLES.items() if default_role in roles]
        in_phase = ",".join("?" * len(phases))
        candidates += store.all(
            f"""SELECT p.*, ? AS role FROM projects p WHERE p.status IN ({in_phase})
                AND NOT EXISTS (
                    SELECT 1 FROM assignments a WHERE a.project_id = p.id AND a.role = ?)
                ORDER BY p.seq LIMIT 1""",
            (default_role, *phases, default_role),
        )
    for row in candidates:
        phase = row["status"]
        if row["role"] not in PHASE_ROLES[phase]:
            continue
        elapsed = min(row["phase_seconds"], row["phase_elapsed"] + max(0.0, now - row["anchor_at"]))
        return row["id"], _task_label(row, phase), row["role"], elapsed
    return None


def _task_label(row: Any, phase: str) -> str:
    if phase != "implementation":
        return _PHASE_ACTIVITY[phase]
    tasks = json.loads(row["facts"])["tasks"]
    current = tasks[min(row["tasks_done"], len(tasks) - 1)]["id"]
    return current if row["role"] == "implementer" else f"review-{current}"
