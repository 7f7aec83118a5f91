"""The one place a broadcast meets Telegram: PTB's errors mapped to what bot/broadcast.py understands."""

from __future__ import annotations

import datetime as dt
import warnings

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError
from telegram.error import RetryAfter as TelegramRetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.broadcast import Blocked, Failed, RetryAfter, Send

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def retry_seconds(error: TelegramRetryAfter) -> float:
    """How long Telegram asked to wait (an int today, a timedelta in a later PTB)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)


def telegram_sender(bot: Bot) -> Send:
    """A ``send(chat_id, html)`` for the Broadcaster over a PTB bot."""

    async def send(chat_id: int, text: str) -> None:
        try:
            await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW)
        except TelegramRetryAfter as error:
            raise RetryAfter(retry_seconds(error)) from None
        except Forbidden as error:
            raise Blocked(error.message) from None
        except BadRequest as error:
            raise Failed(error.message) from None
        except NetworkError as error:  # includes TimedOut
            raise Failed(error.message, transient=True) from None

    return send
