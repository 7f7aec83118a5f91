"""A fake Telegram at python-telegram-bot's request layer, and update builders.

The fake records every (method, params) the bot sends and answers with
correctly shaped Bot API objects, so the real `Application.process_update`
runs end to end without a network.
"""

from __future__ import annotations

import itertools
import json
import time
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from telegram import Update
from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

from bot.config import Config
from bot.telegram_app import build_application

BOT = {"id": 777000, "is_bot": True, "first_name": "Safar", "username": "safar_test_bot"}


class FakeTelegram(BaseRequest):
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.results: list[dict[str, Any]] = []  # the messages "Telegram" answered with, ids included
        self._ids = itertools.count(1)
        self.fail_with: dict[str, tuple[int, dict]] = {}
        self.network_failures: dict[str, int] = {}  # method -> how many calls fail before it works

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float:
        return 1.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout=None,
        write_timeout=None,
        connect_timeout=None,
        pool_timeout=None,
    ):
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append((api_method, params))
        if self.network_failures.get(api_method, 0) > 0:
            self.network_failures[api_method] -= 1
            raise NetworkError("connection reset by peer (simulated)")
        if api_method in self.fail_with:
            status, body = self.fail_with[api_method]
            return status, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": self._result(api_method, params)}).encode()

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT
        if method in ("sendMessage", "sendContact"):
            message = {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "from": BOT,
            }
            if method == "sendMessage":
                message["text"] = params["text"]
            else:
                message["contact"] = {
                    "phone_number": params["phone_number"],
                    "first_name": params["first_name"],
                }
            self.results.append(message)
            return message
        if method == "getUpdates":
            return []
        return True

    # --- what the user saw ---------------------------------------------------------------

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]

    def texts(self) -> list[str]:
        return [params["text"] for params in self.sent()]

    def outgoing(self) -> list[tuple[str, dict[str, Any]]]:
        return [(n, p) for n, p in self.calls if n in ("sendMessage", "sendContact")]

    def buttons(self, index: int = -1) -> list[tuple[str, str]]:
        markup = self.sent()[index].get("reply_markup")
        if not markup:
            return []
        markup = json.loads(markup) if isinstance(markup, str) else markup
        return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", []) for b in row]

    def clear(self) -> None:
        self.calls.clear()


class Updates:
    """Builds updates as Telegram would send them for one user."""

    def __init__(self, user_id: int = 4242, language_code: str | None = "ru", chat_type: str = "private"):
        self.user = {
            "id": user_id,
            "is_bot": False,
            "first_name": "Aida",
            "username": "aida_kg",
            "language_code": language_code,
        }
        self.chat = {"id": user_id if chat_type == "private" else -100500, "type": chat_type}
        self._ids = itertools.count(1000)

    def message(self, text: str, **extra: Any) -> dict:
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            "text": text,
            **extra,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return {"update_id": next(self._ids), "message": message}

    def inline(self, query: str) -> dict:
        return {
            "update_id": next(self._ids),
            "inline_query": {"id": str(next(self._ids)), "from": self.user, "query": query, "offset": ""},
        }

    def sticker(self) -> dict:
        return {
            "update_id": next(self._ids),
            "message": {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": self.chat,
                "from": self.user,
                "sticker": {
                    "file_id": "x",
                    "file_unique_id": "x",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                    "type": "regular",
                },
            },
        }

    def press(self, data: str) -> dict:
        return {
            "update_id": next(self._ids),
            "callback_query": {
                "id": str(next(self._ids)),
                "from": self.user,
                "chat_instance": "1",
                "data": data,
                "message": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": self.chat,
                    "from": BOT,
                    "text": "…",
                },
            },
        }


def to_update(data: dict, bot) -> Update:
    return Update.de_json(data, bot)


@asynccontextmanager
async def running_bot(config: Config, **changes: Any):
    """The real Application over a fake Telegram, started as in production (post_init) and stopped after."""
    fake = FakeTelegram()
    app = build_application(replace(config, **changes), request=fake)
    async with app:
        await app.post_init(app)
        try:
            yield app, fake
        finally:
            await app.post_shutdown(app)
