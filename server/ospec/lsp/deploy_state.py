"""What this editor session knows about each document's latest deploy (edge, no I/O).

The state is kept per document URI, outside the per-version cache, so it survives edits (and a
close and reopen): the lens keeps saying "Deployed ✓ …" while the user goes on editing.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..sdk.models import CreatedProject, Finding, Project

IDLE = "idle"
SUBMITTING = "submitting"
DEPLOYED = "deployed"
FAILED = "failed"
REJECTED = "rejected"  # no project came of it: the API answered 422, or could not be reached
TERMINAL = (DEPLOYED, FAILED, REJECTED)


def content_digest(uri: str, text: str) -> str:
    """Identifies "this file with this text": what a deploy, and its idempotency key, is of."""
    return hashlib.sha256(f"{uri}\n{text}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ApiFinding:
    """One of the API's findings (1-based, as the API sends them) and the line it was about."""

    code: str
    message: str
    line: int
    column: int
    end_line: int
    end_column: int
    line_text: str

    @classmethod
    def of(cls, finding: Finding, lines: list[str]) -> ApiFinding:
        index = finding.line - 1
        return cls(
            code=finding.code,
            message=finding.message,
            line=finding.line,
            column=finding.column,
            end_line=finding.end_line,
            end_column=finding.end_column,
            line_text=lines[index] if 0 <= index < len(lines) else "",
        )

    def still_applies(self, lines: list[str]) -> bool:
        """True while the line it names reads as it did when the API judged it."""
        index = self.line - 1
        return 0 <= index < len(lines) and lines[index] == self.line_text


@dataclass(slots=True)
class Deployment:
    status: str = IDLE
    project_id: str | None = None
    name: str = ""
    phase: str = ""
    percent: int = 0
    error: str | None = None
    url: str | None = None  # the project on the API
    digest: str = ""  # of the text last submitted
    failures: dict[str, int] = field(default_factory=dict)  # digest -> failed deploys of it
    findings: list[ApiFinding] = field(default_factory=list)
    changed_at: float = field(default_factory=time.time)  # wall clock, for "5 min ago"
    following: bool = False

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    def idempotency_key(self, digest: str) -> str:
        """The same text gives the same key, so a double click creates one project; after a
        failed deploy of that text the key changes, so "Deploy" can retry it."""
        retry = self.failures.get(digest, 0)
        return f"ospec-lsp-{digest[:40]}" + (f"-retry{retry}" if retry else "")

    def submitting(self, digest: str) -> None:
        self.status, self.digest, self.error, self.findings = SUBMITTING, digest, None, []
        self.project_id = self.url = None
        self.phase, self.percent = SUBMITTING, 0
        self._touch()

    def created(self, project: CreatedProject) -> None:
        self.project_id, self.name = project.project_id, project.name
        self.status = self.phase = project.status
        self.percent = 0
        self._touch()

    def update(self, project: Project) -> None:
        newly_failed = project.status == FAILED and self.status != FAILED
        self.project_id, self.name = project.project_id, project.name or self.name
        self.status, self.phase = project.status, project.current_phase
        self.percent = project.percent
        self.error = project.error
        if project.status == FAILED:
            self.phase = project.failed_phase or self.phase
        if newly_failed:
            self._failed()
        self._touch(project.updated_at.timestamp() if project.updated_at else None)

    def rejected(self, findings: list[ApiFinding], message: str) -> None:
        self.status, self.findings, self.error = REJECTED, findings, message
        self._failed()
        self._touch()

    def _failed(self) -> None:
        self.failures[self.digest] = self.failures.get(self.digest, 0) + 1

    def _touch(self, when: float | None = None) -> None:
        self.changed_at = when if when is not None else time.time()
