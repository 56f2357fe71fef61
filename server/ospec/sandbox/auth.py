"""API keys (stored as sha256 hashes), scopes, and the `requires(scope)` guard (edge)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from ospec.sandbox.config import iso, new_id
from ospec.sandbox.errors import ApiError

if TYPE_CHECKING:
    from ospec.sandbox.store import Store

ADMIN = "admin"
KEY_PREFIX = "ospec_sk_"
BOOTSTRAP_KEY_ID = "key_admin"

Handler = Callable[[Request, "Principal"], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Principal:
    """The API key a request authenticated with."""

    key_id: str
    scopes: frozenset[str]

    def has(self, scope: str) -> bool:
        return scope in self.scopes or ADMIN in self.scopes


def generate_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    # Keys are 256 random bits, so a fast unsalted hash is enough; no password stretching needed.
    return hashlib.sha256(key.encode()).hexdigest()


def requires(scope: str) -> Callable[[Handler], Endpoint]:
    """Wrap a handler so it runs only for a valid, unexpired key holding `scope` (or admin)."""

    def wrap(handler: Handler) -> Endpoint:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            sandbox = request.app.state.sandbox
            principal = authenticate(sandbox.store, request, scope, sandbox.limiter.check)
            return await handler(request, principal)

        endpoint.required_scope = scope  # type: ignore[attr-defined]
        return endpoint

    return wrap


def authenticate(
    store: Store, request: Request, scope: str, rate_check: Callable[[str], None]
) -> Principal:
    header = request.headers.get("authorization")
    if not header:
        raise _unauthorized("missing_api_key", "send the API key as 'Authorization: Bearer <key>'")
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized(
            "invalid_authorization", "the Authorization header must be 'Bearer <key>'"
        )
    digest = hash_key(token)
    row = store.one("SELECT * FROM api_keys WHERE key_hash = ?", (digest,))
    if row is None or not hmac.compare_digest(row["key_hash"], digest):
        raise _unauthorized("invalid_api_key", "the API key is not valid")
    if row["revoked_at"] is not None:
        raise _unauthorized("revoked_api_key", f"API key {row['id']} has been revoked")
    if row["expires_at"] is not None and row["expires_at"] <= time.time():
        raise _unauthorized(
            "expired_api_key", f"API key {row['id']} expired at {iso(row['expires_at'])}"
        )
    rate_check(row["id"])
    principal = Principal(row["id"], frozenset(json.loads(row["scopes"])))
    if not principal.has(scope):
        raise ApiError(
            403,
            "insufficient_scope",
            f"this endpoint requires the '{scope}' scope",
            headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'},
            required_scope=scope,
            granted_scopes=sorted(principal.scopes),
        )
    return principal


def _unauthorized(code: str, message: str) -> ApiError:
    return ApiError(
        401, code, message, headers={"WWW-Authenticate": 'Bearer realm="ospec-sandbox"'}
    )


def ensure_admin_key(store: Store, env_key: str | None, *, reset: bool = False) -> str | None:
    """Make sure the bootstrap admin key exists; return its plaintext only when newly generated."""
    existing = store.one("SELECT id FROM api_keys WHERE id = ?", (BOOTSTRAP_KEY_ID,))
    if env_key:
        _store_admin(store, hash_key(env_key))
        return None
    if existing is not None and not reset:
        return None
    key = generate_key()
    _store_admin(store, hash_key(key))
    return key


def _store_admin(store: Store, digest: str) -> None:
    with store.transaction():
        store.execute(
            """INSERT INTO api_keys (id, name, key_hash, scopes, created_at, bootstrap)
               VALUES (?, 'bootstrap admin', ?, ?, ?, 1)
               ON CONFLICT (id) DO UPDATE SET key_hash = excluded.key_hash, revoked_at = NULL""",
            (BOOTSTRAP_KEY_ID, digest, json.dumps([ADMIN]), time.time()),
        )


def create_key(
    store: Store, name: str, scopes: list[str], expires_at: float | None
) -> tuple[dict[str, Any], str]:
    key = generate_key()
    key_id = new_id("key")
    now = time.time()
    with store.transaction():
        store.execute(
            """INSERT INTO api_keys (id, name, key_hash, scopes, created_at, expires_at)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (key_id, name, hash_key(key), json.dumps(scopes), now, expires_at),
        )
    row = store.one("SELECT * FROM api_keys WHERE id = ?", (key_id,))
    assert row is not None
    return key_json(row), key


def key_json(row: Any) -> dict[str, Any]:
    return {
        "api_key_id": row["id"],
        "name": row["name"],
        "scopes": json.loads(row["scopes"]),
        "created_at": iso(row["created_at"]),
        "expires_at": iso(row["expires_at"]),
        "revoked_at": iso(row["revoked_at"]),
    }
