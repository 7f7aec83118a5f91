"""A broadcast's sends through PTB: Telegram's refusals become what the broadcaster knows how to handle."""

from __future__ import annotations

import pytest
from telegram import Bot

from bot.broadcast import Blocked, Failed, RetryAfter
from bot.broadcast_telegram import telegram_sender
from tests.telegram_fake import FakeTelegram

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ012345678"


@pytest.fixture
async def fake_and_send():
    fake = FakeTelegram()
    bot = Bot(TOKEN, request=fake, get_updates_request=fake)
    async with bot:
        yield fake, telegram_sender(bot)


def refuse(fake: FakeTelegram, status: int, description: str, **parameters) -> None:
    body = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    fake.fail_with["sendMessage"] = (status, body)


async def test_a_message_goes_out_as_html_without_a_link_preview(fake_and_send):
    fake, send = fake_and_send
    await send(42, "<b>Myth</b> https://example.org")
    (params,) = fake.sent()
    assert params["chat_id"] == 42 and params["parse_mode"] == "HTML"
    assert "is_disabled" in str(params["link_preview_options"])


async def test_a_person_who_blocked_the_bot_is_blocked(fake_and_send):
    fake, send = fake_and_send
    refuse(fake, 403, "Forbidden: bot was blocked by the user")
    with pytest.raises(Blocked, match="blocked by the user"):
        await send(42, "hi")


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # raised inside PTB's own RetryAfter
@pytest.mark.parametrize("timedelta", ["", "1"], ids=["seconds", "timedelta"])
async def test_the_flood_limit_says_how_long_to_wait(fake_and_send, monkeypatch, timedelta):
    """PTB 22 gives the wait in seconds, later PTBs as a timedelta (PTB_TIMEDELTA opts in now): both work."""
    monkeypatch.setenv("PTB_TIMEDELTA", timedelta)
    fake, send = fake_and_send
    refuse(fake, 429, "Too Many Requests: retry after 7", retry_after=7)
    with pytest.raises(RetryAfter) as raised:
        await send(42, "hi")
    assert raised.value.seconds == 7.0


async def test_a_bad_request_is_a_failure_not_worth_retrying(fake_and_send):
    fake, send = fake_and_send
    refuse(fake, 400, "Bad Request: chat not found")
    with pytest.raises(Failed) as raised:
        await send(42, "hi")
    assert not raised.value.transient and "chat not found" in str(raised.value).lower()


async def test_a_network_hiccup_is_a_failure_worth_retrying(fake_and_send):
    fake, send = fake_and_send
    fake.network_failures["sendMessage"] = 1
    with pytest.raises(Failed) as raised:
        await send(42, "hi")
    assert raised.value.transient
