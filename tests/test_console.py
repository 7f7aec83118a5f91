"""The terminal chat: the same dialogue as in Telegram, buttons numbered, typed in a terminal."""

from __future__ import annotations

import io

from bot.console import ConsoleChat, run_console, to_terminal
from bot.replies import Message
from bot.services import Services


async def chat_over(config) -> tuple[ConsoleChat, io.StringIO]:
    out = io.StringIO()
    return ConsoleChat(await Services.open(config), out), out


async def test_buttons_are_numbered_and_a_number_presses_one(config):
    chat, out = await chat_over(config)
    try:
        await chat.handle("/start")
        assert "[1]" in out.getvalue() and "English" in out.getvalue()
        english = next(i for i, b in enumerate(chat.buttons, 1) if b.data == "lang:en")
        await chat.handle(str(english))
        assert chat.state.lang == "en"
        assert "Which country are you a citizen of?" in out.getvalue()
    finally:
        await chat.services.close()


async def test_a_cry_for_help_gets_the_emergency_card_in_the_terminal(config):
    chat, out = await chat_over(config)
    try:
        await chat.handle("/start en")
        before = len(out.getvalue())
        await chat.handle("help me, they locked us in")
        assert out.getvalue()[before:].lstrip().startswith("🆘")
    finally:
        await chat.services.close()


async def test_erasing_in_the_terminal_tells_the_truth(config):
    chat, out = await chat_over(config)
    try:
        await chat.handle("/start en")
        await chat.handle("/delete")
        yes = next(i for i, b in enumerate(chat.buttons, 1) if b.data == "del:yes")
        await chat.handle(str(yes))
        assert "has been erased" in out.getvalue()
        await chat.handle("/subscribe")  # a terminal has no chat to deliver to: not "subscribed"
        assert "could not save your subscription" in out.getvalue()
    finally:
        await chat.services.close()


def test_contacts_are_printed_with_their_numbers():
    text = to_terminal(Message("<b>Hotline</b>", contacts=()), color=False)
    assert text == "Hotline"


def test_the_whole_chat_runs_from_standard_input(config):
    out = io.StringIO()
    assert run_console(config, "en", stdin=io.StringIO("/hotline\n"), out=out) == 0
    assert "tell me your citizenship" in out.getvalue()
