"""`ospec.AsyncClient` against the real sandbox: the same methods as `Client`, awaited."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

import ospec
from ospec.sdk import CreatedProject, Project

from .conftest import FAST_RETRIES, TASKS, Receiver, SandboxProcess, spec_yaml

FAST_POLL = {"poll_interval": 0.05, "max_poll_interval": 0.2, "timeout": 30}


def new_spec(*tags: str) -> str:
    return spec_yaml(f"async-{uuid.uuid4().hex[:8]}", tasks=TASKS, tags=tags)


async def test_create_get_and_spec(aclient: ospec.AsyncClient) -> None:
    text = new_spec()
    created = await aclient.create_project(text)
    assert isinstance(created, CreatedProject) and not created.replayed
    project = await aclient.get_project(created.id)
    assert isinstance(project, Project) and project.name == created.name
    assert await aclient.get_spec(created.id) == text


async def test_create_with_errors_raises_findings(aclient: ospec.AsyncClient) -> None:
    with pytest.raises(ospec.SpecValidationError) as caught:
        await aclient.create_project('ospec_version: "1.0.0"\nid: x\n\tname: tab\n')
    first = caught.value.errors[0]
    assert (first.code, first.line, first.column) == ("OSPEC-Y003", 3, 1)


async def test_idempotent_replay(aclient: ospec.AsyncClient) -> None:
    text, key = new_spec(), f"async-{uuid.uuid4()}"
    first = await aclient.create_project(text, idempotency_key=key)
    again = await aclient.create_project(text, idempotency_key=key)
    assert again.id == first.id and again.replayed


async def test_list_and_iterate(aclient: ospec.AsyncClient) -> None:
    ids = {(await aclient.create_project(new_spec())).id for _ in range(3)}
    page = await aclient.list_projects(limit=2)
    assert len(page.projects) == 2 and page.next_cursor
    every = [p.id async for p in aclient.iter_projects(page_size=2)]
    assert ids <= set(every) and len(every) == len(set(every))


async def test_watch_to_deployed(aclient: ospec.AsyncClient) -> None:
    created = await aclient.create_project(new_spec())
    phases = [p.current_phase async for p in aclient.watch_project(created.id, **FAST_POLL)]
    assert phases[0] == "specification" and phases[-1] == "deployed"
    assert "implementation" in phases


async def test_wait_for_completion_with_progress_and_failure(aclient: ospec.AsyncClient) -> None:
    created = await aclient.create_project(new_spec("sandbox-fail-validation"))
    seen: list[Project] = []
    final = await aclient.wait_for_completion(created.id, on_progress=seen.append, **FAST_POLL)
    assert final.status == "failed" and final.failed_phase == "validation"
    assert seen[-1] == final and len(seen) >= 2


async def test_two_projects_are_watched_concurrently(aclient: ospec.AsyncClient) -> None:
    a, b = [await aclient.create_project(new_spec()) for _ in range(2)]
    finals = await asyncio.gather(
        aclient.wait_for_completion(a.id, **FAST_POLL),
        aclient.wait_for_completion(b.id, **FAST_POLL),
    )
    assert [f.status for f in finals] == ["deployed", "deployed"]


async def test_agents(aclient: ospec.AsyncClient) -> None:
    created = await aclient.create_project(new_spec())
    agent = f"agent-{uuid.uuid4().hex[:6]}"
    done = await aclient.assign_agent(created.id, "planner", agent, ["planning"])
    assert (done.role, done.priority) == ("planner", "medium")
    assert (await aclient.get_agent_status(agent)).agent_id == agent


async def test_artifacts_download_and_no_overwrite(
    aclient: ospec.AsyncClient, tmp_path: Path
) -> None:
    created = await aclient.create_project(new_spec())
    await aclient.wait_for_completion(created.id, **FAST_POLL)
    found = await aclient.get_artifacts(created.id)
    source = next(a for a in found if a.type == "source_code")
    saved = await aclient.download_artifact(created.id, source, tmp_path)
    assert saved.name == f"{created.spec_id}-source.zip"
    assert saved.read_bytes()[:2] == b"PK" and saved.stat().st_size == source.size_bytes
    with pytest.raises(ospec.ArtifactExistsError):
        await aclient.download_artifact(created.id, source, tmp_path)
    assert await aclient.download_artifact(created.id, source, tmp_path, overwrite=True) == saved


async def test_webhooks_and_keys(aclient: ospec.AsyncClient, receiver: Receiver) -> None:
    hook = await aclient.register_webhook(receiver.url, ["project.created"], "s3cret")
    page = await aclient.list_webhook_deliveries(hook.id)
    assert page.deliveries == [] and page.next_cursor is None
    key = await aclient.create_api_key("async reader", ["projects:read"])
    assert key.scopes == ["projects:read"] and key.api_key


async def test_errors_are_the_same_types(sandbox: SandboxProcess) -> None:
    reader = sandbox.make_key(["projects:read"])
    async with ospec.AsyncClient(reader, base_url=sandbox.base_url, retries=FAST_RETRIES) as c:
        with pytest.raises(ospec.PermissionDeniedError) as caught:
            await c.assign_agent("proj_x", "planner", "agent-x")
        assert caught.value.required_scope == "agents:write"
        with pytest.raises(ospec.NotFoundError):
            await c.get_project("proj_missing")
    async with ospec.AsyncClient("ospec_sk_wrong", base_url=sandbox.base_url) as c:
        with pytest.raises(ospec.AuthenticationError):
            await c.list_projects()
