"""A person in a private chat with the bot, driven through the emulator's client API.

The emulator is `launcher.js` (telegram-test-api behind a Bot API front):

    user = TelegramUser(api_url, token, user_id=1001, language_code="ru")
    await user.send("/start")
    replies = await user.wait_replies()      # until the bot is quiet
    await user.press("lang:ky")              # a button, by callback data or by label
    replies = await user.ask("pasport zabrali")

Replies are :class:`Reply` objects: the text as the person sees it (HTML parsed
the way Telegram parses it), the HTML the bot sent, the inline buttons, the
reply keyboard and any contact card.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

QUIET_SECONDS = float(os.environ.get("SAFAR_E2E_QUIET", "0.3"))
REPLY_TIMEOUT = float(os.environ.get("SAFAR_E2E_TIMEOUT", "10"))


class NoReply(AssertionError):
    """The bot did not answer as expected in time."""


@dataclass(frozen=True)
class Button:
    label: str
    data: str | None = None
    url: str | None = None


@dataclass
class Reply:
    message_id: int
    text: str = ""  # as displayed: HTML already turned into plain text
    html: str | None = None  # as the bot sent it
    entities: list[dict] = field(default_factory=list)
    buttons: list[list[Button]] = field(default_factory=list)  # inline keyboard
    keyboard: list[list[str]] | None = None  # persistent reply keyboard, if this message set one
    contact: dict | None = None
    edited: bool = False
    deleted: bool = False
    raw: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_entry(cls, entry: dict) -> Reply:
        message = entry["message"]
        markup = message.get("reply_markup") or {}
        buttons = [
            [Button(b.get("text", ""), b.get("callback_data"), b.get("url")) for b in row]
            for row in markup.get("inline_keyboard", [])
        ]
        keyboard = None
        if "keyboard" in markup:
            keyboard = [[b if isinstance(b, str) else b.get("text", "") for b in row] for row in markup["keyboard"]]
        return cls(
            message_id=int(entry["messageId"]),
            text=message.get("text") or "",
            html=message.get("raw_text"),
            entities=message.get("entities") or [],
            buttons=buttons,
            keyboard=keyboard,
            contact=message.get("contact"),
            edited=bool(message.get("edit_date")),
            deleted=bool(message.get("deleted")),
            raw=message,
        )

    @property
    def all_buttons(self) -> list[Button]:
        return [button for row in self.buttons for button in row]

    @property
    def callback_data(self) -> list[str]:
        return [b.data for b in self.all_buttons if b.data is not None]

    def data_with_prefix(self, prefix: str) -> list[str]:
        return [data for data in self.callback_data if data.startswith(prefix)]

    def find_button(self, text_or_data: str) -> Button | None:
        for button in self.all_buttons:
            if text_or_data in (button.data, button.label):
                return button
        needle = text_or_data.casefold()
        partial = [b for b in self.all_buttons if needle in b.label.casefold()]
        return partial[0] if len(partial) == 1 else None

    def __str__(self) -> str:
        if self.contact:
            return f"[contact {self.contact.get('first_name')}: {self.contact.get('phone_number')}]"
        extra = f" {self.callback_data}" if self.buttons else ""
        return f"{self.text[:160]!r}{extra}"


def describe(replies: list[Reply]) -> str:
    return "\n".join(f"  {index}. {reply}" for index, reply in enumerate(replies, 1)) or "  (none)"


class TelegramUser:
    """One Telegram user in a private chat (chat id = user id) with the bot."""

    def __init__(
        self,
        api_url: str,
        token: str,
        user_id: int,
        *,
        first_name: str = "Test",
        language_code: str | None = None,
        alive: Callable[[], None] | None = None,
        client: httpx.AsyncClient | None = None,
    ):
        self.token = token
        self.user_id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self._alive = alive or (lambda: None)
        self._own_client = client is None
        self._client = client or httpx.AsyncClient(base_url=api_url, timeout=30)
        self.history: list[Reply] = []  # everything the bot sent to this chat, in order
        self._inbox: list[Reply] = []  # received but not yet returned by a wait
        self.pressed: list[str] = []  # callback query ids of pressed buttons
        self.transcript: list[str] = []  # the conversation, for failure reports

    async def aclose(self) -> None:
        if self._own_client:
            await self._client.aclose()

    async def __aenter__(self) -> TelegramUser:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    # --- talking to the emulator -----------------------------------------------------------

    async def _call(self, path: str, body: dict[str, Any]) -> Any:
        response = await self._client.post(path, json=body)
        data = response.json()
        if not data.get("ok"):
            raise AssertionError(f"emulator {path}: {data.get('description', data)}")
        return data["result"]

    def _person(self) -> dict[str, Any]:
        person: dict[str, Any] = {
            "botToken": self.token,
            "userId": self.user_id,
            "chatId": self.user_id,
            "firstName": self.first_name,
        }
        if self.language_code:
            person["languageCode"] = self.language_code
        return person

    # --- acting ------------------------------------------------------------------------------

    async def send(self, text: str) -> dict:
        """Send a text message; a leading /command gets its bot_command entity, as in Telegram."""
        body = {**self._person(), "text": text}
        path = "/sendMessage"
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
            path = "/sendCommand"
        self.transcript.append(f"user {self.user_id} > {text[:200]!r}")
        return await self._call(path, body)

    async def send_media(self, kind: str, **fields: Any) -> dict:
        """Send a photo (``caption=``), voice note, sticker, video note or location (``latitude=``, ``longitude=``)."""
        self.transcript.append(f"user {self.user_id} > [{kind}] {fields.get('caption', '')!r}")
        return await self._call("/sendMedia", {**self._person(), "kind": kind, **fields})

    async def press(self, text_or_data: str, *, reply: Reply | None = None) -> str:
        """Tap an inline button, by callback data or label, on the newest message that has it."""
        candidates = [reply] if reply else list(reversed(self.history))
        for message in candidates:
            if message.deleted:
                continue
            button = message.find_button(text_or_data)
            if button and button.data is not None:
                result = await self._call(
                    "/sendCallback",
                    {**self._person(), "messageId": message.message_id, "data": button.data},
                )
                self.pressed.append(result["callback_query_id"])
                self.transcript.append(f"user {self.user_id} taps [{button.label}] ({button.data})")
                return result["callback_query_id"]
        shown = describe([m for m in self.history if m.buttons][-5:])
        raise AssertionError(f"no button {text_or_data!r} in the chat; last messages with buttons:\n{shown}")

    async def ask(self, text: str, **wait) -> list[Reply]:
        """Send a message and return the bot's replies (until it is quiet)."""
        await self.send(text)
        return await self.wait_replies(**wait)

    async def tap(self, text_or_data: str, **wait) -> list[Reply]:
        """Press a button and return the bot's replies (until it is quiet)."""
        await self.press(text_or_data)
        return await self.wait_replies(**wait)

    # --- waiting ---------------------------------------------------------------------------

    async def _fetch(self, wait: float) -> list[Reply]:
        self._alive()
        entries = await self._call(
            "/getUpdates", {"token": self.token, "chatId": self.user_id, "timeout": max(wait, 0)}
        )
        fresh = [Reply.from_entry(entry) for entry in entries]
        for reply in fresh:
            old = next((i for i, m in enumerate(self.history) if m.message_id == reply.message_id), None)
            if old is None:
                self.history.append(reply)
            else:
                self.history[old] = reply  # an edit or a deletion: the chat shows the new state
        self._inbox.extend(fresh)
        self.transcript += [f"bot  {self.user_id} < {reply}" for reply in fresh]
        return fresh

    async def wait_replies(
        self, n: int | None = None, *, timeout: float = REPLY_TIMEOUT, quiet: float = QUIET_SECONDS
    ) -> list[Reply]:
        """The bot's next replies.

        With ``n``: as soon as ``n`` have arrived (extra ones stay for the next wait).
        Without: at least one, then until nothing new arrives for ``quiet`` seconds.
        """
        deadline = time.monotonic() + timeout
        want = n or 1
        while len(self._inbox) < want:
            left = deadline - time.monotonic()
            if left <= 0:
                raise NoReply(
                    f"expected {want} replies within {timeout}s, got {len(self._inbox)}:\n" + describe(self._inbox)
                )
            await self._fetch(min(left, 5))
        if n is None:
            while time.monotonic() < deadline and await self._fetch(quiet):
                pass
            replies, self._inbox = self._inbox, []
            return replies
        replies, self._inbox = self._inbox[:n], self._inbox[n:]
        return replies

    async def wait_for(self, predicate: Callable[[Reply], bool], *, timeout: float = REPLY_TIMEOUT) -> list[Reply]:
        """Replies up to and including the first one that satisfies ``predicate``."""
        deadline = time.monotonic() + timeout
        while True:
            for index, reply in enumerate(self._inbox):
                if predicate(reply):
                    replies, self._inbox = self._inbox[: index + 1], self._inbox[index + 1 :]
                    return replies
            left = deadline - time.monotonic()
            if left <= 0:
                raise NoReply(f"no matching reply within {timeout}s; got:\n" + describe(self._inbox))
            await self._fetch(min(left, 5))

    async def wait_for_buttons(self, prefix: str, **kwargs) -> list[Reply]:
        """Replies up to the message whose inline buttons have callback data starting with prefix."""
        return await self.wait_for(lambda r: bool(r.data_with_prefix(prefix)), **kwargs)

    async def expect_silence(self, seconds: float = QUIET_SECONDS) -> None:
        await self._fetch(seconds)
        if self._inbox:
            raise AssertionError("unexpected replies:\n" + describe(self._inbox))

    async def callback_answers(self) -> dict[str, dict]:
        """answerCallbackQuery calls for this user's pressed buttons, by callback query id."""
        answers = await self._call("/getCallbackAnswers", {"token": self.token})
        mine = set(self.pressed)
        return {a["callback_query_id"]: a for a in answers if a["callback_query_id"] in mine}

    async def bot_commands(self) -> list[dict]:
        """The command menu the bot set with setMyCommands (default scope)."""
        return await self._call("/getMyCommands", {"token": self.token})

    async def settle(self, seconds: float = 2.0) -> None:
        """Give pending work (e.g. answerCallbackQuery) a moment; returns early when done."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if len(await self.callback_answers()) >= len(self.pressed):
                return
            await asyncio.sleep(0.02)

    # --- a whole flow ----------------------------------------------------------------------

    async def onboard(
        self, lang: str = "ru", home: str = "KG", current: str = "RU", going: str = "none"
    ) -> list[Reply]:
        """/start, the language, citizenship, where now (and, at home, where going); the last turn's replies."""
        await self.send("/start")
        await self.wait_for_buttons("lang:")
        await self.press(f"lang:{lang}")
        await self.wait_for_buttons("home:")
        await self.press(f"home:{home}")
        await self.wait_for_buttons("cur:")
        await self.press(f"cur:{current}")
        if current == home:
            await self.wait_for_buttons("go:")
            await self.press(f"go:{going}")
        return await self.wait_for_buttons("cat:")  # the turn ends with the topic categories
