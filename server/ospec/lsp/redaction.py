"""Keep the API token out of the server's log (edge).

pygls logs the initialize params (info) and the client's responses (debug), and both carry the
settings: an `ospec.apiToken` there would be written to the log as it is.
"""

from __future__ import annotations

import logging
import re


class TokenFilter(logging.Filter):
    """Masks the value of every `apiToken` key in a record's message."""

    PATTERN = re.compile(r"""(['"]apiToken['"]\s*:\s*)(['"])[^'"]*\2""")

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if "apiToken" in text:
            record.msg, record.args = self.PATTERN.sub(r"\1\2********\2", text), None
        return True


def hide_token_in_protocol_logs() -> None:
    # A logger's filters see only its own records, so each pygls logger gets one.
    names = [n for n in logging.Logger.manager.loggerDict if n.split(".")[0] == "pygls"]
    for logger in map(logging.getLogger, names):
        if not any(isinstance(f, TokenFilter) for f in logger.filters):
            logger.addFilter(TokenFilter())
