"""Idempotent project creation: one project per (API key, Idempotency-Key), even under a race."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import httpx

from .conftest import SandboxProcess, create_project, report, spec_yaml

DUPLICATES = 24


def all_projects(client: httpx.Client) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 100}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/v1/projects", params=params).json()
        found += page["projects"]
        cursor = page["next_cursor"]
        if not cursor:
            return found


async def post_many(base_url: str, key: str, body: bytes, idem: str) -> list[httpx.Response]:
    headers = {
        "Authorization": f"Bearer {key}",
        "Content-Type": "application/yaml",
        "Idempotency-Key": idem,
    }
    limits = httpx.Limits(max_connections=DUPLICATES)
    async with httpx.AsyncClient(base_url=base_url, trust_env=False, limits=limits) as client:
        return await asyncio.gather(
            *(
                client.post("/api/v1/projects", content=body, headers=headers)
                for _ in range(DUPLICATES)
            )
        )


def test_concurrent_duplicates_create_one_project(
    sandbox: SandboxProcess, admin: httpx.Client
) -> None:
    spec_id = f"idem-{secrets.token_hex(4)}"
    body = spec_yaml(spec_id).encode()
    responses = asyncio.run(post_many(sandbox.base_url, sandbox.admin_key or "", body, spec_id))
    assert [r.status_code for r in responses] == [201] * DUPLICATES
    ids = {r.json()["project_id"] for r in responses}
    assert len(ids) == 1
    fresh = [r for r in responses if "idempotent-replayed" not in r.headers]
    assert len(fresh) == 1, "exactly one request should have created the project"
    assert {r.json()["created_at"] for r in responses} == {fresh[0].json()["created_at"]}
    listed = [p for p in all_projects(admin) if p["spec_id"] == spec_id]
    assert [p["project_id"] for p in listed] == list(ids)
    report(f"{DUPLICATES} concurrent duplicate POSTs -> 1 project ({ids.pop()})")


def test_same_key_with_another_body_is_a_conflict(admin: httpx.Client) -> None:
    key = f"conflict-{secrets.token_hex(4)}"
    first = create_project(admin, spec_yaml(key), **{"Idempotency-Key": key})
    again = create_project(admin, spec_yaml(key), **{"Idempotency-Key": key})
    assert again["project_id"] == first["project_id"]
    other = admin.post(
        "/api/v1/projects",
        content=spec_yaml(key + "-other"),
        headers={"Content-Type": "application/yaml", "Idempotency-Key": key},
    )
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"


def test_without_a_key_each_post_is_a_new_project(admin: httpx.Client) -> None:
    text = spec_yaml(f"twice-{secrets.token_hex(4)}")
    assert create_project(admin, text)["project_id"] != create_project(admin, text)["project_id"]


def test_keys_are_scoped_per_api_key(sandbox: SandboxProcess, admin: httpx.Client) -> None:
    idem = f"scoped-{secrets.token_hex(4)}"
    text = spec_yaml(idem)
    other = sandbox.make_key(["projects:create"])
    with sandbox.client(other) as client:
        a = create_project(admin, text, **{"Idempotency-Key": idem})
        b = create_project(client, text, **{"Idempotency-Key": idem})
    assert a["project_id"] != b["project_id"]


def test_invalid_idempotency_key_is_400(admin: httpx.Client) -> None:
    response = admin.post(
        "/api/v1/projects",
        content=spec_yaml("bad-idem"),
        headers={"Content-Type": "application/yaml", "Idempotency-Key": "x" * 300},
    )
    assert response.status_code == 400
