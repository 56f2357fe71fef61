"""Fault injection for client tests: fail, delay or drop requests (edge)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from ospec.sandbox.errors import ApiError, send_error

log = logging.getLogger(__name__)

# The fault controls themselves are never faulted, or a test could lock itself out.
EXEMPT_PREFIX = "/api/v1/_sandbox/"
TRANSPORT_KEY = "ospec.transport"


@dataclass
class FailFault:
    count: int
    status: int = 503
    path_prefix: str | None = None
    retry_after: int | None = None


@dataclass
class DelayFault:
    seconds: float
    count: int | None = None  # None: every request
    path_prefix: str | None = None


@dataclass
class DropFault:
    count: int
    path_prefix: str | None = None


@dataclass
class FaultConfig:
    fail: FailFault | None = None
    delay: DelayFault | None = None
    drop: DropFault | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "fail": asdict(self.fail) if self.fail else None,
            "delay": asdict(self.delay) if self.delay else None,
            "drop": asdict(self.drop) if self.drop else None,
        }

    @classmethod
    def from_json(cls, body: object) -> FaultConfig:
        if not isinstance(body, dict):
            raise _invalid("the body must be a JSON object")
        unknown = set(body) - {"fail", "delay", "drop"}
        if unknown:
            raise _invalid(f"unknown fault kinds: {', '.join(sorted(unknown))}")
        return cls(
            fail=_fail(body.get("fail")),
            delay=_delay(body.get("delay")),
            drop=_drop(body.get("drop")),
        )


@dataclass
class Faults:
    """The live fault configuration; counts go down as faults fire."""

    config: FaultConfig = field(default_factory=FaultConfig)
    fired: dict[str, int] = field(default_factory=lambda: {"fail": 0, "delay": 0, "drop": 0})

    def to_json(self) -> dict[str, Any]:
        return {**self.config.to_json(), "fired": dict(self.fired)}

    def take(self, kind: str, path: str) -> Any:
        """The fault of this kind if it applies to the path, consuming one use of it."""
        fault = getattr(self.config, kind)
        if fault is None or (fault.path_prefix and not path.startswith(fault.path_prefix)):
            return None
        if fault.count is not None:
            if fault.count <= 0:
                return None
            fault.count -= 1
        self.fired[kind] += 1
        return fault


class FaultMiddleware:
    """Outermost middleware, so injected faults look like a failing server or network."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(EXEMPT_PREFIX):
            await self.app(scope, receive, send)
            return
        delay = self.faults.take("delay", path)
        if delay is not None:
            await asyncio.sleep(delay.seconds)
        if self.faults.take("drop", path) is not None:
            await _drop_connection(scope)
            return
        fail = self.faults.take("fail", path)
        if fail is not None:
            headers = {"Retry-After": str(fail.retry_after)} if fail.retry_after else None
            err = ApiError(
                fail.status, "injected_fault", "fault injected by the sandbox", headers=headers
            )
            await send_error(scope, receive, send, err)
            return
        await self.app(scope, receive, send)


async def _drop_connection(scope: Scope) -> None:
    transport = scope.get("extensions", {}).get(TRANSPORT_KEY)
    if transport is None:
        log.warning("cannot drop the connection: server protocol does not expose the transport")
        return
    transport.abort()
    # Let the protocol see connection_lost before the app returns, so uvicorn sends no 500.
    for _ in range(2):
        await asyncio.sleep(0)


class DroppableH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, exposing each connection's transport to the app."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        app = self.app

        async def with_transport(scope: Scope, receive: Receive, send: Send) -> None:
            extensions = scope.get("extensions") or {}
            extensions[TRANSPORT_KEY] = transport
            scope["extensions"] = extensions
            await app(scope, receive, send)

        self.app = with_transport


def _invalid(message: str) -> ApiError:
    return ApiError(422, "invalid_request", message)


def _obj(value: object, kind: str, allowed: set[str]) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _invalid(f"{kind} must be an object or null")
    unknown = set(value) - allowed
    if unknown:
        raise _invalid(f"unknown fields in {kind}: {', '.join(sorted(unknown))}")
    return value


def _int(value: object, name: str, low: int, high: int, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _invalid(f"{name} must be an integer from {low} to {high}")
    return value


def _prefix(value: object, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.startswith("/"):
        raise _invalid(f"{name} must be a path starting with /")
    return value


def _fail(value: object) -> FailFault | None:
    obj = _obj(value, "fail", {"count", "status", "path_prefix", "retry_after"})
    if obj is None:
        return None
    return FailFault(
        count=_int(obj.get("count"), "fail.count", 0, 1_000_000) or 0,
        status=_int(obj.get("status", 503), "fail.status", 500, 599) or 503,
        path_prefix=_prefix(obj.get("path_prefix"), "fail.path_prefix"),
        retry_after=_int(obj.get("retry_after"), "fail.retry_after", 0, 3600, optional=True),
    )


def _delay(value: object) -> DelayFault | None:
    obj = _obj(value, "delay", {"seconds", "count", "path_prefix"})
    if obj is None:
        return None
    seconds = obj.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds <= 60:
        raise _invalid("delay.seconds must be a number from 0 to 60")
    return DelayFault(
        seconds=float(seconds),
        count=_int(obj.get("count"), "delay.count", 0, 1_000_000, optional=True),
        path_prefix=_prefix(obj.get("path_prefix"), "delay.path_prefix"),
    )


def _drop(value: object) -> DropFault | None:
    obj = _obj(value, "drop", {"count", "path_prefix"})
    if obj is None:
        return None
    return DropFault(
        count=_int(obj.get("count"), "drop.count", 0, 1_000_000) or 0,
        path_prefix=_prefix(obj.get("path_prefix"), "drop.path_prefix"),
    )
