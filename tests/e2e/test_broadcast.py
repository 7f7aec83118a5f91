"""A campaign broadcast from the command line, through the emulator's flood limit, to real subscribers."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.conftest import run_cli
from tests.e2e.conftest import TOKEN, bot_environment

pytestmark = pytest.mark.e2e

CAMPAIGN = """\
id: e2e-{suffix}
messages:
  ru: "**Проверка** рассылки"
  ky: "**Текшерүү** таратуусу"
  tg: "**Санҷиши** паҳнкунӣ"
"""


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # raised inside PTB's own RetryAfter
async def test_broadcast_reaches_each_subscriber_once_within_flood_limits(
    make_user, safar_bot, bot_api, content_dir, tmp_path
):
    people = {lang: make_user(lang) for lang in ("ky", "tg", "ru")}
    for person in people.values():
        replies = await person.ask("/subscribe")
        assert "/unsubscribe" in replies[-1].text
    leaver = make_user("ru")
    await leaver.ask("/subscribe")
    await leaver.ask("/unsubscribe")

    campaign = tmp_path / "campaign.yaml"
    campaign.write_text(CAMPAIGN.format(suffix=tmp_path.name), encoding="utf-8")
    httpx.post(
        f"{bot_api.url}/setFloodLimit",
        json={"token": TOKEN, "method": "sendMessage", "times": 2, "retry_after": 1},
        timeout=5,
    ).raise_for_status()
    env = bot_environment(bot_api.url, content_dir, safar_bot.log_path.parent / "data" / "safar.sqlite3")
    command = ("broadcast", str(campaign), "--send", "--rate", "20")
    # main() in a worker thread: it runs its own event loop, and this one keeps the test's users listening.
    run = await asyncio.to_thread(run_cli, *command, env=env, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "waited for Telegram's flood limit 2 times" in run.stdout, run.stdout

    expected = {"ky": "Текшерүү", "tg": "Санҷиши", "ru": "Проверка"}
    for lang, person in people.items():
        replies = await person.wait_replies(1)
        assert replies[0].text.startswith(expected[lang]), replies[0]
        await person.expect_silence(0.5)  # exactly once
    await leaver.expect_silence(0.5)

    again = await asyncio.to_thread(run_cli, *command, env=env, check=False)
    assert "sent" in again.stdout and "waited" not in again.stdout  # a re-run sends nothing new
    for person in people.values():
        await person.expect_silence(0.5)
