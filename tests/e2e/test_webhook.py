"""The same bot in webhook mode: the emulator posts updates to the bot's own web server."""

from __future__ import annotations

import socket

import pytest

from tests.e2e.conftest import LOG_ERRORS, start_bot

WEBHOOK_TOKEN = "654321:TEST-e2e-webhook"  # its own bot: a webhook and polling cannot share one

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def webhook_bot(bot_api, content_dir, tmp_path):
    port = free_port()
    args = ("--webhook", f"http://127.0.0.1:{port}", "--listen", "127.0.0.1", "--port", str(port))
    bot = start_bot(bot_api, content_dir, tmp_path, token=WEBHOOK_TOKEN, args=args)
    yield bot
    assert bot.stop() == 0, bot.log_since()
    errors = [line for line in bot.log_since().splitlines() if any(s in line for s in LOG_ERRORS)]
    assert not errors, "\n".join(errors)


async def test_webhook_mode(make_user, webhook_bot):
    user = make_user(language_code="ru", token=WEBHOOK_TOKEN, bot=webhook_bot)
    await user.send("/start")
    await user.wait_for_buttons("lang:")
    replies = await user.tap("lang:ru")
    assert replies[-1].data_with_prefix("home:")
    await user.settle()
    assert set(await user.callback_answers()) == set(user.pressed)
