"""Log output: readable lines by default, one JSON object per line with ``SAFAR_LOG_FORMAT=json``.

A JSON line carries the time, level, logger, the event (the message) and the fields the
code attached on purpose (update kind, latency, decision); nothing else of the record.
Exceptions appear by type and traceback frames, never by their message (a Telegram error or
a parse error can quote what a person wrote). Every line, in both formats, is scrubbed of the
bot token and of long numbers (Telegram user and chat ids look like that), so a log shipper
never receives who wrote or the key to the bot.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import traceback
from collections.abc import Iterable
from typing import TextIO

HANDLER_NAME = "safar"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: Fields a log call may attach with ``extra={"fields": {...}}``; anything else is left out.
FIELDS = frozenset({"update_kind", "latency_ms", "decision", "emergency", "status", "path", "error", "count"})
_LONG_NUMBER = re.compile(r"(?<![\w.])-?\d{6,}(?![\w.])")
_TOKEN = re.compile(r"\b\d{6,}:[A-Za-z0-9_-]{20,}\b")


class Scrubber:
    """Removes secrets and ids from free text: the configured secrets, anything token-shaped, long numbers."""

    def __init__(self, secrets: Iterable[str] = ()):
        self._secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[secret]")
        text = _TOKEN.sub("[token]", text)
        return _LONG_NUMBER.sub("[number]", text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with only the fields listed in FIELDS."""

    def __init__(self, scrub: Scrubber | None = None):
        super().__init__()
        self._scrub = scrub or Scrubber()

    def format(self, record: logging.LogRecord) -> str:
        """One JSON line: known fields only; an exception's type and traceback, not its message (it may quote users)."""
        entry: dict = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": self._scrub(_message(record)),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update({k: v for k, v in fields.items() if k in FIELDS and v is not None})
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            entry["error"] = type(error).__name__  # its message may quote what someone wrote: left out
            if error.__cause__ is not None:  # e.g. NetworkError caused by httpx.ReadTimeout
                entry["cause"] = type(error.__cause__).__name__
            entry["traceback"] = "".join(traceback.format_tb(error.__traceback__))[-4000:]
        return json.dumps(entry, ensure_ascii=False, default=str)


def _message(record: logging.LogRecord) -> str:
    """The message with every exception argument shown by its type only: its text may quote a person."""
    if isinstance(record.args, tuple) and record.args:
        args = tuple(type(a).__name__ if isinstance(a, BaseException) else a for a in record.args)
        try:
            return str(record.msg) % args
        except (TypeError, ValueError):
            return str(record.msg)
    return record.getMessage()


class TextFormatter(logging.Formatter):
    """The readable default, with the same scrubbing of secrets."""

    def __init__(self, scrub: Scrubber | None = None):
        super().__init__(TEXT_FORMAT)
        self._scrub = scrub or Scrubber()

    def format(self, record: logging.LogRecord) -> str:
        """The usual text line, scrubbed like the JSON one."""
        return self._scrub(super().format(record))


def setup(
    log_format: str = "text", level: int = logging.INFO, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> logging.Handler:
    """Send every log record to ``stream`` (stderr) in the chosen format; replaces the handler set up before."""
    scrub = Scrubber(secrets)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(scrub) if log_format == "json" else TextFormatter(scrub))
    handler.set_name(HANDLER_NAME)
    root = logging.getLogger()
    for old in root.handlers[:]:
        if old.get_name() == HANDLER_NAME:
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines contain the token
    return handler


def configured() -> bool:
    """Whether someone (pytest, an embedding program) already handles log records."""
    return any(handler.get_name() != HANDLER_NAME for handler in logging.getLogger().handlers)
