"""`ospec sandbox`: parse flags, bootstrap the admin key, bind, serve with uvicorn (edge)."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import os
import socket
import sys
from pathlib import Path
from typing import IO, Any

import platformdirs
import uvicorn

from ospec.sandbox.app import create_app
from ospec.sandbox.auth import ensure_admin_key
from ospec.sandbox.config import Settings
from ospec.sandbox.faults import DelayFault, DropFault, DroppableH11Protocol, FailFault, FaultConfig
from ospec.sandbox.store import Store

ENV_PREFIX = "OSPEC_SANDBOX_"
ADMIN_KEY_ENV = ENV_PREFIX + "ADMIN_KEY"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir()) / "ospec-sandbox"


def _env(flag: str) -> str:
    return ENV_PREFIX + flag.lstrip("-").replace("-", "_").upper()


def _positive(kind: type) -> Any:
    def parse(text: str) -> Any:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be greater than 0 (got {text})")
        return value

    return parse


def _non_negative(kind: type) -> Any:
    def parse(text: str) -> Any:
        value = kind(text)
        if value < 0:
            raise argparse.ArgumentTypeError(f"must be 0 or more (got {text})")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ospec sandbox",
        description="Run a local, persistent implementation of the OSpec platform API. "
        f"Every option can also be set with an environment variable {ENV_PREFIX}<OPTION> "
        f"(e.g. {ENV_PREFIX}PHASE_SECONDS=1); the admin key can be fixed with {ADMIN_KEY_ENV}.",
    )

    def add(flag: str, kind: Any, default: Any, help_text: str, **extra: Any) -> None:
        # A string default goes through `type`, so environment values are validated like flags.
        parser.add_argument(
            flag, type=kind, default=os.environ.get(_env(flag), default), help=help_text, **extra
        )

    add("--host", str, "127.0.0.1", "interface to bind (default: %(default)s, loopback only)")
    add("--port", _non_negative(int), 8765, "port (default: %(default)s; 0 picks a free port)")
    add("--data-dir", Path, None, "where the database lives (default: the user data dir)")
    add("--phase-seconds", _positive(float), 10.0, "duration of each lifecycle phase")
    add("--max-body-bytes", _positive(int), 1024 * 1024, "largest request body (else 413)")
    add("--rate-limit", _non_negative(float), 20.0, "requests per second per API key; 0: off")
    add("--rate-burst", _positive(int), 40, "requests a key may burst above the rate")
    add("--webhook-max-attempts", _positive(int), 8, "delivery attempts before giving up")
    add("--webhook-backoff", _positive(float), 1.0, "first retry delay; doubles per attempt")
    add("--webhook-max-backoff", _positive(float), 300.0, "longest retry delay in seconds")
    add("--webhook-timeout", _positive(float), 5.0, "seconds to wait for a webhook receiver")
    parser.add_argument(
        "--webhook-allow-host",
        action="append",
        default=None,
        help="only deliver webhooks to this host (repeatable; default: any host); "
        f"env {_env('--webhook-allow-host')} takes a comma-separated list",
    )
    add("--fail-next", _non_negative(int), 0, "answer the next N requests with --fail-status")
    add("--fail-status", int, 503, "status for injected failures (default: %(default)s)")
    add("--fail-path-prefix", str, None, "inject failures only under this path prefix")
    add("--delay", _non_negative(float), 0.0, "seconds to delay each response")
    add("--delay-next", _non_negative(int), None, "delay only the next N requests")
    add("--delay-path-prefix", str, None, "delay only under this path prefix")
    add("--drop-next", _non_negative(int), 0, "close the connection of the next N requests")
    add("--drop-path-prefix", str, None, "drop only under this path prefix")
    add(
        "--log-level",
        str,
        "warning",
        "uvicorn and sandbox log level",
        choices=["critical", "error", "warning", "info", "debug"],
    )
    parser.add_argument("--access-log", action="store_true", help="log every request")
    parser.add_argument(
        "--reset-admin-key", action="store_true", help="replace the admin key and print the new one"
    )
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    hosts = args.webhook_allow_host
    if hosts is None and os.environ.get(_env("--webhook-allow-host")):
        hosts = os.environ[_env("--webhook-allow-host")].split(",")
    faults = FaultConfig(
        fail=FailFault(args.fail_next, args.fail_status, args.fail_path_prefix, 1)
        if args.fail_next
        else None,
        delay=DelayFault(args.delay, args.delay_next, args.delay_path_prefix)
        if args.delay
        else None,
        drop=DropFault(args.drop_next, args.drop_path_prefix) if args.drop_next else None,
    )
    return Settings(
        data_dir=(args.data_dir or default_data_dir()).expanduser().resolve(),
        host=args.host,
        port=args.port,
        phase_seconds=args.phase_seconds,
        max_body_bytes=args.max_body_bytes,
        rate_limit=args.rate_limit,
        rate_burst=args.rate_burst,
        webhook_max_attempts=args.webhook_max_attempts,
        webhook_backoff=args.webhook_backoff,
        webhook_max_backoff=args.webhook_max_backoff,
        webhook_timeout=args.webhook_timeout,
        webhook_allow_hosts=tuple(h.strip().strip("[]").lower() for h in hosts or () if h.strip()),
        faults=faults,
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = settings_from(args)
    level = getattr(logging, args.log_level.upper())
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    out = sys.stdout
    try:
        # The database holds webhook secrets: keep a new data dir private to the user.
        settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock = _lock(settings.data_dir)
        store = Store.open(settings.db_path)
        try:
            new_key = ensure_admin_key(
                store, os.environ.get(ADMIN_KEY_ENV), reset=args.reset_admin_key
            )
        finally:
            store.close()
        sock = _bind(settings.host, settings.port)
    except (OSError, RuntimeError) as exc:
        print(f"ospec sandbox: {exc}", file=sys.stderr)
        return 2
    _say(out, f"ospec sandbox data dir: {settings.data_dir}")
    if new_key:
        _say(out, f"ospec sandbox admin key: {new_key}")
        _say(out, "(shown once and stored hashed; keep it, or restart with --reset-admin-key)")
    host, port = sock.getsockname()[:2]
    if not ipaddress.ip_address(host).is_loopback:
        print(
            f"ospec sandbox: warning: {host} is reachable from other machines; it speaks plain "
            "HTTP, so API keys and webhook secrets cross the network unencrypted",
            file=sys.stderr,
        )
    shown = f"[{host}]" if ":" in host else host
    config = uvicorn.Config(
        create_app(settings),
        http=DroppableH11Protocol,
        lifespan="on",
        log_level=level,
        access_log=args.access_log,
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    try:
        started = asyncio.run(_serve(server, sock, out, f"http://{shown}:{port}"))
    finally:
        sock.close()
        lock.close()
    return 0 if started else 1


async def _serve(server: uvicorn.Server, sock: socket.socket, out: IO[str], url: str) -> bool:
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started and not task.done():
        await asyncio.sleep(0.01)
    if server.started:
        # Tests and scripts read this line to find the port; keep its wording stable.
        _say(out, f"ospec sandbox listening on {url}")
    await task
    return bool(server.started)


def _say(out: IO[str], line: str) -> None:
    out.write(line + "\n")
    out.flush()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on sockets that say they are TCP,
    # and without it every keep-alive response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _lock(data_dir: Path) -> IO[str]:
    """Hold an exclusive lock on the data dir, so two sandboxes never share one database."""
    handle = open(data_dir / "sandbox.lock", "w")  # noqa: SIM115 - held for the process lifetime
    try:
        import fcntl
    except ImportError:  # Windows: no advisory lock, rely on the user
        return handle
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise RuntimeError(f"another sandbox is already using {data_dir}") from None
    return handle
