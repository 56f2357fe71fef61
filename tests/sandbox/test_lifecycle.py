"""A project's life over HTTP: phases, progress, agents and artifacts, to deployed or failed."""

from __future__ import annotations

import io
import json
import secrets
import zipfile
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest
from ruamel.yaml import YAML

from .conftest import TASKS, create_project, spec_yaml, wait_status, wait_until

PHASES = ["specification", "planning", "implementation", "validation", "deployment"]
ARTIFACT_TYPES = {
    "task_breakdown": ("application/yaml", "tasks.yaml"),
    "source_code": ("application/zip", "source.zip"),
    "test_results": ("application/xml", "test-results.xml"),
    "security_scan": ("application/json", "security.json"),
}


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def test_project_runs_to_deployed_with_artifacts_and_busy_agents(admin: httpx.Client) -> None:
    spec_id = unique("life")
    text = spec_yaml(spec_id, tasks=TASKS)
    created = create_project(admin, text)
    pid = created["project_id"]
    assert pid.startswith("proj_")
    assert created["status"] == "specification"
    assert created["spec_url"] == f"/api/v1/projects/{pid}/spec"
    assigned = admin.put(
        f"/api/v1/projects/{pid}/agents/implementer",
        json={"agent_id": f"agent-{spec_id}", "capabilities": ["python"], "priority": "high"},
    )
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["role"] == "implementer"

    seen: list[dict[str, Any]] = []
    busy: list[dict[str, Any]] = []

    def observe() -> bool:
        project = admin.get(f"/api/v1/projects/{pid}").json()
        seen.append(project)
        agent = admin.get(f"/api/v1/agents/agent-{spec_id}/status").json()
        if agent["status"] == "busy":
            busy.append(agent)
        return bool(project["status"] == "deployed")

    wait_until(observe, timeout=20, interval=0.01, what="deployment")
    statuses = [p["status"] for p in seen]
    order = [*PHASES, "deployed"]
    assert statuses == sorted(statuses, key=order.index), "status went backwards"
    assert {"implementation", "deployed"} <= set(statuses)
    progress = [p["progress"] for p in seen]
    assert progress == sorted(progress) and progress[-1] == 1.0
    final = seen[-1]
    assert final["current_phase"] == "deployed"
    assert final["agents"]["implementer"] == f"agent-{spec_id}"
    assert final["agents"]["reviewer"] == "sandbox-reviewer"
    assert final["tasks"] == {"completed": 3, "total": 3}
    assert "error" not in final

    # The implementer is busy while implementation and deployment run, on this project's tasks.
    assert busy, "the assigned implementer was never seen busy"
    assert all(a["current_project"] == pid for a in busy)
    tasks_seen = {a["current_task"] for a in busy}
    assert tasks_seen <= {"setup", "api", "docs", "deploy-release"}
    agent = admin.get(f"/api/v1/agents/agent-{spec_id}/status").json()
    assert agent["status"] == "idle" and agent["current_project"] is None
    assert 0 < agent["utilization"] <= 1
    assert agent["tasks_completed"] == 3
    assert agent["assignments"] == [{"project_id": pid, "role": "implementer"}]

    assert admin.get(f"/api/v1/projects/{pid}/spec").text == text
    listing = admin.get(f"/api/v1/projects/{pid}/artifacts").json()["artifacts"]
    assert {a["type"] for a in listing} == set(ARTIFACT_TYPES)
    for art in listing:
        content_type, suffix = ARTIFACT_TYPES[art["type"]]
        response = admin.get(art["url"])
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(content_type)
        assert (
            response.headers["content-disposition"] == f'attachment; filename="{spec_id}-{suffix}"'
        )
        assert len(response.content) == art["size_bytes"]
        check_artifact(art["type"], response.content, spec_id)


def check_artifact(kind: str, content: bytes, spec_id: str) -> None:
    if kind == "task_breakdown":
        doc = YAML(typ="safe").load(content)
        assert [t["id"] for t in doc["tasks"]] == ["setup", "api", "docs"]
        assert doc["tasks"][1]["dependencies"] == ["setup"]
        assert doc["spec_id"] == spec_id
    elif kind == "source_code":
        names = zipfile.ZipFile(io.BytesIO(content)).namelist()
        assert f"{spec_id}/README.md" in names and f"{spec_id}/ospec.yaml" in names
        assert len(names) >= 3
    elif kind == "test_results":
        root = ET.fromstring(content)
        assert root.tag == "testsuites" and root.get("failures") == "0"
        assert int(root.get("tests", "0")) == 3  # two endpoints and one test file
    elif kind == "security_scan":
        report = json.loads(content)
        assert report["spec_id"] == spec_id and report["issues"] == []


EXPECTED_ARTIFACTS = {
    "specification": set(),
    "planning": set(),
    "implementation": {"task_breakdown"},
    "validation": {"task_breakdown", "source_code", "test_results", "security_scan"},
    "deployment": {"task_breakdown", "source_code", "test_results", "security_scan"},
}


@pytest.mark.parametrize("phase", PHASES)
def test_tag_requests_failure_in_a_phase(admin: httpx.Client, phase: str) -> None:
    created = create_project(admin, spec_yaml(unique("fail"), tags=(f"sandbox-fail-{phase}",)))
    project = wait_status(admin, created["project_id"], ("failed", "deployed"))
    assert project["status"] == "failed"
    assert project["failed_phase"] == project["current_phase"] == phase
    assert f"sandbox-fail-{phase}" in project["error"]
    assert project["progress"] == pytest.approx((PHASES.index(phase) + 0.5) / 5)
    listing = admin.get(f"/api/v1/projects/{created['project_id']}/artifacts").json()
    assert {a["type"] for a in listing["artifacts"]} == EXPECTED_ARTIFACTS[phase]
    if phase == "validation":
        report = admin.get(f"/api/v1/projects/{created['project_id']}/artifacts/test_results")
        assert ET.fromstring(report.content).get("failures") == "1"


def test_spec_without_tasks_gets_a_derived_plan(admin: httpx.Client) -> None:
    created = create_project(admin, spec_yaml(unique("derived")))
    wait_status(admin, created["project_id"], ("deployed",))
    content = admin.get(f"/api/v1/projects/{created['project_id']}/artifacts/task_breakdown")
    doc = YAML(typ="safe").load(content.content)
    assert doc["source"] == "derived from acceptance"
    assert [t["id"] for t in doc["tasks"]] == ["scaffold", "endpoint-1", "endpoint-2", "tests"]


def test_invalid_spec_is_422_with_findings(admin: httpx.Client) -> None:
    text = 'ospec_version: "1.0.0"\nid: Not-Kebab\nname: "X"\n'
    response = admin.post(
        "/api/v1/projects", content=text, headers={"Content-Type": "application/yaml"}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "spec_invalid"
    by_code = {f["code"]: f for f in error["findings"]}
    assert by_code["OSPEC-S005"]["line"] == 2 and by_code["OSPEC-S005"]["column"] == 5
    assert {f["severity"] for f in error["findings"]} == {"error"}
    assert all({"message", "line", "column"} <= f.keys() for f in error["findings"])


def test_warnings_do_not_block(admin: httpx.Client) -> None:
    text = spec_yaml(unique("warn"), extra='metadata: {version: "2.0.0"}\n')
    created = create_project(admin, text)
    assert [f["code"] for f in created["findings"]] == ["OSPEC-R007"]
    assert created["findings"][0]["severity"] == "warning"


def test_listing_paginates_newest_first(admin: httpx.Client) -> None:
    ids = [create_project(admin, spec_yaml(unique("page")))["project_id"] for _ in range(3)]
    first = admin.get("/api/v1/projects", params={"limit": 2}).json()
    assert [p["project_id"] for p in first["projects"]] == ids[::-1][:2]
    second = admin.get("/api/v1/projects", params={"limit": 2, "cursor": first["next_cursor"]})
    assert second.json()["projects"][0]["project_id"] == ids[0]
    assert admin.get("/api/v1/projects", params={"limit": 0}).status_code == 400
    assert admin.get("/api/v1/projects", params={"cursor": "nope"}).status_code == 400
    failed = admin.get("/api/v1/projects", params={"status": "failed", "limit": 100}).json()
    assert all(p["status"] == "failed" for p in failed["projects"])


def test_agent_endpoints_reject_bad_input(admin: httpx.Client) -> None:
    pid = create_project(admin, spec_yaml(unique("agents")))["project_id"]
    bad_role = admin.put(f"/api/v1/projects/{pid}/agents/boss", json={"agent_id": "a1"})
    assert bad_role.status_code == 422 and bad_role.json()["error"]["code"] == "invalid_role"
    missing = admin.put("/api/v1/projects/proj_missing/agents/planner", json={"agent_id": "a1"})
    assert missing.status_code == 404
    bad_priority = admin.put(
        f"/api/v1/projects/{pid}/agents/planner", json={"agent_id": "a1", "priority": "urgent"}
    )
    assert bad_priority.status_code == 422
    assert admin.get("/api/v1/agents/nobody-knows-me/status").status_code == 404
    builtin = admin.get("/api/v1/agents/sandbox-planner/status")
    assert builtin.status_code == 200 and builtin.json()["status"] in ("busy", "idle")
    assert admin.get(f"/api/v1/projects/{pid}/artifacts/binary_blob").status_code == 404
