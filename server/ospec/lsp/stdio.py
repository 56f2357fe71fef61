"""LSP over stdin/stdout, reading the pipe on the event loop (edge).

pygls's stdio reader sends every header line and every body to a worker thread: three thread
hand-offs per message, about a millisecond of a small request's round trip. asyncio reads a
pipe without threads. Where stdin is not a pipe or socket (a file, /dev/null, a terminal,
Windows), pygls's own reader is used.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import sys
from threading import Event
from typing import BinaryIO

from pygls.io_ import StdoutWriter, run_async
from pygls.lsp.server import LanguageServer

log = logging.getLogger(__name__)


class PipeReader:
    """The reader interface pygls's message loop expects, over an asyncio stream."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.stream = stream

    async def readline(self) -> bytes:
        return await self.stream.readline()

    async def readexactly(self, n: int) -> bytes:
        try:
            return await self.stream.readexactly(n)
        except asyncio.IncompleteReadError as cut:  # the client went away mid-message
            return cut.partial


def readable_on_loop(stream: BinaryIO) -> bool:
    if sys.platform == "win32":
        return False
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)  # epoll refuses files and /dev/null


def serve_stdio(server: LanguageServer) -> None:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    if not readable_on_loop(stdin):
        server.start_io()
        return
    server._stop_event = stop = Event()  # what pygls's shutdown() and exit set
    server.protocol.set_writer(StdoutWriter(stdout))

    async def serve() -> None:
        stream = asyncio.StreamReader()
        loop = asyncio.get_running_loop()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stream), stdin)
        await run_async(
            stop_event=stop,
            reader=PipeReader(stream),
            protocol=server.protocol,
            logger=log,
            error_handler=server.report_server_error,
        )

    try:
        asyncio.run(serve())
    except BrokenPipeError:
        log.error("the client closed the connection; shutting down")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()
