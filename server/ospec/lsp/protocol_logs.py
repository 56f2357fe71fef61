"""What pygls writes to the server's log: no API token, no tracebacks for refusals (edge).

pygls logs the initialize params (info) and the client's responses (debug), and both carry the
settings: an `ospec.apiToken` there would be written to the log as it is. It also logs every
error answer as an exception with its traceback, including the ones the server gives on
purpose (ContentModified, RequestFailed, InvalidParams): those are not failures.
"""

from __future__ import annotations

import logging
import re

from pygls.exceptions import JsonRpcException, JsonRpcInternalError


class TokenFilter(logging.Filter):
    """Masks the value of every `apiToken` key in a record's message."""

    PATTERN = re.compile(r"""(['"]apiToken['"]\s*:\s*)(['"])[^'"]*\2""")

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if "apiToken" in text:
            record.msg, record.args = self.PATTERN.sub(r"\1\2********\2", text), None
        return True


def is_refusal(error: BaseException | None) -> bool:
    """An error answer the server chose to give, as opposed to one it crashed into."""
    return isinstance(error, JsonRpcException) and not isinstance(error, JsonRpcInternalError)


class RefusalFilter(logging.Filter):
    """Drops pygls's traceback for a refusal; the server logs one line for it instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and is_refusal(record.exc_info[1]))


def tame_protocol_logs() -> None:
    # A logger's filters see only its own records, so each pygls logger gets them.
    names = [n for n in logging.Logger.manager.loggerDict if n.split(".")[0] == "pygls"]
    for logger in map(logging.getLogger, names):
        for kind in (TokenFilter, RefusalFilter):
            if not any(isinstance(f, kind) for f in logger.filters):
                logger.addFilter(kind())
