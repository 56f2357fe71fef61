"""The simulation: phases advance on a persisted clock that pauses while down (edge)."""

from __future__ import annotations

import asyncio
import heapq
import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ospec.api_terms import PHASES
from ospec.api_terms import TERMINAL_STATUSES as TERMINAL
from ospec.sandbox import agents, artifacts, webhooks
from ospec.sandbox.aio import wait_event
from ospec.sandbox.specs import SpecFacts

if TYPE_CHECKING:
    import sqlite3

    from ospec.sandbox.store import Store

log = logging.getLogger(__name__)

FAIL_AT = 0.5  # a requested failure happens halfway through its phase
_EPSILON = 1e-9
_ACTIVE = f"status IN ({','.join(repr(p) for p in PHASES)})"


def live_elapsed(row: sqlite3.Row, facts: SpecFacts, now: float) -> float:
    """Seconds spent in the current phase, as the scheduler will see them."""
    elapsed = float(row["phase_elapsed"])
    if row["status"] not in TERMINAL:
        elapsed += max(0.0, now - row["anchor_at"])
    cap = float(row["phase_seconds"])
    if facts.fail_phase == PHASES[min(row["phase_index"], len(PHASES) - 1)]:
        cap *= FAIL_AT
    return min(elapsed, cap)


def progress(row: sqlite3.Row, facts: SpecFacts, now: float) -> float:
    if row["status"] == "deployed":
        return 1.0
    fraction = live_elapsed(row, facts, now) / float(row["phase_seconds"])
    return round((int(row["phase_index"]) + fraction) / len(PHASES), 4)


class Lifecycle:
    """Runs every active project's phase transitions at the right moment from one asyncio task.

    Progress within a phase is `phase_elapsed` plus the time since `anchor_at`; it is
    checkpointed often, and on start the anchors move to "now", so downtime does not count.
    """

    def __init__(self, store: Store, checkpoint_seconds: float, notify: Callable[[], None]) -> None:
        self.store = store
        self.checkpoint_seconds = checkpoint_seconds
        self.notify = notify  # wakes the webhook worker after events were queued
        self._heap: list[tuple[float, str]] = []
        self._wake = asyncio.Event()
        self._stopping = False

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    def resume(self, now: float) -> int:
        with self.store.transaction():
            self.store.execute(f"UPDATE projects SET anchor_at = ? WHERE {_ACTIVE}", (now,))
        ids = [row["id"] for row in self.store.all(f"SELECT id FROM projects WHERE {_ACTIVE}")]
        for pid in ids:
            heapq.heappush(self._heap, (now, pid))
        return len(ids)

    def add(self, project_id: str, at: float) -> None:
        heapq.heappush(self._heap, (at, project_id))
        self._wake.set()

    def checkpoint(self, now: float) -> None:
        with self.store.transaction():
            self.store.execute(
                f"""UPDATE projects SET anchor_at = :now,
                        phase_elapsed = MIN(phase_seconds, phase_elapsed + MAX(0, :now - anchor_at))
                    WHERE {_ACTIVE}""",
                {"now": now},
            )

    async def run(self) -> None:
        last_checkpoint = time.time()
        try:
            while not self._stopping:
                now = time.time()
                handled = 0
                while self._heap and self._heap[0][0] <= now:
                    _, pid = heapq.heappop(self._heap)
                    self._step(pid, now)
                    handled += 1
                    if handled % 25 == 0:  # stay responsive to requests under load
                        await asyncio.sleep(0)
                        now = time.time()
                if not self._heap:  # nothing in flight: sleep until a project is added
                    await wait_event(self._wake, 1.0)
                    self._wake.clear()
                    continue
                if now - last_checkpoint >= self.checkpoint_seconds:
                    self.checkpoint(now)
                    last_checkpoint = now
                timeout = self.checkpoint_seconds - (now - last_checkpoint)
                timeout = min(timeout, self._heap[0][0] - now)
                await wait_event(self._wake, timeout)
                self._wake.clear()
        finally:
            self.checkpoint(time.time())

    def _step(self, pid: str, now: float) -> None:
        try:
            nxt = self.advance(pid, now)
        except Exception:
            log.exception("advancing project %s failed; retrying in a second", pid)
            nxt = now + 1.0
        if nxt is not None:
            heapq.heappush(self._heap, (nxt, pid))

    def advance(self, pid: str, now: float) -> float | None:
        """Apply everything due by `now`; return when to look again, or None when terminal."""
        row = self.store.one("SELECT * FROM projects WHERE id = ?", (pid,))
        if row is None or row["status"] in TERMINAL:
            return None
        facts = SpecFacts.from_json(json.loads(row["facts"]))
        seconds = float(row["phase_seconds"])
        idx, done = int(row["phase_index"]), int(row["tasks_done"])
        elapsed = float(row["phase_elapsed"]) + max(0.0, now - float(row["anchor_at"]))
        n_tasks = len(facts.tasks)
        changed = False
        with self.store.transaction():
            while True:
                phase = PHASES[idx]
                if phase == "implementation":
                    while done < n_tasks and elapsed + _EPSILON >= seconds * (done + 1) / n_tasks:
                        self._task_completed(pid, facts, done, now)
                        done += 1
                        changed = True
                if facts.fail_phase == phase and elapsed + _EPSILON >= seconds * FAIL_AT:
                    self._fail(row, facts, idx, done, now)
                    self.notify()
                    return None
                if elapsed + _EPSILON < seconds:
                    break
                self._complete_phase(row, facts, idx, now)
                changed = True
                elapsed = max(0.0, elapsed - seconds)
                idx += 1
                if idx == len(PHASES):
                    self._set(pid, "deployed", idx, 0.0, done, now)
                    self.notify()
                    return None
            self.store.execute(
                """UPDATE projects SET status = ?, phase_index = ?, phase_elapsed = ?,
                       anchor_at = ?, tasks_done = ?, updated_at = ? WHERE id = ?""",
                (phase, idx, elapsed, now, done, now if changed else row["updated_at"], pid),
            )
        if changed:
            self.notify()
        marks = [seconds]
        if phase == "implementation" and done < n_tasks:
            marks.append(seconds * (done + 1) / n_tasks)
        if facts.fail_phase == phase:
            marks.append(seconds * FAIL_AT)
        return now + max(0.0, min(marks) - elapsed)

    def _set(self, pid: str, status: str, idx: int, elapsed: float, done: int, now: float) -> None:
        self.store.execute(
            """UPDATE projects SET status = ?, phase_index = ?, phase_elapsed = ?, anchor_at = ?,
                   tasks_done = ?, updated_at = ? WHERE id = ?""",
            (status, idx, elapsed, now, done, now, pid),
        )

    def _task_completed(self, pid: str, facts: SpecFacts, index: int, now: float) -> None:
        task = facts.tasks[index]
        implementer = agents.roster(self.store, [pid])[pid]["implementer"]
        agents.touch(self.store, [implementer], now, tasks=1)
        webhooks.emit(
            self.store,
            "agent.task_completed",
            pid,
            {
                "phase": "implementation",
                "agent_id": implementer,
                "role": "implementer",
                "task_id": task.id,
                "task_title": task.title,
                "completed_tasks": index + 1,
                "total_tasks": len(facts.tasks),
            },
            now,
        )

    def _complete_phase(self, row: sqlite3.Row, facts: SpecFacts, idx: int, now: float) -> None:
        pid, phase = row["id"], PHASES[idx]
        produced = self._produce(row, facts, phase, now, failed=False)
        agents.touch(
            self.store,
            agents.agents_for_phase(self.store, pid, phase),
            now,
            busy=row["phase_seconds"],
        )
        next_phase = PHASES[idx + 1] if idx + 1 < len(PHASES) else "deployed"
        webhooks.emit(
            self.store,
            "project.phase_completed",
            pid,
            {
                "phase": phase,
                "next_phase": next_phase,
                "progress": round((idx + 1) / len(PHASES), 4),
                "artifacts": produced,
            },
            now,
        )

    def _fail(self, row: sqlite3.Row, facts: SpecFacts, idx: int, done: int, now: float) -> None:
        pid, phase = row["id"], PHASES[idx]
        seconds = row["phase_seconds"]
        self._produce(row, facts, phase, now, failed=True)
        agents.touch(
            self.store, agents.agents_for_phase(self.store, pid, phase), now, busy=seconds * FAIL_AT
        )
        error = f"simulated failure in the {phase} phase, requested by the tag sandbox-fail-{phase}"
        self._set(pid, "failed", idx, seconds * FAIL_AT, done, now)
        self.store.execute("UPDATE projects SET error = ? WHERE id = ?", (error, pid))
        webhooks.emit(
            self.store,
            "project.failed",
            pid,
            {
                "phase": phase,
                "next_phase": None,
                "error": error,
                "progress": round((idx + FAIL_AT) / len(PHASES), 4),
                "artifacts": [
                    {"type": a["type"], "url": a["url"]} for a in artifacts.listing(self.store, pid)
                ],
            },
            now,
        )

    def _produce(
        self, row: sqlite3.Row, facts: SpecFacts, phase: str, now: float, *, failed: bool
    ) -> list[dict[str, str]]:
        """Save the artifacts a phase yields; a failed validation still reports its test run."""
        pid = row["id"]
        out: list[dict[str, str]] = []
        if phase == "planning" and not failed:
            out.append(
                artifacts.save(
                    self.store,
                    pid,
                    "task_breakdown",
                    artifacts.task_breakdown(pid, facts, now),
                    now,
                )
            )
        elif phase == "implementation" and not failed:
            content = artifacts.source_code(pid, facts, row["spec_text"])
            out.append(artifacts.save(self.store, pid, "source_code", content, now))
        elif phase == "validation":
            results = artifacts.test_results(pid, facts, now, failed=failed)
            out.append(artifacts.save(self.store, pid, "test_results", results, now))
            report, issues = artifacts.security_scan(pid, facts, now)
            scan = artifacts.save(self.store, pid, "security_scan", report, now)
            out.append(scan)
            if facts.security_scan and issues:
                webhooks.emit(
                    self.store,
                    "security.issue_detected",
                    pid,
                    {"phase": phase, "issues": issues, "artifacts": [scan]},
                    now,
                )
        return out


def facts_of_row(row: sqlite3.Row) -> SpecFacts:
    return SpecFacts.from_json(json.loads(row["facts"]))


def summary(row: sqlite3.Row, now: float) -> dict[str, Any]:
    """Lifecycle fields of the project resource."""
    facts = facts_of_row(row)
    status = row["status"]
    done = len(facts.tasks) if status == "deployed" else row["tasks_done"]
    out: dict[str, Any] = {
        "status": status,
        "progress": progress(row, facts, now),
        "current_phase": "deployed" if status == "deployed" else PHASES[row["phase_index"]],
        "tasks": {"completed": done, "total": len(facts.tasks)},
    }
    if status == "failed":
        out["failed_phase"] = PHASES[row["phase_index"]]
        out["error"] = row["error"]
    return out
