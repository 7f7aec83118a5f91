"""The bot token never reaches a log line, a traceback or an error message.

PTB puts the token in URLs and in `InvalidToken` messages (a 401 or 404 at
start-up, e.g. from a wrong TELEGRAM_API_BASE_URL). `install` adds a filter
to every handler of the root logger that masks the configured token, and
anything shaped like a bot token, in the message, its arguments and the
formatted traceback; `mask` does the same for text printed by the CLI.
"""

from __future__ import annotations

import logging
import re

#: Anything shaped like a Telegram bot token: the bot id, a colon, 30+ characters of key.
TOKEN_SHAPE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
MASK = "<token>"


def mask(text: str, token: str | None = None) -> str:
    """Hide ``token`` and anything shaped like a bot token in ``text``."""
    if token:
        text = text.replace(token, MASK)
    return TOKEN_SHAPE.sub(MASK, text)


class TokenFilter(logging.Filter):
    """Rewrites each record so that neither the token nor anything shaped like one is left in it."""

    def __init__(self, token: str | None = None):
        super().__init__()
        self.token = str(token) if token else None

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the token in the message, traceback and stack; never drops a record."""
        message = record.getMessage()
        masked = mask(message, self.token)
        if masked != message:  # the record is shared by every handler: change it only when it must
            record.msg, record.args = masked, None
        if record.exc_info:
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            if mask(text, self.token) != text:
                record.exc_text = mask(text, self.token)
        if record.stack_info:
            record.stack_info = mask(record.stack_info, self.token)
        return True


def install(token: str | None) -> TokenFilter:
    """Mask the token in everything logged from now on (root handlers and Python's last resort)."""
    root = logging.getLogger()
    token_filter = TokenFilter(token)
    handlers = [*root.handlers, logging.lastResort]
    for handler in handlers:
        if handler is not None and not any(isinstance(f, TokenFilter) for f in handler.filters):
            handler.addFilter(token_filter)
    return token_filter
