"""Auth: every endpoint x a key lacking its scope (403), no key, bad or expired key (401)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from ruamel.yaml import YAML

from ospec.api_terms import SCOPES

from .conftest import (
    OPENAPI,
    SandboxProcess,
    create_project,
    iso_in,
    report,
    spec_yaml,
    wait_until,
)

METHODS = ("get", "put", "post", "delete", "patch")


def operations() -> list[tuple[str, str, str]]:
    """(method, path, scope) for every operation in the OpenAPI description."""
    doc = YAML(typ="safe").load(OPENAPI.read_text())
    found = []
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                (requirement,) = item[method]["security"]
                (scope,) = requirement["bearerAuth"]
                found.append((method.upper(), path, scope))
    return found


OPERATIONS = operations()


class World:
    """Real resources to fill path parameters, so a request can only fail on authorization."""

    def __init__(self, sandbox: SandboxProcess, admin: httpx.Client) -> None:
        self.sandbox = sandbox
        self.admin = admin
        self.webhooks: list[str] = []
        self.project_id = create_project(admin, spec_yaml(f"auth-{secrets.token_hex(3)}"))[
            "project_id"
        ]

    def fill(self, path: str) -> str:
        values = {
            "project_id": self.project_id,
            "role": "implementer",
            "artifact_type": "task_breakdown",
            "agent_id": "sandbox-implementer",
            "webhook_id": self.new_webhook(),
            "api_key_id": self.new_key_id(),
        }
        for name, value in values.items():
            if "{" + name + "}" in path:
                path = path.replace("{" + name + "}", value)
        return path

    def new_webhook(self) -> str:
        response = self.admin.post(
            "/api/v1/webhooks",
            json={"url": "http://127.0.0.1:9/hook", "events": ["project.failed"], "secret": "s"},
        )
        webhook_id: str = response.json()["webhook_id"]
        self.webhooks.append(webhook_id)
        return webhook_id

    def new_key_id(self) -> str:
        response = self.admin.post(
            "/api/v1/auth/api-keys", json={"name": "throwaway", "scopes": ["projects:read"]}
        )
        key_id: str = response.json()["api_key_id"]
        return key_id

    def body(self, method: str, path: str) -> dict[str, Any]:
        if method not in ("POST", "PUT"):
            return {}
        if path == "/api/v1/projects":
            text = spec_yaml(f"auth-{secrets.token_hex(3)}")
            return {"content": text, "headers": {"Content-Type": "application/yaml"}}
        json_bodies: dict[str, Any] = {
            "/api/v1/webhooks": {
                "url": "http://127.0.0.1:9/hook",
                "events": ["project.failed"],
                "secret": "s",
            },
            "/api/v1/auth/api-keys": {"name": "made", "scopes": ["projects:read"]},
            "/api/v1/_sandbox/faults": {},
        }
        return {"json": json_bodies.get(path, {"agent_id": "agent-auth"})}

    def call(self, client: httpx.Client, method: str, path: str) -> httpx.Response:
        return client.request(method, self.fill(path), **self.body(method, path))


@pytest.fixture(scope="module")
def world(sandbox: SandboxProcess) -> Iterator[World]:
    with sandbox.client() as admin:
        world = World(sandbox, admin)
        yield world
        for webhook_id in world.webhooks:  # later tests should not feed these dead URLs
            admin.delete(f"/api/v1/webhooks/{webhook_id}")


def test_every_operation_has_a_known_scope() -> None:
    assert len(OPERATIONS) >= 19
    assert {scope for _, _, scope in OPERATIONS} == set(SCOPES)


def test_scope_matrix(sandbox: SandboxProcess, world: World) -> None:
    """Each endpoint: 403 naming its scope for a key with every other scope, else authorized."""
    made = 0
    for method, path, scope in OPERATIONS:
        others = [s for s in SCOPES if s not in (scope, "admin")]
        with sandbox.client(sandbox.make_key(others)) as lacking:
            response = world.call(lacking, method, path)
            assert response.status_code == 403, (method, path, response.text)
            error = response.json()["error"]
            assert error["code"] == "insufficient_scope"
            assert error["required_scope"] == scope
            assert scope in error["message"]
            with sandbox.client(sandbox.make_key([scope])) as exact:
                allowed = world.call(exact, method, path)
            assert allowed.status_code not in (401, 403), (method, path, allowed.text)
            assert allowed.status_code < 500
            made += 2
    report(f"scope matrix: {len(OPERATIONS)} operations, {made} requests")


@pytest.mark.parametrize(("method", "path", "scope"), OPERATIONS)
def test_missing_or_bad_key_is_401(
    world: World, sandbox: SandboxProcess, method: str, path: str, scope: str
) -> None:
    with httpx.Client(base_url=sandbox.base_url, trust_env=False) as anonymous:
        for headers in (
            {},
            {"Authorization": "Bearer ospec_sk_wrong"},
            {"Authorization": "Basic x"},
        ):
            anonymous.headers.clear()
            anonymous.headers.update(headers)
            response = world.call(anonymous, method, path)
            assert response.status_code == 401, (method, path, headers)
            assert response.json()["error"]["code"] in (
                "missing_api_key",
                "invalid_api_key",
                "invalid_authorization",
            )
            assert response.headers["www-authenticate"].startswith("Bearer")


def test_expired_key_is_401(sandbox: SandboxProcess, world: World) -> None:
    key = sandbox.make_key(list(SCOPES[:-1]), expires_at=iso_in(1.0))
    with sandbox.client(key) as client:
        assert client.get(f"/api/v1/projects/{world.project_id}").status_code == 200

        def expired() -> bool:
            return client.get("/api/v1/projects").status_code == 401

        wait_until(expired, timeout=5, interval=0.05, what="the key to expire")
        for method, path, _ in OPERATIONS:
            response = world.call(client, method, path)
            assert response.status_code == 401, (method, path)
            assert response.json()["error"]["code"] == "expired_api_key"


def test_revoked_key_is_401(sandbox: SandboxProcess, admin: httpx.Client) -> None:
    created = admin.post("/api/v1/auth/api-keys", json={"name": "r", "scopes": ["projects:read"]})
    key, key_id = created.json()["api_key"], created.json()["api_key_id"]
    with sandbox.client(key) as client:
        assert client.get("/api/v1/projects").status_code == 200
        assert admin.delete(f"/api/v1/auth/api-keys/{key_id}").status_code == 204
        response = client.get("/api/v1/projects")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "revoked_api_key"


def test_key_management(admin: httpx.Client) -> None:
    created = admin.post(
        "/api/v1/auth/api-keys",
        json={"name": "CI/CD Pipeline", "scopes": ["projects:create", "projects:read"]},
    )
    assert created.status_code == 201
    body = created.json()
    assert body["api_key"].startswith("ospec_sk_") and body["api_key_id"].startswith("key_")
    listed = admin.get("/api/v1/auth/api-keys").json()["api_keys"]
    mine = next(k for k in listed if k["api_key_id"] == body["api_key_id"])
    assert "api_key" not in mine and mine["scopes"] == ["projects:create", "projects:read"]
    assert admin.delete("/api/v1/auth/api-keys/key_admin").status_code == 409
    assert admin.delete("/api/v1/auth/api-keys/key_nope").status_code == 404
    for bad in (
        {"name": "x", "scopes": ["root"]},
        {"name": "x", "scopes": []},
        {"name": "x", "scopes": ["admin"], "expires_at": "yesterday"},
        {"name": "x", "scopes": ["admin"], "expires_at": "2001-01-01T00:00:00Z"},
        {"scopes": ["admin"]},
    ):
        assert admin.post("/api/v1/auth/api-keys", json=bad).status_code == 422, bad


def test_keys_are_stored_hashed(sandbox: SandboxProcess) -> None:
    import sqlite3

    key = sandbox.make_key(["projects:read"])
    conn = sqlite3.connect(f"file:{sandbox.data_dir / 'sandbox.sqlite3'}?mode=ro", uri=True)
    try:
        stored = [row[0] for row in conn.execute("SELECT key_hash FROM api_keys")]
    finally:
        conn.close()
    assert key not in stored and sandbox.admin_key not in stored
    assert all(len(h) == 64 for h in stored)
