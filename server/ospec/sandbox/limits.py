"""Request limits: per-key token-bucket rate limit (429), body size limit (413) (edge)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ospec.sandbox.errors import ApiError, send_error


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """`rate` requests per second per key with bursts up to `burst`; rate 0 disables the limit."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._buckets: dict[str, _Bucket] = {}

    def check(self, key_id: str) -> None:
        if self.rate <= 0:
            return
        now = time.monotonic()
        bucket = self._buckets.setdefault(key_id, _Bucket(float(self.burst), now))
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return
        wait = (1 - bucket.tokens) / self.rate
        raise ApiError(
            429,
            "rate_limited",
            f"rate limit of {self.rate:g} requests/s per API key exceeded",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
            retry_after=round(wait, 3),
        )


def too_large(limit: int) -> ApiError:
    return ApiError(
        413, "payload_too_large", f"request body exceeds {limit} bytes", limit_bytes=limit
    )


class BodyLimitMiddleware:
    """Rejects a declared Content-Length over the limit at once, and a streamed body as it grows."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            if not declared.isdigit():
                err = ApiError(400, "bad_request", "Content-Length must be a non-negative integer")
                await send_error(scope, receive, send, err)
                return
            if int(declared) > self.max_bytes:
                await send_error(scope, receive, send, too_large(self.max_bytes))
                return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # Raised inside the endpoint, so Starlette's handlers turn it into a 413.
                    raise too_large(self.max_bytes)
            return message

        await self.app(scope, limited, send)
