"""The I/O-free half of both clients: building requests, following redirects, and deciding after
each attempt whether to return, retry (and after how long) or raise a typed error.

`Client` and `AsyncClient` each run a loop of a few lines around these decisions, so retries,
the circuit breaker and error mapping behave identically in both.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx

from .. import __version__
from .breaker import CircuitBreaker
from .config import ClientConfig, Secret, is_loopback
from .errors import (
    APIError,
    AuthenticationError,
    ConflictError,
    ConnectionError,
    InsecureURLError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    SpecValidationError,
    TimeoutError,
    WaitTimeoutError,
)
from .models import Finding, Project
from .operations import Call
from .retry import RETRY_STATUSES, is_replay_safe, parse_retry_after

log = logging.getLogger("ospec.sdk")

MAX_REDIRECTS = 5
USER_AGENT = f"ospec-python/{__version__}"
_REDIRECTS = {301, 302, 303, 307, 308}


class Core:
    """Shared by one client: its settings, its circuit breaker and its request logic."""

    def __init__(self, config: ClientConfig, token: Secret) -> None:
        self.config = config
        self._token = token
        self.breaker = CircuitBreaker(config.circuit_breaker)
        self.origin = httpx.URL(config.api_url).copy_with(path="/", query=None, fragment=None)

    def http_options(self) -> dict[str, Any]:
        """Keyword arguments for httpx.Client / httpx.AsyncClient."""
        t = self.config.timeouts
        connect, read = t.connection_timeout_ms / 1000, t.read_timeout_ms / 1000
        options: dict[str, Any] = {
            "base_url": self.config.api_url,
            "timeout": httpx.Timeout(connect=connect, read=read, write=read, pool=connect),
            "headers": {"User-Agent": USER_AGENT, "Accept": "application/json"},
            # Redirects are followed here, so the token is never sent to another origin.
            "follow_redirects": False,
            "verify": True,
        }
        host = self.origin.host
        if is_loopback(host):
            # An HTTP_PROXY from the environment would see a plain-http token; loopback
            # traffic never needs a proxy, so it always goes direct.
            pattern = f"[{host}]" if ":" in host else host
            options["mounts"] = {f"all://{pattern}": None}
        return options

    def build(self, http: httpx.Client | httpx.AsyncClient, call: Call[Any]) -> httpx.Request:
        headers = dict(call.headers)
        if call.idempotency_key:
            headers["Idempotency-Key"] = call.idempotency_key
        request = http.build_request(
            call.method,
            self.config.api_url + call.path,
            params=call.params,
            json=call.json,
            content=call.content,
            headers=headers,
        )
        return self._authorize(request)

    def redirect(
        self, http: httpx.Client | httpx.AsyncClient, request: httpx.Request, response: Any
    ) -> httpx.Request | None:
        """The request to send next for a redirect response, or None if it is not one."""
        location = response.headers.get("location")
        if response.status_code not in _REDIRECTS or not location:
            return None
        url = httpx.URL(urljoin(str(request.url), location))
        if (
            url.scheme == "http"
            and not self.config.allow_insecure_http
            and not is_loopback(url.host)
        ):
            raise InsecureURLError(f"refusing a redirect to plain HTTP on {url.host}")
        method = request.method
        if response.status_code in (301, 302, 303) and method not in ("GET", "HEAD"):
            raise APIError(
                f"{method} {request.url.path} was redirected with {response.status_code}, "
                "which would drop the request body",
                status_code=response.status_code,
                code="unexpected_redirect",
            )
        # The new request carries no Authorization; _authorize adds it back for our origin only.
        headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
        nxt = http.build_request(method, url, headers=headers, content=request.content)
        log.debug("following %d redirect to %s", response.status_code, _shown(url))
        return self._authorize(nxt)

    def _authorize(self, request: httpx.Request) -> httpx.Request:
        same_origin = (request.url.scheme, request.url.host, request.url.port) == (
            self.origin.scheme,
            self.origin.host,
            self.origin.port,
        )
        if same_origin:
            request.headers["Authorization"] = f"Bearer {self._token.reveal()}"
        else:
            request.headers.pop("Authorization", None)
        return request

    def after_response(
        self, call: Call[Any], attempt: int, response: httpx.Response
    ) -> float | None:
        """None when the response is the answer; a delay to retry after; or raises."""
        status = response.status_code
        log.debug("%s %s -> %d (attempt %d)", call.method, call.path, status, attempt)
        if status >= 500:
            self.breaker.record_failure()
        elif status == 429:
            self.breaker.release()
        else:
            self.breaker.record_success()
        if status < 400:
            return None
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        # A 429 was refused before any work was done, so it is safe to resend whatever it was.
        safe = status == 429 or is_replay_safe(call.method, bool(call.idempotency_key))
        retryable = status in RETRY_STATUSES and safe and self._may_retry(attempt)
        if retryable and self.config.retries.waits_for(retry_after):
            return self._retry(call, attempt, f"answered {status}", retry_after)
        raise error_from_response(call, response, attempt, retry_after)

    def after_error(self, call: Call[Any], attempt: int, exc: httpx.TransportError) -> float:
        """A delay to retry after a connection problem or timeout, or raises a typed error."""
        self.breaker.record_failure()
        # A failed connect never reached the server, so even an unsafe request may be resent.
        unsent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
        safe = unsent or is_replay_safe(call.method, bool(call.idempotency_key))
        if safe and self._may_retry(attempt):
            return self._retry(call, attempt, f"failed ({type(exc).__name__})")
        raise error_from_transport(call, exc, attempt, self.config)

    def after_body_error(self, call: Call[Any], attempt: int, exc: httpx.TransportError) -> float:
        """A delay to restart a download whose body was cut off, or raises a typed error."""
        self.breaker.record_failure()
        if self._may_retry(attempt):
            return self._retry(call, attempt, f"body cut off ({type(exc).__name__})")
        tries = f"after {attempt} attempt{'s' if attempt != 1 else ''}"
        where = f"{call.method} {call.path}"
        if isinstance(exc, httpx.TimeoutException):
            raise TimeoutError(f"{where}: timed out while downloading ({tries})")
        raise ConnectionError(f"{where}: connection lost while downloading: {exc} ({tries})")

    def _retry(
        self, call: Call[Any], attempt: int, why: str, retry_after: float | None = None
    ) -> float:
        policy = self.config.retries
        delay = policy.delay(attempt, retry_after)
        log.info(
            "%s %s %s; retrying in %.2fs (attempt %d of %d)",
            call.method,
            call.path,
            why,
            delay,
            attempt + 1,
            policy.max_attempts,
        )
        return delay

    def _may_retry(self, attempt: int) -> bool:
        # An open breaker means the next attempt would fail fast anyway: report the real error.
        return attempt < self.config.retries.max_attempts and self.breaker.state != "open"


def error_from_transport(
    call: Call[Any], exc: httpx.TransportError, attempt: int, config: ClientConfig
) -> Exception:
    tries = f"after {attempt} attempt{'s' if attempt != 1 else ''}"
    where = f"{call.method} {call.path}"
    if isinstance(exc, httpx.TimeoutException):
        t = config.timeouts
        limit = (
            t.connection_timeout_ms
            if isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout))
            else t.read_timeout_ms
        )
        kind = type(exc).__name__.replace("Timeout", " timeout").strip().lower()
        return TimeoutError(f"{where}: {kind} after {limit} ms ({tries})")
    detail = str(exc) or type(exc).__name__
    return ConnectionError(
        f"{where}: cannot reach {_shown(httpx.URL(config.api_url))}: {detail} ({tries})"
    )


def error_from_response(
    call: Call[Any], response: httpx.Response, attempt: int, retry_after: float | None
) -> APIError:
    status = response.status_code
    body = _error_body(response)
    code = str(body.get("code") or _default_code(status))
    message = str(body.get("message") or response.reason_phrase or "request failed")
    details = {k: v for k, v in body.items() if k not in ("code", "message")}
    common: dict[str, Any] = {"status_code": status, "code": code, "details": details}
    if status >= 500 and attempt > 1:
        message = f"{message} (after {attempt} attempts)"
    if status == 401:
        return AuthenticationError(message, **common)
    if status == 403:
        scope = body.get("required_scope")
        granted = body.get("granted_scopes")
        return PermissionDeniedError(
            message,
            required_scope=scope if isinstance(scope, str) else None,
            granted_scopes=[g for g in granted if isinstance(g, str)]
            if isinstance(granted, list)
            else None,
            **common,
        )
    if status == 404:
        return NotFoundError(message, **common)
    if status == 409:
        return ConflictError(message, **common)
    if status == 422 and isinstance(body.get("findings"), list):
        findings = [Finding.from_json(f) for f in body["findings"] if isinstance(f, dict)]
        return SpecValidationError(message, findings=findings, **common)
    if status == 429:
        return RateLimitError(message, retry_after=retry_after, **common)
    if status >= 500:
        return ServerError(message, **common)
    if status in (400, 413, 415, 422):
        return InvalidRequestError(message, **common)
    return APIError(message, **common)


def _error_body(response: httpx.Response) -> dict[str, Any]:
    try:
        data = json.loads(response.content or b"null")
    except (ValueError, UnicodeDecodeError):
        text = response.content[:200].decode("utf-8", "replace").strip()
        return {"message": text} if text else {}
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        return dict(data["error"])
    return {}


def _default_code(status: int) -> str:
    return {401: "unauthorized", 403: "forbidden", 404: "not_found", 429: "rate_limited"}.get(
        status, "server_error" if status >= 500 else "http_error"
    )


def _shown(url: httpx.URL) -> str:
    """Scheme, host and port only: enough to say where, with no path, query or userinfo."""
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}"


@dataclass
class Watcher:
    """Polling schedule for watch_project: quick while things change, backing off when idle."""

    project_id: str
    timeout: float | None
    interval: float
    max_interval: float

    def __post_init__(self) -> None:
        if self.interval <= 0 or self.max_interval < self.interval:
            raise ValueError("poll intervals must be > 0 and max_poll_interval >= poll_interval")
        self.deadline = None if self.timeout is None else time.monotonic() + self.timeout
        self._sleep = self.interval
        self._last: tuple[str, str, float] | None = None
        self.last: Project | None = None

    def changed(self, project: Project) -> bool:
        """Record the poll; True when status, phase or progress moved (always true at first)."""
        self.last = project
        key = (project.status, project.current_phase, project.progress)
        moved = key != self._last
        self._last = key
        self._sleep = self.interval if moved else min(self.max_interval, self._sleep * 1.5)
        return moved

    def next_sleep(self) -> float:
        """Seconds to wait before the next poll; raises WaitTimeoutError past the deadline."""
        if self.deadline is None:
            return self._sleep
        left = self.deadline - time.monotonic()
        if left <= 0:
            last = self.last
            state = f"; last status {last.status} ({last.percent}%)" if last else ""
            raise WaitTimeoutError(
                f"project {self.project_id} did not finish within {self.timeout:g}s{state}",
                project=last,
            )
        return min(self._sleep, left)
