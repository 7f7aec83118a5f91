"""The same bot in webhook mode: the emulator posts updates to the bot's own web server.

The webhook is only as private as its secret token: a request without Telegram's
X-Telegram-Bot-Api-Secret-Token header is refused (403) and never reaches the dialogue.
"""

from __future__ import annotations

import socket
import time

import httpx
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
    # A previous test's bot leaves its webhook set: clear it, so start_bot waits for this bot's own.
    httpx.post(f"{bot_api.url}/bot{WEBHOOK_TOKEN}/deleteWebhook", timeout=5).raise_for_status()
    port = free_port()
    args = ("--webhook", f"http://127.0.0.1:{port}", "--listen", "127.0.0.1", "--port", str(port))
    bot = start_bot(bot_api, content_dir, tmp_path, token=WEBHOOK_TOKEN, args=args)
    bot.url = f"http://127.0.0.1:{port}/telegram"
    bot.secret_file = tmp_path / "data" / "safar.sqlite3.webhook-secret"
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


def forged_start(user_id: int, update_id: int) -> dict:
    person = {"id": user_id, "is_bot": False, "first_name": "Test", "language_code": "ru"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Test"},
            "from": person,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def test_a_forged_update_without_the_secret_token_is_refused(make_user, webhook_bot):
    user = make_user(language_code="ru", token=WEBHOOK_TOKEN, bot=webhook_bot)
    secret = webhook_bot.secret_file.read_text().strip()
    assert len(secret) >= 16  # generated at the first start and kept beside the hash secret
    await user.send("/start")  # through Telegram (the emulator), so the chat exists
    await user.wait_for_buttons("lang:")

    async with httpx.AsyncClient(timeout=10) as client:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guessed-wrong-token-123"}):
            forged = await client.post(webhook_bot.url, json=forged_start(user.user_id, 9_000_001), headers=headers)
            assert forged.status_code == 403
        await user.expect_silence(1.0)  # nothing of the forged /start reached the person

        genuine = await client.post(
            webhook_bot.url,
            json=forged_start(user.user_id, 9_000_002),
            headers={"X-Telegram-Bot-Api-Secret-Token": secret},
        )
        assert genuine.status_code == 200
    replies = await user.wait_replies(1)
    assert replies[0].data_with_prefix("lang:")  # with the header, the same update is answered
