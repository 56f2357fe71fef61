"""Webhook subscriptions, signed payloads, a persistent delivery queue with retries (edge)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from ospec.sandbox.aio import wait_event
from ospec.sandbox.config import iso, new_id
from ospec.sandbox.errors import ApiError
from ospec.sandbox.pagination import newest_first

if TYPE_CHECKING:
    import sqlite3

    from ospec.sandbox.config import Settings
    from ospec.sandbox.store import Store

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-OSpec-Signature"
_SIGNATURE_MEMBER = b',"signature":'
_MAX_IN_FLIGHT = 16
USER_AGENT = "ospec-sandbox-webhooks/1"


def sign(secret: str, data: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def render(payload: dict[str, Any], secret: str) -> bytes:
    """Compact, key-sorted JSON with `signature` appended as the last member.

    The in-payload signature is the HMAC of the body without that member, i.e. of
    `body[:body.rindex(b',"signature":')] + b"}"`; the header signs the whole body.
    """
    unsigned = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    signature = sign(secret, unsigned)
    return unsigned[:-1] + _SIGNATURE_MEMBER + json.dumps(signature).encode() + b"}"


def unsigned_part(body: bytes) -> bytes:
    """What the in-payload signature covers (the inverse of `render`), for receivers and tests."""
    return body[: body.rindex(_SIGNATURE_MEMBER)] + b"}"


def check_url(url: object, allow_hosts: tuple[str, ...]) -> str:
    if not isinstance(url, str) or not 0 < len(url) <= 2048:
        raise ApiError(422, "invalid_request", "url must be a string of at most 2048 characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as exc:
        raise ApiError(422, "invalid_url", f"url is not a valid URL: {exc}") from exc
    if parts.scheme not in ("http", "https") or not host:
        raise ApiError(422, "invalid_url", "url must be an absolute http:// or https:// URL")
    if allow_hosts and host.lower() not in allow_hosts:
        raise ApiError(
            422,
            "webhook_host_not_allowed",
            f"this sandbox only delivers webhooks to: {', '.join(allow_hosts)}",
            allowed_hosts=list(allow_hosts),
        )
    return url


def webhook_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "webhook_id": row["id"],
        "url": row["url"],
        "events": json.loads(row["events"]),
        "created_at": iso(row["created_at"]),
        "active": row["deleted_at"] is None,
    }


def create(store: Store, url: str, events: list[str], secret: str, key_id: str) -> dict[str, Any]:
    webhook_id = new_id("wh")
    with store.transaction():
        store.execute(
            """INSERT INTO webhooks (id, url, events, secret, created_by, created_at)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (webhook_id, url, json.dumps(events), secret, key_id, time.time()),
        )
    return webhook_json(get_row(store, webhook_id))


def get_row(store: Store, webhook_id: str) -> sqlite3.Row:
    row = store.one("SELECT * FROM webhooks WHERE id = ? AND deleted_at IS NULL", (webhook_id,))
    if row is None:
        raise ApiError(404, "webhook_not_found", f"no webhook {webhook_id}")
    return row


def delete(store: Store, webhook_id: str) -> int:
    """Deactivate the webhook and cancel its pending deliveries; returns how many were cancelled."""
    get_row(store, webhook_id)
    now = time.time()
    with store.transaction():
        store.execute("UPDATE webhooks SET deleted_at = ? WHERE id = ?", (now, webhook_id))
        cur = store.execute(
            """UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, updated_at = ?
               WHERE webhook_id = ? AND status = 'pending'""",
            (now, webhook_id),
        )
    return cur.rowcount


def emit(store: Store, event: str, project_id: str, data: dict[str, Any], now: float) -> int:
    """Queue one delivery per subscribed webhook; call inside the transaction that caused it."""
    hooks = [
        row
        for row in store.all("SELECT id, events, secret FROM webhooks WHERE deleted_at IS NULL")
        if event in json.loads(row["events"])
    ]
    if not hooks:
        return 0
    event_id = new_id("evt")
    payload = {
        "id": event_id,
        "event": event,
        "timestamp": iso(now),
        "project_id": project_id,
        "data": data,
    }
    for hook in hooks:
        store.execute(
            """INSERT INTO deliveries (id, webhook_id, event_id, event, project_id, body, status,
                                       next_attempt_at, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)""",
            (
                new_id("dlv"),
                hook["id"],
                event_id,
                event,
                project_id,
                render(payload, hook["secret"]),
                now,
                now,
                now,
            ),
        )
    return len(hooks)


def deliveries_page(
    store: Store, webhook_id: str, status: str | None, limit: int, cursor: str | None
) -> dict[str, Any]:
    """Deliveries newest first, each with its attempt log."""
    rows, next_cursor = newest_first(
        store, "deliveries", {"webhook_id": webhook_id, "status": status}, limit, cursor
    )
    attempts: dict[str, list[dict[str, Any]]] = {row["id"]: [] for row in rows}
    if rows:
        marks = ",".join("?" * len(rows))
        for a in store.all(
            f"SELECT * FROM delivery_attempts WHERE delivery_id IN ({marks}) ORDER BY attempt",
            [row["id"] for row in rows],
        ):
            attempts[a["delivery_id"]].append(
                {
                    "attempt": a["attempt"],
                    "at": iso(a["at"]),
                    "status_code": a["status_code"],
                    "error": a["error"],
                    "duration_ms": round(a["duration_ms"], 1),
                }
            )
    return {
        "deliveries": [_delivery_json(row, attempts[row["id"]]) for row in rows],
        "next_cursor": next_cursor,
    }


def _delivery_json(row: sqlite3.Row, attempts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "delivery_id": row["id"],
        "webhook_id": row["webhook_id"],
        "event_id": row["event_id"],
        "event": row["event"],
        "project_id": row["project_id"],
        "status": row["status"],
        "attempts": row["attempts"],
        "next_attempt_at": iso(row["next_attempt_at"]) if row["status"] == "pending" else None,
        "last_status_code": row["last_status_code"],
        "last_error": row["last_error"],
        "created_at": iso(row["created_at"]),
        "delivered_at": iso(row["delivered_at"]),
        "payload": json.loads(row["body"]),
        "attempt_log": attempts,
    }


class DeliveryWorker:
    """Sends due deliveries; state lives in SQLite, so a restart simply picks up what is pending."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._wake = asyncio.Event()
        self._in_flight: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        async with httpx.AsyncClient(trust_env=False, follow_redirects=False) as client:
            try:
                while not self._stopping:
                    self._dispatch(client)
                    await self._sleep()
            finally:
                for task in list(self._tasks):
                    task.cancel()
                await asyncio.gather(*self._tasks, return_exceptions=True)

    def _dispatch(self, client: httpx.AsyncClient) -> None:
        room = _MAX_IN_FLIGHT - len(self._in_flight)
        if room <= 0:
            return
        rows = self.store.all(
            """SELECT d.id, d.event, d.body, w.url, w.secret FROM deliveries d
               JOIN webhooks w ON w.id = d.webhook_id
               WHERE d.status = 'pending' AND d.next_attempt_at <= ?
               ORDER BY d.next_attempt_at, d.seq LIMIT ?""",
            (time.time(), room + len(self._in_flight)),
        )
        for row in rows:
            if row["id"] in self._in_flight or len(self._in_flight) >= _MAX_IN_FLIGHT:
                continue
            self._in_flight.add(row["id"])
            task = asyncio.create_task(self._attempt(client, row))
            self._tasks.add(task)
            task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("webhook delivery task failed", exc_info=task.exception())
        self._wake.set()

    async def _sleep(self) -> None:
        """Wait for the next due delivery, a finished attempt or new work; always yields."""
        timeout = 1.0
        if len(self._in_flight) < _MAX_IN_FLIGHT:
            marks = ",".join("?" * len(self._in_flight))
            row = self.store.one(
                "SELECT MIN(next_attempt_at) AS due FROM deliveries WHERE status = 'pending'"
                + (f" AND id NOT IN ({marks})" if self._in_flight else ""),
                list(self._in_flight),
            )
            if row is not None and row["due"] is not None:
                timeout = min(1.0, row["due"] - time.time())
        await wait_event(self._wake, timeout)
        self._wake.clear()

    async def _attempt(self, client: httpx.AsyncClient, row: sqlite3.Row) -> None:
        body: bytes = row["body"]
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-OSpec-Event": row["event"],
            "X-OSpec-Delivery": row["id"],
        }
        started = time.monotonic()
        code: int | None = None
        error: str | None = None
        try:
            headers[SIGNATURE_HEADER] = sign(row["secret"], body)
            response = await client.post(
                row["url"], content=body, headers=headers, timeout=self.settings.webhook_timeout
            )
            code = response.status_code
            if not 200 <= code < 300:
                error = f"receiver answered HTTP {code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}".rstrip(": ")
        finally:
            self._in_flight.discard(row["id"])
        self._record(row["id"], code, error, (time.monotonic() - started) * 1000)

    def _record(self, delivery_id: str, code: int | None, error: str | None, ms: float) -> None:
        now = time.time()
        with self.store.transaction():
            row = self.store.one(
                "SELECT status, attempts FROM deliveries WHERE id = ?", (delivery_id,)
            )
            if row is None:
                return
            attempt = row["attempts"] + 1
            self.store.execute(
                """INSERT OR REPLACE INTO delivery_attempts
                   (delivery_id, attempt, at, status_code, error, duration_ms)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                (delivery_id, attempt, now, code, error, ms),
            )
            status, next_at, delivered = "pending", None, None
            if error is None:
                status, delivered = "delivered", now
            elif attempt >= self.settings.webhook_max_attempts:
                status = "failed"
            else:
                next_at = now + self.backoff(attempt)
            if row["status"] != "pending":  # cancelled while in flight: keep the log, not the retry
                status, next_at = row["status"], None
            self.store.execute(
                """UPDATE deliveries SET status = ?, attempts = ?, next_attempt_at = ?,
                       last_status_code = ?, last_error = ?, delivered_at = ?, updated_at = ?
                   WHERE id = ?""",
                (status, attempt, next_at, code, error, delivered, now, delivery_id),
            )

    def backoff(self, attempt: int) -> float:
        """Seconds before retry number `attempt`: base * 2^(attempt-1), capped."""
        return min(
            self.settings.webhook_max_backoff, self.settings.webhook_backoff * 2.0 ** (attempt - 1)
        )
