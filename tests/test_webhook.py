"""The webhook server (bot/webhook.py) on a loopback port, over the real Application and a fake Telegram."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
from dataclasses import replace

import httpx
import pytest
import tornado.httpserver
import tornado.netutil
import tornado.web

from bot import metrics, webhook
from bot.config import PROJECT_ROOT, Secret
from bot.telegram_app import build_application
from tests.conftest import run_cli
from tests.telegram_fake import BOT, FakeTelegram, Updates

SECRET = "s3cret-webhook-token_for-tests"
USER_ID = 918273645
QUESTION = "my boss took my passport"


@pytest.fixture
async def server(mini_content, config):
    """The bot behind its web server on a free loopback port; yields (base URL, fake Telegram, app)."""
    fake = FakeTelegram()
    app = build_application(replace(config, content_dir=mini_content, token=Secret("123:SECRET-TOKEN")), request=fake)
    sockets = webhook.bind("127.0.0.1", 0)
    async with webhook.serving(app, SECRET, sockets):
        yield f"http://127.0.0.1:{webhook.port_of(sockets)}", fake, app


async def post(client: httpx.AsyncClient, url: str, update: dict, secret: str | None = SECRET) -> httpx.Response:
    headers = {webhook.SECRET_HEADER: secret} if secret is not None else {}
    return await client.post(f"{url}/telegram", json=update, headers=headers)


def turns_done() -> float:
    """Turns answered so far in this process: counted once the turn's last reply is out."""
    return sum(s.value for family in metrics.TURNS.collect() for s in family.samples if s.name.endswith("_total"))


async def answered(client: httpx.AsyncClient, url: str, update: dict) -> None:
    """Post an update and wait (bounded) until the bot has answered it; updates are handled after the 200."""
    before = turns_done()
    assert (await post(client, url, update)).status_code == 200
    for _ in range(500):
        if turns_done() > before:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the bot did not answer in 5 s")


async def onboard(client, url, user: Updates) -> None:
    for update in (user.message("/start"), user.press("lang:en"), user.press("home:KG"), user.press("cur:RU")):
        await answered(client, url, update)


async def test_a_post_without_the_secret_is_refused_and_nobody_is_answered(server):
    url, fake, _app = server
    forger, someone = Updates(user_id=USER_ID), Updates(user_id=USER_ID + 1)
    async with httpx.AsyncClient() as client:
        missing = await post(client, url, forger.message("/start"), secret=None)
        wrong = await post(client, url, forger.message("/start"), secret=SECRET[:-1] + "X")
        await answered(client, url, someone.message("/start"))  # posted after them: handled after them too
    assert (missing.status_code, wrong.status_code) == (403, 403)
    assert fake.outgoing() and {params["chat_id"] for _method, params in fake.outgoing()} == {USER_ID + 1}


async def test_a_post_with_the_secret_is_answered(server):
    url, fake, _app = server
    async with httpx.AsyncClient() as client:
        await answered(client, url, Updates(user_id=USER_ID).message("/start"))
    assert fake.texts() and fake.sent()[0]["chat_id"] == USER_ID


async def test_healthz_reports_database_content_and_last_update(server):
    url, _fake, app = server
    async with httpx.AsyncClient() as client:
        before = (await client.get(f"{url}/healthz")).json()
        await answered(client, url, Updates(user_id=USER_ID).message("/start"))
        response = await client.get(f"{url}/healthz")
    report = response.json()
    assert response.status_code == 200 and report["status"] == "ok"
    assert report["database"]["reachable"] is True
    assert report["content"]["topics"] == len(app.bot_data.services.content.topic_ids) > 0
    assert set(report["content"]["languages"]) >= {"en", "ru"} and report["content"]["loaded_at"]
    assert report["last_update"]["at"] and report["last_update"]["seconds_ago"] >= 0
    assert before["last_update"]["at"] is None or before["last_update"]["at"] <= report["last_update"]["at"]


async def test_healthz_is_503_when_the_database_is_gone(server):
    url, _fake, app = server
    await app.bot_data.services.usage_log.close()
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{url}/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy" and response.json()["database"]["reachable"] is False


def sample(page: str, name: str) -> float:
    """One sample's value on a /metrics page (0 when it is not there yet)."""
    found = [line.split()[-1] for line in page.splitlines() if line.startswith(name + " ")]
    return float(found[0]) if found else 0.0


async def test_metrics_count_what_happened_and_name_nobody(server):
    url, _fake, _app = server
    user = Updates(user_id=USER_ID)
    watched = (
        'safar_updates_total{kind="text"}',
        'safar_updates_total{kind="command"}',
        'safar_decisions_total{decision="answer"}',
        'safar_hotline_handoffs_total{country="RU"}',
        "safar_reply_seconds_count",
        "safar_log_events_queued_total",
    )
    async with httpx.AsyncClient() as client:
        before = (await client.get(f"{url}/metrics")).text
        await onboard(client, url, user)
        await answered(client, url, user.message(QUESTION))
        await answered(client, url, user.message("/hotline"))
        response = await client.get(f"{url}/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    for name in watched:
        assert sample(text, name) > sample(before, name), name
    assert "safar_log_events_dropped_total" in text and "safar_reply_seconds_bucket" in text
    for private in (str(USER_ID), QUESTION, "passport", "aida_kg", "SECRET-TOKEN"):
        assert private not in text


def test_the_secret_comes_from_the_config_once_it_has_one(config, monkeypatch):
    monkeypatch.setenv("SAFAR_WEBHOOK_SECRET", "from-the-environment")
    assert webhook.webhook_secret(config) == "from-the-environment"
    with_setting = type("WithSecret", (), {"webhook_secret": Secret("from-the-config")})()
    assert webhook.webhook_secret(with_setting) == "from-the-config"


def test_update_kinds_never_carry_content():
    user = Updates(user_id=USER_ID)
    assert webhook._kind(json.loads(json.dumps(user.message("/start")))) == "command"
    assert webhook._kind(user.message(QUESTION)) == "text"
    assert webhook._kind(user.press("lang:en")) == "callback_query"
    assert webhook._kind(user.sticker()) == "media"


async def test_the_healthcheck_command_reads_healthz(server):
    """`safar healthcheck` is the container's HEALTHCHECK: exit 0 only when /healthz says ok."""
    url, _fake, _app = server

    async def healthcheck(target: str) -> tuple[int, str, str]:
        # main() in a worker thread: its blocking HTTP call must not stop this loop, which serves /healthz.
        result = await asyncio.to_thread(run_cli, "healthcheck", "--url", target, check=False)
        return result.returncode, result.stdout, result.stderr

    code, out, err = await healthcheck(f"{url}/healthz")
    assert code == 0, err
    assert json.loads(out)["status"] == "ok"
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    code, _out, err = await healthcheck(f"http://127.0.0.1:{closed}/healthz")
    assert code == 1 and "did not answer" in err


# --- the real `safar run --webhook` process ------------------------------------------------------


class FakeBotApi(tornado.web.RequestHandler):
    """Telegram's Bot API, just enough for a bot to start and reply; records (method, params)."""

    def initialize(self, calls: list) -> None:
        self.calls = calls

    def post(self, method: str) -> None:
        params = {key: values[0].decode() for key, values in self.request.body_arguments.items()}
        self.calls.append((method, params))
        result: object = True
        if method == "getMe":
            result = BOT
        elif method == "sendMessage":
            chat = {"id": int(params["chat_id"]), "type": "private"}
            result = {"message_id": len(self.calls), "date": int(time.time()), "chat": chat, "text": "…"}
        self.write({"ok": True, "result": result})


async def until(condition, what: str) -> None:
    for _ in range(1000):  # bounded: 10 s
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{what} did not happen in 10 s")


async def test_safar_run_webhook_serves_refuses_forgeries_and_logs_json_without_user_data(mini_content, tmp_path):
    calls: list[tuple[str, dict]] = []
    api_sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    api = tornado.httpserver.HTTPServer(tornado.web.Application([(r"/bot[^/]+/(\w+)", FakeBotApi, {"calls": calls})]))
    api.add_sockets(api_sockets)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    token = "987654321:AAF-real-looking_token-for-the-run-test"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SAFAR_"))}
    env |= {
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{api_sockets[0].getsockname()[1]}",
        "SAFAR_CONTENT_DIR": str(mini_content),
        "SAFAR_DB_PATH": str(tmp_path / "data" / "safar.sqlite3"),
        "SAFAR_HASH_SECRET": "run-test-hash-secret",
        "SAFAR_WEBHOOK_SECRET": SECRET,
        "SAFAR_WEBHOOK_URL": "https://bot.example.org",
        "SAFAR_PORT": str(port),
        "SAFAR_LOG_FORMAT": "json",
    }
    stderr = tmp_path / "bot.log"
    with stderr.open("wb") as log:
        bot = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
    try:
        await until(lambda: any(method == "setWebhook" for method, _ in calls) or bot.returncode is not None, "start")
        webhook_set = next(params for method, params in calls if method == "setWebhook")
        assert webhook_set["url"] == "https://bot.example.org/telegram" and webhook_set["secret_token"] == SECRET
        user = Updates(user_id=USER_ID)
        async with httpx.AsyncClient() as client:
            forged = await post(client, url, user.message("/start"), secret=None)
            assert (await post(client, url, user.message(QUESTION))).status_code == 200
            await until(lambda: any(m == "sendMessage" for m, _ in calls), "a reply")
            health = await client.get(f"{url}/healthz")
            page = (await client.get(f"{url}/metrics")).text
        assert forged.status_code == 403
        assert {params["chat_id"] for method, params in calls if method == "sendMessage"} == {str(USER_ID)}
        assert health.status_code == 200 and health.json()["database"]["reachable"] is True
        assert (
            sample(page, "safar_webhook_refused_total") == 1 and sample(page, 'safar_updates_total{kind="text"}') == 1
        )
    finally:
        if bot.returncode is None:
            bot.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(bot.wait(), 15)
        api.stop()
    output = stderr.read_text()
    assert code == 0, output
    entries = [json.loads(line) for line in output.splitlines()]  # every line is one JSON object
    assert any(entry.get("decision") and entry.get("update_kind") == "text" for entry in entries)
    assert not [entry for entry in entries if entry["level"] in ("warning", "error", "critical")], output
    for private in (QUESTION, str(USER_ID), token, token.split(":")[1], SECRET, "aida_kg"):
        assert private not in output
