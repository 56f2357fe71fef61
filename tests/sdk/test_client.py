"""`ospec.Client` against the real sandbox: every method, typed results, typed errors."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

import ospec
from ospec.sdk import (
    AgentAssignment,
    AgentStatus,
    ApiKey,
    Artifact,
    CreatedProject,
    Project,
    Webhook,
    WebhookDelivery,
)

from .conftest import FAST_RETRIES, TASKS, Receiver, SandboxProcess, spec_yaml, wait_until

FAST_POLL = {"poll_interval": 0.05, "max_poll_interval": 0.2, "timeout": 30}


def new_spec(**kwargs: object) -> str:
    return spec_yaml(f"sdk-{uuid.uuid4().hex[:8]}", tasks=TASKS, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def deployed(client: ospec.Client) -> Project:
    created = client.create_project(new_spec())
    return client.wait_for_completion(created.id, **FAST_POLL)


def test_create_project_returns_a_typed_result(client: ospec.Client) -> None:
    created = client.create_project(spec_yaml("typed-result"))
    assert isinstance(created, CreatedProject)
    assert created.id.startswith("proj_") and created.spec_id == "typed-result"
    assert created.status == "specification" and created.created_at is not None
    assert created.replayed is False


def test_a_spec_with_errors_raises_findings_with_line_and_column(client: ospec.Client) -> None:
    text = 'ospec_version: "1.0.0"\nid: broken\nname: [unclosed\n'
    with pytest.raises(ospec.SpecValidationError) as caught:
        client.create_project(text)
    err = caught.value
    assert err.status_code == 422 and err.code == "spec_invalid"
    first = err.errors[0]
    assert (first.code, first.line, first.column) == ("OSPEC-Y001", 4, 1)
    assert "HTTP 422" in str(err)


def test_the_same_idempotency_key_returns_the_same_project(client: ospec.Client) -> None:
    key = f"ci-run-{uuid.uuid4()}"
    text = new_spec()
    first = client.create_project(text, idempotency_key=key)
    again = client.create_project(text, idempotency_key=key)
    assert again.id == first.id
    assert (first.replayed, again.replayed) == (False, True)


def test_reusing_a_key_for_another_spec_is_a_conflict(client: ospec.Client) -> None:
    key = f"ci-run-{uuid.uuid4()}"
    client.create_project(new_spec(), idempotency_key=key)
    with pytest.raises(ospec.ConflictError) as caught:
        client.create_project(new_spec(), idempotency_key=key)
    assert caught.value.status_code == 409


def test_get_project_and_its_spec(client: ospec.Client) -> None:
    text = new_spec()
    created = client.create_project(text)
    project = client.get_project(created.id)
    assert isinstance(project, Project)
    assert project.id == created.id and project.tasks_total == len(TASKS)
    assert client.get_spec(created.id) == text


def test_unknown_project_is_not_found(client: ospec.Client) -> None:
    with pytest.raises(ospec.NotFoundError) as caught:
        client.get_project("proj_does_not_exist")
    assert caught.value.status_code == 404


def test_list_and_iterate_projects_across_pages(client: ospec.Client) -> None:
    ids = {client.create_project(new_spec()).id for _ in range(3)}
    page = client.list_projects(limit=2)
    assert len(page.projects) == 2 and page.next_cursor
    every = [p.id for p in client.iter_projects(page_size=2)]
    assert ids <= set(every) and len(every) == len(set(every))


def test_watch_project_follows_every_phase_to_deployed(client: ospec.Client) -> None:
    created = client.create_project(new_spec())
    updates = list(client.watch_project(created.id, **FAST_POLL))
    phases = [u.current_phase for u in updates]
    assert phases[-1] == "deployed" and updates[-1].progress == 1.0
    for phase in ("specification", "planning", "implementation", "validation", "deployment"):
        assert phase in phases
    progress = [u.progress for u in updates]
    assert progress == sorted(progress)


def test_wait_for_completion_reports_progress(client: ospec.Client) -> None:
    created = client.create_project(new_spec())
    seen: list[Project] = []
    final = client.wait_for_completion(created.id, on_progress=seen.append, **FAST_POLL)
    assert final.status == "deployed" and final.tasks_completed == len(TASKS)
    assert len(seen) >= 2 and seen[-1] == final


def test_a_failing_project_ends_the_watch_as_failed(client: ospec.Client) -> None:
    created = client.create_project(new_spec(tags=("sandbox-fail-implementation",)))
    final = client.wait_for_completion(created.id, **FAST_POLL)
    assert final.status == "failed" and final.failed_phase == "implementation"
    assert final.error and "implementation" in final.error


def test_wait_timeout_carries_the_last_state(client: ospec.Client) -> None:
    created = client.create_project(new_spec())
    with pytest.raises(ospec.WaitTimeoutError) as caught:
        client.wait_for_completion(created.id, timeout=0.1, poll_interval=0.05)
    assert caught.value.project is not None and not caught.value.project.is_terminal


def test_assign_an_agent_and_read_its_status(client: ospec.Client) -> None:
    created = client.create_project(new_spec())
    agent = f"agent-{uuid.uuid4().hex[:6]}"
    done = client.assign_agent(created.id, "reviewer", agent, ["security", "python"], "high")
    assert isinstance(done, AgentAssignment)
    assert (done.role, done.agent_id, done.priority) == ("reviewer", agent, "high")
    assert done.capabilities == ["security", "python"]
    status = client.get_agent_status(agent)
    assert isinstance(status, AgentStatus) and status.agent_id == agent
    assert client.get_project(created.id).agents["reviewer"] == agent


def test_artifacts_are_listed_and_downloaded(
    client: ospec.Client, deployed: Project, tmp_path: Path
) -> None:
    found = client.get_artifacts(deployed.id)
    assert {a.type for a in found} == {
        "task_breakdown",
        "source_code",
        "test_results",
        "security_scan",
    }
    assert all(isinstance(a, Artifact) and a.size_bytes > 0 for a in found)
    for artifact in found:
        # A trailing separator names a folder (created if needed) for the server's file name.
        saved = client.download_artifact(deployed.id, artifact, f"{tmp_path}/out/")
        assert saved.parent == tmp_path / "out"
        assert saved.name.startswith(deployed.spec_id + "-")
        assert saved.stat().st_size == artifact.size_bytes
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        f"{deployed.spec_id}-{s}" for s in ("tasks.yaml", "source.zip", "test-results.xml",
                                            "security.json")
    )  # fmt: skip


def test_a_download_never_overwrites_unless_asked(
    client: ospec.Client, deployed: Project, tmp_path: Path
) -> None:
    target = tmp_path / "tasks.yaml"
    target.write_text("mine")
    with pytest.raises(ospec.ArtifactExistsError):
        client.download_artifact(deployed.id, "task_breakdown", target)
    assert target.read_text() == "mine"
    client.download_artifact(deployed.id, "task_breakdown", target, overwrite=True)
    assert target.read_text().startswith(("tasks:", "project"))
    assert [p.name for p in tmp_path.iterdir()] == ["tasks.yaml"]  # no temp file left


def test_a_download_into_an_existing_folder_keeps_the_server_name(
    client: ospec.Client, deployed: Project, tmp_path: Path
) -> None:
    saved = client.download_artifact(deployed.id, "security_scan", tmp_path)
    assert saved == tmp_path / f"{deployed.spec_id}-security.json"
    assert saved.read_bytes().startswith(b"{")


def test_webhooks_are_registered_and_their_deliveries_listed(
    client: ospec.Client, receiver: Receiver
) -> None:
    hook = client.register_webhook(receiver.url, ["project.created"], "s3cret")
    assert isinstance(hook, Webhook) and hook.events == ["project.created"]
    created = client.create_project(new_spec())

    def delivered() -> list[WebhookDelivery] | None:
        page = client.list_webhook_deliveries(hook.id, status="delivered")
        return page.deliveries or None

    (delivery,) = wait_until(delivered, what="the project.created delivery")
    assert delivery.event == "project.created" and delivery.project_id == created.id
    assert delivery.last_status_code == 200 and delivery.attempts == 1


def test_create_api_key_returns_the_secret_once_and_hides_it(client: ospec.Client) -> None:
    key = client.create_api_key("reader", ["projects:read"], "2099-01-01T00:00:00Z")
    assert isinstance(key, ApiKey) and key.scopes == ["projects:read"]
    assert key.api_key.startswith("ospec_sk_") and key.api_key not in repr(key)
    assert key.expires_at is not None and key.expires_at.year == 2099


def test_a_missing_scope_is_named(sandbox: SandboxProcess) -> None:
    reader = sandbox.make_key(["projects:read"])
    with ospec.Client(reader, base_url=sandbox.base_url, retries=FAST_RETRIES) as c:
        assert c.list_projects() is not None
        with pytest.raises(ospec.PermissionDeniedError) as caught:
            c.create_project(new_spec())
    err = caught.value
    assert err.required_scope == "projects:create" and err.granted_scopes == ["projects:read"]
    assert str(err).startswith("missing scope 'projects:create'")


def test_an_invalid_token_is_an_authentication_error(sandbox: SandboxProcess) -> None:
    c = ospec.Client("ospec_sk_not-a-real-key", base_url=sandbox.base_url)
    with c, pytest.raises(ospec.AuthenticationError) as caught:
        c.get_project("proj_x")
    assert caught.value.status_code == 401
