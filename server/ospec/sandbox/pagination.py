"""The list endpoints' paging: opaque cursors, page-size parameters, the page query (edge)."""

from __future__ import annotations

import base64
import sqlite3
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from ospec.sandbox.errors import ApiError

if TYPE_CHECKING:
    from ospec.sandbox.store import Store

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


def newest_first(
    store: Store,
    table: str,
    where: dict[str, Any],
    limit: int,
    cursor: str | None,
) -> tuple[list[sqlite3.Row], str | None]:
    """One page of the rows whose columns equal `where` (None: any), newest first; next cursor."""
    before = decode_cursor(cursor)
    terms = [(f"{column} = ?", value) for column, value in where.items() if value is not None]
    if before is not None:
        terms.append(("seq < ?", before))
    sql = f"SELECT * FROM {table}"  # table and columns are ours, never the client's
    if terms:
        sql += " WHERE " + " AND ".join(term for term, _ in terms)
    rows = store.all(sql + " ORDER BY seq DESC LIMIT ?", [*(v for _, v in terms), limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1]["seq"]) if more else None


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
