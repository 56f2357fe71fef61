"""`ospec-lsp` (also `ospec lsp`): start the language server on stdio or TCP (edge)."""

from __future__ import annotations

import argparse
import logging
import sys

from .handlers import register
from .protocol_logs import tame_protocol_logs
from .server import OspecServer
from .stdio import serve_stdio


def create_server() -> OspecServer:
    server = OspecServer()
    register(server)
    tame_protocol_logs()
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ospec-lsp", description="OSpec language server (stdio by default)."
    )
    parser.add_argument(
        "--stdio", action="store_true", help="talk LSP over stdin/stdout (the default)"
    )
    parser.add_argument(
        "--tcp", metavar="HOST:PORT", help="listen on a TCP address instead of stdio"
    )
    parser.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="stderr log level",
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    # stdout carries the protocol: logs go to stderr only.
    logging.basicConfig(
        stream=sys.stderr,
        level=args.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    server = create_server()
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        if not port.isdigit():
            parser.error("--tcp expects HOST:PORT, e.g. 127.0.0.1:2087")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        serve_stdio(server)
    return 0
