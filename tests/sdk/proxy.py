"""A loopback HTTP proxy in front of the sandbox that misbehaves on request, like a bad network.

Each planned `Fault` applies to the next request whose path starts with its prefix: the proxy can
lose the answer after the sandbox has acted on the request, cut the body halfway, or change the
response headers. Everything else is passed through unchanged, and every request is recorded.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

import httpx

Kind = Literal["lose_response", "cut_body", "headers", "redirect"]
_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "host",
    "content-encoding",
}


@dataclass
class Fault:
    kind: Kind
    path_prefix: str = "/"
    headers: dict[str, str] = field(default_factory=dict)  # for "headers" and "redirect"


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]


class Proxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = httpx.Client(base_url=upstream, trust_env=False, timeout=30)
        self.faults: list[Fault] = []
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                proxy._handle(self)

            do_GET = do_POST = do_PUT = do_DELETE = _any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def plan(self, *faults: Fault) -> None:
        with self.lock:
            self.faults.extend(faults)

    def requests_to(self, method: str, path: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.method == method and s.path == path]

    def _take(self, path: str) -> Fault | None:
        with self.lock:
            for i, fault in enumerate(self.faults):
                if path.startswith(fault.path_prefix):
                    return self.faults.pop(i)
        return None

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        body = h.rfile.read(int(h.headers.get("Content-Length", "0")))
        headers = {k.lower(): v for k, v in h.headers.items()}
        with self.lock:
            self.seen.append(Seen(h.command, h.path, headers))
        fault = self._take(h.path)
        if fault is not None and fault.kind == "redirect":
            _write(h, 307, fault.headers, b"")
            return
        upstream = self.upstream.request(
            h.command,
            h.path,
            content=body,
            headers={k: v for k, v in headers.items() if k not in _HOP},
        )
        out = {k: v for k, v in upstream.headers.items() if k.lower() not in _HOP}
        content = upstream.content
        if fault is None:
            _write(h, upstream.status_code, out, content)
        elif fault.kind == "lose_response":  # the sandbox acted; the client never hears of it
            _cut(h)
        elif fault.kind == "cut_body":
            _write(h, upstream.status_code, out, content[: len(content) // 2], length=len(content))
            _cut(h)
        else:
            replaced = {k.lower() for k in fault.headers}
            kept = {k: v for k, v in out.items() if k.lower() not in replaced}
            _write(h, upstream.status_code, {**kept, **fault.headers}, content)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.upstream.close()


def _write(
    h: BaseHTTPRequestHandler,
    status: int,
    headers: dict[str, str],
    body: bytes,
    *,
    length: int | None = None,
) -> None:
    h.send_response_only(status)
    for key, value in headers.items():
        h.send_header(key, value)
    h.send_header("Content-Length", str(len(body) if length is None else length))
    h.end_headers()
    h.wfile.write(body)
    h.wfile.flush()


def _cut(h: BaseHTTPRequestHandler) -> None:
    h.close_connection = True
    with contextlib.suppress(OSError):  # the client may have gone already
        h.connection.shutdown(socket.SHUT_RDWR)
