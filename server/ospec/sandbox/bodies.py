"""Request bodies: media type checks (415), JSON and UTF-8 decoding, field helpers (edge)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from ospec.sandbox.errors import ApiError

JSON_TYPES = ("application/json",)
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def read(request: Request, accepted: tuple[str, ...]) -> bytes:
    found = media_type(request)
    if found not in accepted:
        raise ApiError(
            415,
            "unsupported_media_type",
            f"send the body as Content-Type: {accepted[0]} (got {found or 'none'})",
            accepted=list(accepted),
        )
    return await request.body()


def text_of(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "invalid_encoding", f"the body is not UTF-8: {exc.reason}") from exc


async def read_json(request: Request) -> dict[str, Any]:
    body = await read(request, JSON_TYPES)
    try:
        data = json.loads(text_of(body))
    except (ValueError, RecursionError) as exc:
        raise ApiError(400, "invalid_json", f"the body is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ApiError(422, "invalid_request", "the body must be a JSON object")
    return data


def check_fields(body: dict[str, Any], allowed: set[str], required: set[str]) -> None:
    unknown = set(body) - allowed
    if unknown:
        raise ApiError(422, "invalid_request", f"unknown fields: {', '.join(sorted(unknown))}")
    missing = required - set(body)
    if missing:
        raise ApiError(422, "invalid_request", f"missing fields: {', '.join(sorted(missing))}")


def string(body: dict[str, Any], name: str, max_len: int, *, pattern: Any = None) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not 0 < len(value) <= max_len:
        raise ApiError(422, "invalid_request", f"{name} must be a string of 1-{max_len} characters")
    if pattern is not None and not pattern.match(value):
        raise ApiError(422, "invalid_request", f"{name} has an invalid format")
    return value


def choices(body: dict[str, Any], name: str, allowed: tuple[str, ...]) -> list[str]:
    value = body.get(name)
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v in allowed for v in value)
    ):
        raise ApiError(
            422,
            "invalid_request",
            f"{name} must be a non-empty list of: {', '.join(allowed)}",
            allowed=list(allowed),
        )
    return list(dict.fromkeys(value))  # de-duplicated, order kept
