"""The terminal chat: the same dialogue as in Telegram, typed in a terminal.

Buttons are numbered; type the number to press one. Commands work as in
Telegram (/start, /hotline, /sos...).
"""

from __future__ import annotations

import asyncio
import html
import re
import sys
from typing import TextIO

from bot.config import Config
from bot.replies import Button, Erase, EraseChat, Message, Subscribe, Turn, Unsubscribe, UserState
from bot.services import Services

_TAG = re.compile(r"<[^>]+>")
CONSOLE_USER = "console"


def to_terminal(message: Message, color: bool) -> str:
    """A message as plain terminal text: tags dropped (bold kept as ANSI when ``color``), contacts as lines."""
    text = message.html
    if color:
        text = text.replace("<b>", "\033[1m").replace("</b>", "\033[0m")
    text = html.unescape(_TAG.sub("", text))
    lines = [text]
    for contact in message.contacts:
        lines.append(f"  📇 {contact.name}: {contact.phone_number}")
    return "\n".join(lines)


class ConsoleChat:
    """The terminal adapter: one person, state kept in memory, buttons offered as numbers to type."""

    def __init__(self, services: Services, out: TextIO, color: bool = False):
        self.services = services
        self.out = out
        self.color = color
        self.buttons: list[Button] = []
        self.state = UserState()

    async def perform(self, turn: Turn) -> list[Message]:
        """Carry out the turn's effects as the Telegram adapter does; a terminal has no chat to deliver to."""
        replies: list[Message] = []
        for effect in turn.effects:
            match effect:
                case Erase() | EraseChat():
                    ok = await self.services.erase_user(CONSOLE_USER)
                case Subscribe(lang=lang):
                    ok = await self.services.subscribe(CONSOLE_USER, None, lang)
                case Unsubscribe():
                    ok = await self.services.unsubscribe(CONSOLE_USER)
                case _:
                    ok = False
            replies += effect.done if ok else effect.failed
        return replies

    def show(self, turn: Turn, replies: list[Message] = ()) -> None:
        """Print the turn and the effects' replies, numbering the buttons so the next line can press one."""
        self.state = turn.state
        self.buttons = []
        messages = [*turn.messages, *replies]
        for message in messages:
            print(to_terminal(message, self.color), file=self.out)
            for row in message.buttons:
                labels = []
                for button in row:
                    self.buttons.append(button)
                    labels.append(f"[{len(self.buttons)}] {button.label}")
                print("   " + "   ".join(labels), file=self.out)
            print(file=self.out)
        if messages and messages[-1].menu:
            print("   menu: " + " · ".join(messages[-1].menu), file=self.out)
            print(file=self.out)

    async def handle(self, line: str) -> None:
        """A typed line: a button's number presses it, /name runs a command, anything else is text."""
        line = line.strip()
        if not line:
            return
        dialogue = self.services.dialogue
        if line.isdigit() and 0 < int(line) <= len(self.buttons):
            data = self.buttons[int(line) - 1].data
            turn = dialogue.button(self.state, data)
        elif line.startswith("/"):
            name, _sep, arg = line[1:].partition(" ")
            if name == "start":
                turn = dialogue.start(self.state, arg or None, self.services.config.default_language)
            else:
                turn = dialogue.command(self.state, name.lower(), arg)
        else:
            turn = dialogue.text(self.state, line)
        replies = await self.perform(turn)
        await self.services.record(CONSOLE_USER, turn)
        self.show(turn, replies)


async def _run(config: Config, lang: str | None, stdin: TextIO, out: TextIO) -> int:
    services = await Services.open(config)
    try:
        chat = ConsoleChat(services, out, color=out.isatty())
        chat.state = await services.load_state(CONSOLE_USER)
        await chat.handle(f"/start {lang}" if lang else "/start")
        loop = asyncio.get_running_loop()
        while True:
            if out.isatty():
                print("> ", end="", file=out, flush=True)
            line = await loop.run_in_executor(None, stdin.readline)
            if not line:
                break
            await chat.handle(line)
    finally:
        await services.close()
    return 0


def run_console(config: Config, lang: str | None = None, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    """Chat in the terminal until end of input; Ctrl-C ends quietly with exit code 0.

    The streams default to the process's at the time of the call (not of the import), so a caller that
    replaced ``sys.stdin`` is read."""
    try:
        return asyncio.run(_run(config, lang, stdin or sys.stdin, out or sys.stdout))
    except KeyboardInterrupt:
        return 0
