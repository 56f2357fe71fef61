"""Opaque cursors and page-size parameters shared by the list endpoints (edge)."""

from __future__ import annotations

import base64

from starlette.requests import Request

from ospec.sandbox.errors import ApiError

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"s:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, seq = raw.partition(":")
        if kind != "s" or not seq.isdigit():
            raise ValueError(raw)
        return int(seq)
    except ValueError as exc:  # binascii.Error and UnicodeDecodeError are ValueErrors too
        raise ApiError(
            400, "invalid_parameter", "cursor is not a cursor this API returned"
        ) from exc


def limit_of(request: Request) -> int:
    raw = request.query_params.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(400, "invalid_parameter", f"limit must be an integer from 1 to {MAX_LIMIT}")
    return int(raw)


def choice_of(request: Request, name: str, allowed: tuple[str, ...]) -> str | None:
    raw = request.query_params.get(name)
    if raw is not None and raw not in allowed:
        raise ApiError(400, "invalid_parameter", f"{name} must be one of: {', '.join(allowed)}")
    return raw
