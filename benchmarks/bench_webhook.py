"""Updates/s through the real webhook endpoint, and reply latency as Telegram would see it.

Run: .venv/bin/python benchmarks/bench_webhook.py [--updates 3000] [--users 8]

This process plays Telegram on loopback: a fake Bot API (answers getMe, setWebhook,
sendMessage…) and a webhook client that posts updates to the bot, each virtual user waiting
for the reply to its last message before sending the next (closed loop, ``--users`` at once).
The bot is a separate process running the production code path (``bot.webhook.serve``, the
secret header checked, the update queued, answered over HTTP to the fake API) on a real
SQLite file, then one and two such processes on one PostgreSQL database (a throw-away cluster
started here, unix socket; the two get updates alternately, as a proxy would hand them out).
Reply latency = from the POST to the first sendMessage for that chat.

PTB's rate limiter (Telegram's ~30 messages/s per bot) is left out, as in bench_updates.py: the
figure is what the bot itself can do. Bounded: at most ``--updates`` posts and ``--seconds``.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import tornado.httpserver  # noqa: E402
import tornado.netutil  # noqa: E402
import tornado.web  # noqa: E402

from bot.config import Config  # noqa: E402
from bot.content import load_content  # noqa: E402
from tests.conftest import postgres_cluster, postgres_url, psql  # noqa: E402
from tests.telegram_fake import BOT, Updates  # noqa: E402

TOKEN = "123456:BENCH-webhook-token"
SECRET = "bench-webhook-secret"


# --- the bot process ---------------------------------------------------------------------------


def serve(url: str, port: int) -> None:
    """The child: production webhook serving, with an HTTP request layer and no rate limiter."""
    from telegram.request import HTTPXRequest

    from bot import logformat, webhook
    from bot.telegram_app import build_application

    config = Config.from_env()
    logformat.setup(config.log_format, logging.WARNING, secrets=[config.token])
    app = build_application(config, request=HTTPXRequest(connection_pool_size=64, read_timeout=15))
    asyncio.run(webhook.serve(app, config, url, "127.0.0.1", port))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_bot(api_url: str, db_path: Path, database_url: str | None = None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SAFAR_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api_url,
        SAFAR_DB_PATH=str(db_path),
        SAFAR_HASH_SECRET="bench-hash-secret",
        SAFAR_WEBHOOK_SECRET=SECRET,
        SAFAR_LOG_FORMAT="json",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if database_url:
        env["SAFAR_DATABASE_URL"] = database_url
    command = [sys.executable, __file__, "--serve", url, str(port)]
    return subprocess.Popen(command, env=env, cwd=ROOT, stdin=subprocess.DEVNULL), url


# --- Telegram, faked on loopback -------------------------------------------------------------------


@dataclass
class FakeApi:
    """Answers the Bot API; wakes whoever waits for a reply in a chat."""

    waiting: dict[int, asyncio.Future] = field(default_factory=dict)
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    sent: int = 0

    def result(self, method: str, params: dict):
        if method == "getMe":
            return BOT
        if method == "sendMessage":
            self.sent += 1
            chat = int(params["chat_id"])
            future = self.waiting.pop(chat, None)
            if future and not future.done():
                future.set_result(time.perf_counter())
            return {
                "message_id": next(self.ids),
                "date": int(time.time()),
                "chat": {"id": chat, "type": "private"},
                "text": str(params.get("text", ""))[:10],
            }
        if method == "sendContact":
            return {"message_id": next(self.ids), "date": int(time.time()), "chat": {"id": 1, "type": "private"}}
        return True


class ApiHandler(tornado.web.RequestHandler):
    def initialize(self, api: FakeApi) -> None:
        self.api = api

    def post(self, method: str) -> None:
        body = self.request.body
        if self.request.headers.get("Content-Type", "").startswith("application/json"):
            params = json.loads(body or b"{}")
        else:
            params = {k: v[0].decode() for k, v in self.request.body_arguments.items()}
        self.write({"ok": True, "result": self.api.result(method, params)})


# --- the load ---------------------------------------------------------------------------------------


@dataclass
class Run:
    name: str
    posts: int
    seconds: float
    latencies: list[float]
    refused: int = 0

    def line(self) -> str:
        lat = sorted(self.latencies)
        p50 = statistics.median(lat) * 1000 if lat else float("nan")
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else float("nan")
        return (
            f"{self.name:<28} {self.posts / self.seconds:8.0f} updates/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms"
            f"   ({self.posts} updates in {self.seconds:.1f} s, {len(lat)} replies timed)"
        )


async def load(
    name: str, bots: list[str], api: FakeApi, questions: list[str], count: int, users: int, seconds: float
) -> Run:
    """Closed loop: each user posts, waits for its reply, posts again; bots alternate like a proxy would."""
    rng = random.Random(7)
    people = [
        Updates(user_id=50_000 + i, language_code=rng.choice(["ru", "ky", "tg", "en", "uz"])) for i in range(users)
    ]
    turn = itertools.count()
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    posted = 0

    async def person(client: httpx.AsyncClient, user: Updates) -> None:
        nonlocal posted
        first = True
        while posted < count and time.perf_counter() < deadline:
            posted += 1
            data = user.message("/start") if first else user.message(rng.choice(questions))
            first = False
            reply = asyncio.get_running_loop().create_future()
            api.waiting[user.user["id"]] = reply
            bot = bots[next(turn) % len(bots)]
            sent_at = time.perf_counter()
            response = await client.post(
                f"{bot}/telegram", json=data, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
            )
            response.raise_for_status()
            try:
                latencies.append(await asyncio.wait_for(reply, 10) - sent_at)
            except TimeoutError:
                api.waiting.pop(user.user["id"], None)

    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(limits=limits, timeout=15) as client:
        started = time.perf_counter()
        await asyncio.gather(*(person(client, user) for user in people))
        elapsed = time.perf_counter() - started
    return Run(name, posted, elapsed, latencies)


async def wait_healthy(url: str, process: subprocess.Popen) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(600):
            if process.poll() is not None:
                raise SystemExit(f"the bot exited with {process.returncode}")
            try:
                if (await client.get(f"{url}/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.05)
    raise SystemExit("the bot did not become healthy in 30 s")


async def stopped(process: subprocess.Popen) -> None:
    """Wait for a clean exit (the log writer flushes its queue); a bot that hangs is killed, and said so."""
    try:
        await asyncio.to_thread(process.wait, 60)
    except subprocess.TimeoutExpired:
        print("  (a bot process did not exit within 60 s of SIGTERM: killed)", file=sys.stderr)
        process.kill()
        await asyncio.to_thread(process.wait, 15)


async def main(count: int, users: int, seconds: float) -> None:
    content = load_content(Config().content_dir).content  # the FAQ's own questions, not the evaluation sets
    questions = [q for t in content.all_topics() for q in t.questions]
    api = FakeApi()
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    server = tornado.httpserver.HTTPServer(tornado.web.Application([(r"/bot[^/]+/(\w+)", ApiHandler, {"api": api})]))
    server.add_sockets(sockets)
    api_url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}"
    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as folder:
        process, url = start_bot(api_url, Path(folder) / "bench.sqlite3")
        try:
            await wait_healthy(url, process)
            await load("warm-up", [url], api, questions, min(200, count), users, seconds)
            runs.append(await load("1 process, SQLite", [url], api, questions, count, users, seconds))
            print("  " + runs[-1].line(), flush=True)
        finally:
            process.terminate()
            await stopped(process)
        # PostgreSQL: a throw-away cluster on a unix socket (as the tests start it), one database.
        with postgres_cluster() as socket_folder:
            psql(socket_folder, "CREATE DATABASE bench")
            database_url = postgres_url(socket_folder, "bench")
            bots = [start_bot(api_url, Path(folder) / f"pg-{n}.sqlite3", database_url) for n in range(2)]
            try:
                for process, url in bots:
                    await wait_healthy(url, process)
                urls = [url for _, url in bots]
                await load("warm-up", urls, api, questions, min(200, count), users, seconds)
                runs.append(await load("1 process, PostgreSQL", urls[:1], api, questions, count, users, seconds))
                print("  " + runs[-1].line(), flush=True)
                runs.append(await load("2 processes, PostgreSQL", urls, api, questions, count, users, seconds))
                print("  " + runs[-1].line(), flush=True)
            finally:
                for process, _ in bots:
                    process.terminate()
                for process, _ in bots:
                    await stopped(process)
    server.stop()
    print(f"webhook: {count} updates max, {users} users in a closed loop, {os.cpu_count()} cores, loopback")
    for run in runs:
        print("  " + run.line())
    one, two = (
        next(r for r in runs if r.name == name) for name in ("1 process, PostgreSQL", "2 processes, PostgreSQL")
    )
    print(f"  2 processes / 1 process on PostgreSQL: {(two.posts / two.seconds) / (one.posts / one.seconds):.2f}x")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        serve(sys.argv[2], int(sys.argv[3]))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    asyncio.run(main(args.updates, args.users, args.seconds))
