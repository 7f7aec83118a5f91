"""Two bot processes in webhook mode on one PostgreSQL, updates alternating between them as a proxy would.

Telegram is faked at the request layer (a loopback Bot API that records every call); updates are
posted to each process's /telegram with the secret header. What must hold: settings written
through one are used by the other, /delete through one is honoured by the other at once, a case
opened through one is answered through the other, and a broadcast run by two processes at the
same time reaches every subscriber exactly once.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import signal
import socket
import sys
import time

import httpx
import pytest
import tornado.httpserver
import tornado.netutil
import tornado.web

from bot.config import PROJECT_ROOT
from tests.conftest import query
from tests.telegram_fake import BOT, Updates
from tests.test_webhook import FakeBotApi, until

pytestmark = pytest.mark.e2e

SECRET = "two-instances-webhook-secret"
HASH_SECRET = "two-instances-hash-secret-of-length"
OPERATORS = -1001234
TOKEN = "24680:TEST-two-instances"


def user_hash(user_id: int) -> str:
    return hmac.new(HASH_SECRET.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()[:32]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def settled(url: str, sql: str, params: tuple, expected) -> None:
    """Wait (bounded) until the database says ``expected``: the writer batches settings for up to 0.5 s."""
    for _ in range(500):
        if await query(url, sql, params) == expected:
            return
        await asyncio.sleep(0.02)
    assert await query(url, sql, params) == expected


async def test_two_instances_on_one_postgresql_share_settings_erasure_cases_and_broadcasts(
    fresh_postgres, mini_content, tmp_path
):
    calls: list[tuple[str, dict]] = []
    api_sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    api = tornado.httpserver.HTTPServer(tornado.web.Application([(r"/bot[^/]+/(\w+)", FakeBotApi, {"calls": calls})]))
    api.add_sockets(api_sockets)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SAFAR_"))}
    env |= {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{api_sockets[0].getsockname()[1]}",
        "SAFAR_CONTENT_DIR": str(mini_content),
        "SAFAR_DB_PATH": str(tmp_path / "data" / "unused.sqlite3"),
        "SAFAR_DATABASE_URL": fresh_postgres,
        "SAFAR_HASH_SECRET": HASH_SECRET,
        "SAFAR_WEBHOOK_SECRET": SECRET,
        "SAFAR_WEBHOOK_URL": "https://bot.example.org",
        "SAFAR_OPERATOR_CHAT_ID": str(OPERATORS),
        "SAFAR_LOG_FORMAT": "json",
    }
    urls, processes = [], []
    for name in ("a", "b"):
        port = free_port()
        urls.append(f"http://127.0.0.1:{port}")
        with (tmp_path / f"bot-{name}.log").open("wb") as log:
            processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "bot",
                    "run",
                    cwd=PROJECT_ROOT,
                    env=env | {"SAFAR_PORT": str(port)},
                    stdout=log,
                    stderr=log,
                )
            )

    def sent_to(chat: int) -> list[str]:
        return [p.get("text", "") for m, p in calls if m == "sendMessage" and p.get("chat_id") == str(chat)]

    async with httpx.AsyncClient(timeout=10) as client:

        async def post(instance: int, update: dict, chat: int) -> None:
            """Post through one instance and wait for its first reply in that chat."""
            before = len(sent_to(chat))
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            response = await client.post(f"{urls[instance]}/telegram", json=update, headers=headers)
            assert response.status_code == 200
            await until(lambda: len(sent_to(chat)) > before, f"a reply in chat {chat} through instance {instance}")

        try:
            for url, process in zip(urls, processes, strict=True):

                async def healthy(url=url, process=process) -> bool:
                    assert process.returncode is None, "an instance exited"
                    try:
                        return (await client.get(f"{url}/healthz")).status_code == 200
                    except httpx.HTTPError:
                        return False

                for _ in range(600):
                    if await healthy():
                        break
                    await asyncio.sleep(0.05)
                assert await healthy()

            # Settings: the home country through B, the current one through A; both kept together.
            one = Updates(user_id=61001, language_code="en")
            await post(0, one.message("/start"), 61001)
            await post(1, one.press("home:KG"), 61001)
            await settled(fresh_postgres, "SELECT home FROM users WHERE user_hash = ?", (user_hash(61001),), [("KG",)])
            await post(0, one.press("cur:RU"), 61001)
            await settled(
                fresh_postgres,
                "SELECT home, current FROM users WHERE user_hash = ?",
                (user_hash(61001),),
                [("KG", "RU")],
            )
            # Three subscribers, through either instance.
            two, three = Updates(user_id=61002, language_code="en"), Updates(user_id=61003, language_code="en")
            await post(1, one.message("/subscribe"), 61001)
            for instance, person in ((0, two), (1, three)):
                await post(instance, person.message("/start"), person.chat["id"])
                await post(1 - instance, person.message("/subscribe"), person.chat["id"])
            assert await query(fresh_postgres, "SELECT count(*) FROM subscribers") == [(3,)]

            # A case opened through A (asked for a person) and B (the message), answered through A.
            await post(0, two.message("/talk"), 61002)
            await settled(
                fresh_postgres, "SELECT asking FROM users WHERE user_hash = ?", (user_hash(61002),), [("person",)]
            )
            await post(1, two.message("My boss keeps my passport, what can I do"), 61002)
            await until(lambda: sent_to(OPERATORS), "the case in the operators' chat")
            card = sent_to(OPERATORS)[-1]
            assert "Case #" in card and "61002" not in card
            volunteer = Updates(user_id=777, chat_type="supergroup")
            volunteer.chat = {"id": OPERATORS, "type": "supergroup"}
            replied = {"message_id": 5, "date": int(time.time()), "chat": volunteer.chat, "from": BOT, "text": card}
            before = len(sent_to(61002))
            await post(0, volunteer.message("Call the hotline, we help", reply_to_message=replied), OPERATORS)
            await until(lambda: len(sent_to(61002)) > before, "the volunteer's answer")
            assert "Call the hotline, we help" in sent_to(61002)[-1]

            # /delete through B: gone at once, and A does not bring the erased countries back.
            await post(1, one.message("/delete"), 61001)
            await post(1, one.press("del:yes"), 61001)
            for table in ("events", "users", "user_days", "subscribers", "cases"):
                assert await query(
                    fresh_postgres, f"SELECT count(*) FROM {table} WHERE user_hash = ?", (user_hash(61001),)
                ) == [(0,)]
            await post(0, one.message("what is the hotline"), 61001)
            await settled(
                fresh_postgres, "SELECT count(*) FROM events WHERE user_hash = ?", (user_hash(61001),), [(1,)]
            )
            kept = await query(
                fresh_postgres, "SELECT home, current FROM users WHERE user_hash = ?", (user_hash(61001),)
            )
            assert kept in ([], [(None, None)])

            # A broadcast run by two processes at once: everyone still subscribed gets it once.
            campaign = tmp_path / "campaign.yaml"
            campaign.write_text('id: two-instances\nmessages:\n  en: "**Check** the offer"\n', encoding="utf-8")
            runs = [
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "bot",
                    "broadcast",
                    str(campaign),
                    "--send",
                    "--rate",
                    "1000",
                    cwd=PROJECT_ROOT,
                    env=env,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.STDOUT,
                )
                for _ in range(2)
            ]
            outputs = [(await asyncio.wait_for(run.communicate(), 60))[0].decode() for run in runs]
            # Both finish cleanly; one may find the campaign taken by the other (exit 3: "another run is sending").
            assert sorted(run.returncode for run in runs) in ([0, 0], [0, 3]), outputs
            got = [chat for chat in (61001, 61002, 61003) for text in sent_to(chat) if "Check" in text]
            assert sorted(got) == [61002, 61003], outputs
        finally:
            for process in processes:
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)
            codes = [await asyncio.wait_for(process.wait(), 15) for process in processes]
            api.stop()
    logs = "".join((tmp_path / f"bot-{name}.log").read_text() for name in ("a", "b"))
    assert codes == [0, 0], logs[-4000:]
    levels = {json.loads(line)["level"] for line in logs.splitlines() if line.startswith("{")}
    assert not levels & {"error", "critical"}, logs[-4000:]
