"""Every failure is a JSON error body: 400, 404, 405, 413, 415, 422, 429 (with Retry-After)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ospec.sandbox.app import create_app
from ospec.sandbox.config import Settings

from .conftest import SandboxProcess, spec_yaml, wait_until


def assert_error(
    response: httpx.Response, status: int, code: str | None = None
) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    error: dict[str, object] = response.json()["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str)
    if code:
        assert error["code"] == code
    return error


def test_unknown_route_and_method(admin: httpx.Client) -> None:
    assert_error(admin.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(admin.get("/api/v1/projects/"), 404, "not_found")  # no redirect, still JSON
    assert_error(admin.get("/"), 404)
    response = admin.delete("/api/v1/projects")
    assert_error(response, 405, "method_not_allowed")
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert_error(admin.get("/api/v1/projects/proj_nope"), 404, "project_not_found")


def test_wrong_media_type_is_415(admin: httpx.Client) -> None:
    error = assert_error(
        admin.post(
            "/api/v1/projects", content=spec_yaml("x-415"), headers={"Content-Type": "text/plain"}
        ),
        415,
        "unsupported_media_type",
    )
    assert "application/yaml" in str(error["message"])
    assert_error(
        admin.post("/api/v1/webhooks", content="{}", headers={"Content-Type": "application/yaml"}),
        415,
    )
    assert_error(admin.post("/api/v1/projects", content=b"x"), 415)


def test_malformed_bodies(admin: httpx.Client) -> None:
    assert_error(
        admin.post(
            "/api/v1/webhooks", content="{nope", headers={"Content-Type": "application/json"}
        ),
        400,
        "invalid_json",
    )
    assert_error(admin.post("/api/v1/webhooks", json=[1, 2]), 422)
    deep = "[" * 100_000 + "]" * 100_000
    assert_error(
        admin.post("/api/v1/webhooks", content=deep, headers={"Content-Type": "application/json"}),
        400,
    )
    assert_error(
        admin.post(
            "/api/v1/projects", content=b"\xff\xfe", headers={"Content-Type": "application/yaml"}
        ),
        400,
        "invalid_encoding",
    )
    assert_error(
        admin.post("/api/v1/projects", content=b"", headers={"Content-Type": "application/yaml"}),
        422,
        "spec_invalid",
    )


def test_body_over_the_limit_is_413(admin: httpx.Client) -> None:
    big = b"# padding\n" * 110_000  # 1.1 MB against the default 1 MiB limit
    declared = admin.post(
        "/api/v1/projects", content=big, headers={"Content-Type": "application/yaml"}
    )
    error = assert_error(declared, 413, "payload_too_large")
    assert error["limit_bytes"] == 1024 * 1024

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit applies while streaming
        for _ in range(11):
            yield b"#" * 100_000 + b"\n"

    streamed = admin.post(
        "/api/v1/projects", content=chunks(), headers={"Content-Type": "application/yaml"}
    )
    assert_error(streamed, 413, "payload_too_large")
    assert admin.get("/api/v1/projects", params={"limit": 1}).status_code == 200


def test_rate_limit_is_429_with_retry_after(start_sandbox: Callable[..., SandboxProcess]) -> None:
    sandbox = start_sandbox(["--rate-limit", "2", "--rate-burst", "3"], admin_key="ospec_sk_rate")
    other = sandbox.make_key(["projects:read"])  # its own bucket
    with sandbox.client() as client, sandbox.client(other) as second:
        statuses = [client.get("/api/v1/projects").status_code for _ in range(8)]
        assert statuses[:2] == [200, 200] and 429 in statuses
        limited = client.get("/api/v1/projects")
        error = assert_error(limited, 429, "rate_limited")
        assert int(limited.headers["retry-after"]) >= 1
        assert float(str(error["retry_after"])) > 0
        assert second.get("/api/v1/projects").status_code == 200

        def recovered() -> bool:
            return client.get("/api/v1/projects").status_code == 200

        wait_until(recovered, timeout=5, interval=0.25, what="the bucket to refill")


def test_unexpected_exception_is_a_json_500(tmp_path: Path) -> None:
    async def boom(request: Request) -> Response:
        raise RuntimeError("bug")

    app = create_app(Settings(data_dir=tmp_path))
    app.router.routes.append(Route("/boom", boom))

    async def call() -> httpx.Response:
        # No lifespan runs, so no database is needed; ServerErrorMiddleware re-raises after
        # answering, which the transport is told to tolerate.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
            return await client.get("/boom")

    assert_error(asyncio.run(call()), 500, "internal_error")
