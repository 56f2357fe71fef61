"""Server-initiated `$/progress` work-done reports, or nothing for clients without them (edge)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Future

from lsprotocol import types

from .server import OspecServer

log = logging.getLogger(__name__)


class WorkProgress:
    """One cancellable progress bar; every method is a no-op when the client has none."""

    def __init__(self, ls: OspecServer, token: str | None) -> None:
        self.ls = ls
        self.token = token
        self.cancelled = False
        self._on_cancel: list[Callable[[], None]] = []
        self._ended = False
        if token is not None:
            # pygls cancels this future on window/workDoneProgress/cancel for the token.
            future: Future[object] = ls.work_done_progress.tokens[token]
            future.add_done_callback(lambda f: self._cancel() if f.cancelled() else None)

    @classmethod
    async def start(cls, ls: OspecServer, title: str, message: str) -> WorkProgress:
        if not ls.client.work_done_progress:
            return cls(ls, None)
        token = f"ospec-deploy-{uuid.uuid4().hex}"
        try:
            await ls.work_done_progress.create_async(token)
        except Exception as err:  # the client may refuse; deploying goes on without a bar
            log.info("no progress bar: %s", err)
            return cls(ls, None)
        ls.work_done_progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title=title, cancellable=True, message=message, percentage=0
            ),
        )
        return cls(ls, token)

    def on_cancel(self, callback: Callable[[], None]) -> None:
        self._on_cancel.append(callback)
        if self.cancelled:
            callback()

    def report(self, message: str, percentage: int) -> None:
        if self.token is not None and not self._ended:
            self.ls.work_done_progress.report(
                self.token, types.WorkDoneProgressReport(message=message, percentage=percentage)
            )

    def end(self, message: str) -> None:
        if self.token is not None and not self._ended:
            self._ended = True
            self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
            self.ls.work_done_progress.tokens.pop(self.token, None)

    def _cancel(self) -> None:
        self.cancelled = True
        for callback in self._on_cancel:
            callback()
