"""The deploy lens on a spec's first line: its title and what clicking it does (edge, pure)."""

from __future__ import annotations

from dataclasses import dataclass

from .deploy_state import DEPLOYED, FAILED, IDLE, REJECTED, SUBMITTING, Deployment

DEPLOY = "ospec.deploy"
STATUS = "ospec.status"


@dataclass(frozen=True, slots=True)
class Lens:
    title: str
    command: str
    arguments: list[object]


def errors_reason(count: int) -> str:
    return f"{count} error{'s' if count != 1 else ''} must be fixed first"


def ago(seconds: float) -> str:
    minutes = int(max(seconds, 0) // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 60 * 24:
        return f"{minutes // 60} h ago"
    return f"{minutes // (60 * 24)} d ago"


def deploy_lenses(
    state: Deployment | None,
    uri: str,
    version: int,
    errors: int,
    digest: str,
    now: float,
) -> list[Lens]:
    """The status lens, plus "Deploy" unless this very text is deployed or deploying."""
    deploy_title = "Deploy" if not errors else f"Deploy — {errors_reason(errors)}"
    deploy = Lens(deploy_title, DEPLOY, [uri, version])
    if state is None or state.status == IDLE:
        return [deploy]
    status = Lens(status_title(state, now), STATUS, [uri])
    if state.terminal and (state.status != DEPLOYED or state.digest != digest):
        return [status, deploy]  # retry a failure, or deploy the changes made since
    return [status]


def status_title(state: Deployment, now: float) -> str:
    if state.status == DEPLOYED:
        return f"Deployed ✓ {state.project_id} · {ago(now - state.changed_at)}"
    if state.status in (FAILED, REJECTED):
        return "Failed — see details"
    if state.status == SUBMITTING:
        return "Deploying… submitting"
    following = "" if state.following else " (not followed)"
    return f"Deploying… {state.phase} {state.percent}%{following}"
