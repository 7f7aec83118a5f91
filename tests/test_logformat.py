"""Log output: JSON lines that carry what an operator needs and nothing of the person or the token."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot import logformat
from bot.config import Secret
from tests.telegram_fake import Updates, running_bot, to_update

TOKEN = "123456789:AAHk-SECRET_token-for-the-log-test"
USER_ID = 5550001234
QUESTION = "my boss took my passport"


@pytest.fixture
def captured():
    """JSON logging as `safar run` installs it, into a buffer; the previous set-up is restored after."""
    root = logging.getLogger()
    level = root.level
    buffer = io.StringIO()
    handler = logformat.setup("json", logging.INFO, secrets=[TOKEN], stream=buffer)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(level)


def lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


async def test_a_turn_is_one_json_line_without_text_id_or_token(captured, mini_content, config):
    async with running_bot(config, content_dir=mini_content, token=Secret(TOKEN)) as (app, fake):
        user = Updates(user_id=USER_ID)
        for data in (user.message("/start"), user.press("lang:en"), user.press("home:KG"), user.press("cur:RU")):
            await app.process_update(to_update(data, app.bot))
        await app.process_update(to_update(user.message(QUESTION), app.bot))
        fake.fail_with["sendMessage"] = (400, {"ok": False, "description": f"chat {USER_ID} {TOKEN} {QUESTION}"})
        await app.process_update(to_update(user.message(QUESTION), app.bot))  # fails: the error is logged
    output = captured.getvalue()
    turns = [entry for entry in lines(captured) if entry["logger"] == "bot.turns"]
    question = next(entry for entry in turns if entry.get("decision"))
    assert question["level"] == "info" and question["update_kind"] == "text" and question["decision"] == "answer"
    assert question["latency_ms"] >= 0 and question["ts"]
    assert any(entry["level"] == "error" and entry.get("error") == "BadRequest" for entry in lines(captured))
    for private in (QUESTION, "passport", str(USER_ID), TOKEN, TOKEN.split(":")[1], "aida_kg", "Aida"):
        assert private not in output


def test_a_token_or_an_id_in_any_message_is_scrubbed(captured):
    log = logging.getLogger("bot.test")
    log.warning("sending to %s with bot%s failed", USER_ID, TOKEN)
    log.warning("another bot's token 987654321:ABCdefGHIjklMNOpqrSTUvwxYZ012345 leaked")
    try:
        raise RuntimeError(f"chat -100{USER_ID} not found")
    except RuntimeError:
        log.exception("could not send")
    output = captured.getvalue()
    assert str(USER_ID) not in output and TOKEN not in output and "ABCdefGHI" not in output
    entries = lines(captured)
    assert entries[0]["event"] == "sending to [number] with bot[secret] failed"
    assert entries[2]["error"] == "RuntimeError" and "traceback" in entries[2]


def test_the_default_is_readable_text(mini_content):
    buffer = io.StringIO()
    handler = logformat.setup("text", logging.INFO, secrets=[TOKEN], stream=buffer)
    try:
        logging.getLogger("bot.test").info("webhook set with %s", TOKEN)
    finally:
        logging.getLogger().removeHandler(handler)
    line = buffer.getvalue().strip()
    assert " INFO bot.test: webhook set with [secret]" in line and not line.startswith("{")
