"""Project records: idempotent creation, the project resource, listing (edge)."""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
from typing import TYPE_CHECKING, Any

from ospec.api_terms import PHASES
from ospec.sandbox import agents, lifecycle, webhooks
from ospec.sandbox.config import iso, new_id
from ospec.sandbox.errors import ApiError
from ospec.sandbox.pagination import newest_first
from ospec.sandbox.specs import SpecFacts

if TYPE_CHECKING:
    from ospec.sandbox.store import Store

log = logging.getLogger(__name__)

STATUSES = (*PHASES, "deployed", "failed")


def spec_url(project_id: str) -> str:
    return f"/api/v1/projects/{project_id}/spec"


def get_row(store: Store, project_id: str) -> sqlite3.Row:
    row = store.one("SELECT * FROM projects WHERE id = ?", (project_id,))
    if row is None:
        raise ApiError(404, "project_not_found", f"no project {project_id}")
    return row


def replay(store: Store, key_id: str, idem_key: str, request_hash: str) -> dict[str, Any] | None:
    """The stored response for a repeated Idempotency-Key, or 409 if the body differs."""
    row = store.one(
        "SELECT request_hash, response FROM idempotency WHERE key_id = ? AND idem_key = ?",
        (key_id, idem_key),
    )
    if row is None:
        return None
    if row["request_hash"] != request_hash:
        raise ApiError(
            409,
            "idempotency_key_reused",
            "this Idempotency-Key was already used with a different request body",
            idempotency_key=idem_key,
        )
    response: dict[str, Any] = json.loads(row["response"])
    return response


def create(
    store: Store,
    *,
    text: str,
    facts: SpecFacts,
    findings: list[dict[str, Any]],
    phase_seconds: float,
    key_id: str,
    idem_key: str | None,
    request_hash: str,
) -> tuple[dict[str, Any], bool]:
    """Insert the project (and its idempotency record) atomically; returns (response, created)."""
    now = time.time()
    project_id = new_id("proj")
    response = {
        "project_id": project_id,
        "name": facts.name,
        "spec_id": facts.spec_id,
        "status": PHASES[0],
        "created_at": iso(now),
        "spec_url": spec_url(project_id),
        "findings": findings,
    }
    try:
        with store.transaction():
            if idem_key is not None:
                # The primary key makes a concurrent duplicate fail here instead of inserting twice.
                store.execute(
                    """INSERT INTO idempotency
                           (key_id, idem_key, request_hash, project_id, response, created_at)
                       VALUES (?, ?, ?, ?, ?, ?)""",
                    (key_id, idem_key, request_hash, project_id, json.dumps(response), now),
                )
            store.execute(
                """INSERT INTO projects (id, name, spec_id, spec_text, facts, status, phase_index,
                       phase_elapsed, anchor_at, phase_seconds, created_by, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?, ?)""",
                (
                    project_id,
                    facts.name,
                    facts.spec_id,
                    text,
                    json.dumps(facts.to_json()),
                    PHASES[0],
                    now,
                    phase_seconds,
                    key_id,
                    now,
                    now,
                ),
            )
            webhooks.emit(
                store,
                "project.created",
                project_id,
                {
                    "phase": PHASES[0],
                    "next_phase": PHASES[1],
                    "name": facts.name,
                    "spec_id": facts.spec_id,
                    "artifacts": [],
                },
                now,
            )
    except sqlite3.IntegrityError:
        if idem_key is None:
            raise
        log.info("concurrent duplicate for Idempotency-Key %r resolved by the unique key", idem_key)
        again = replay(store, key_id, idem_key, request_hash)
        if again is None:
            raise
        return again, False
    return response, True


def request_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def resource(row: sqlite3.Row, team: dict[str, str], now: float) -> dict[str, Any]:
    pid = row["id"]
    return {
        "project_id": pid,
        "name": row["name"],
        "spec_id": row["spec_id"],
        **lifecycle.summary(row, now),
        "agents": team,
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
        "spec_url": spec_url(pid),
        "artifacts_url": f"/api/v1/projects/{pid}/artifacts",
    }


def one(store: Store, project_id: str) -> dict[str, Any]:
    row = get_row(store, project_id)
    return resource(row, agents.roster(store, [project_id])[project_id], time.time())


def page(store: Store, status: str | None, limit: int, cursor: str | None) -> dict[str, Any]:
    """Newest first; the cursor is the position of the last project on the previous page."""
    rows, next_cursor = newest_first(store, "projects", {"status": status}, limit, cursor)
    teams = agents.roster(store, [row["id"] for row in rows])
    now = time.time()
    return {
        "projects": [resource(row, teams[row["id"]], now) for row in rows],
        "next_cursor": next_cursor,
    }
