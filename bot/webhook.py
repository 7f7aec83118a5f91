"""Webhook mode with our own small web server: the update endpoint, /healthz and /metrics.

python-telegram-bot's "custom webhook" pattern (``examples/customwebhookbot``): the server
takes each update, checks Telegram's secret header and puts the update on the
application's queue; the application runs as usual. Tornado is the server PTB itself uses
for webhooks, so nothing new is installed for it.

- ``POST /telegram``: the update, only with ``X-Telegram-Bot-Api-Secret-Token`` equal to the
  webhook secret (compared in constant time); anything else is refused with 403, unread.
- ``GET /healthz``: database reachable, content loaded, last update seen; 200 or 503.
- ``GET /metrics``: Prometheus text format (see bot/metrics.py); no user data.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import os
import signal
import socket
import time
from dataclasses import dataclass

import tornado.httpserver
import tornado.netutil
import tornado.web
from telegram import Update
from telegram.ext import Application

from bot import metrics
from bot.config import Config

log = logging.getLogger(__name__)

UPDATE_PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1_000_000  # an update is a few kilobytes; Telegram never sends more than this


def webhook_secret(config: Config) -> str:
    """The secret Telegram sends with every update: ``config.webhook_secret`` once the setting exists."""
    secret = getattr(config, "webhook_secret", None)
    if secret is None:
        secret = os.environ.get("SAFAR_WEBHOOK_SECRET", "")
    return str(secret or "")


@dataclass
class Health:
    """What /healthz reports: enough for a container orchestrator or an operator to tell a stuck bot from a busy one."""

    database: bool
    topics: int
    languages: tuple[str, ...]
    loaded_at: float | None
    last_update: float | None

    @property
    def ok(self) -> bool:
        """Healthy when the database answers and some content is loaded."""
        return self.database and self.topics > 0

    def as_json(self) -> dict:
        """The report as /healthz sends it, timestamps in ISO 8601."""
        age = None if self.last_update is None else round(time.time() - self.last_update, 1)
        return {
            "status": "ok" if self.ok else "unhealthy",
            "database": {"reachable": self.database},
            "content": {"topics": self.topics, "languages": list(self.languages), "loaded_at": _iso(self.loaded_at)},
            "last_update": {"at": _iso(self.last_update), "seconds_ago": age},
        }


async def health(app: Application) -> Health:
    """Ask the services (if they are open yet) whether the bot can answer."""
    services = app.bot_data.services
    if services is None:
        return Health(False, 0, (), None, metrics.last_update())
    try:
        database = await services.ping()
    except Exception:  # a health check reports, it never fails
        log.exception("health check: database ping failed")
        database = False
    content = services.content
    return Health(database, len(content.topic_ids), tuple(content.languages), services.loaded_at, metrics.last_update())


class _Base(tornado.web.RequestHandler):
    def initialize(self, app: Application, secret: str) -> None:
        self.bot_app = app
        self.secret = secret

    def log_exception(self, typ, value, tb) -> None:  # tornado would log the request line and headers
        if isinstance(value, tornado.web.HTTPError):  # a refusal we chose, already counted
            return
        log.error("web server error: %s", typ.__name__ if typ else "unknown", exc_info=(typ, value, tb))


class UpdateHandler(_Base):
    """Where Telegram posts updates; only requests carrying the webhook secret get in, so nobody can forge a user."""

    async def post(self) -> None:
        """Check the secret, then queue the update; Telegram only needs a quick 200."""
        given = self.request.headers.get(SECRET_HEADER, "")
        if not self.secret or not hmac.compare_digest(given.encode(), self.secret.encode()):  # no secret, no entry
            metrics.refused()
            log.info("refused a post to %s without the webhook secret", UPDATE_PATH)
            raise tornado.web.HTTPError(403)
        try:
            data = json.loads(self.request.body)
            update = Update.de_json(data, self.bot_app.bot)
        except (ValueError, TypeError, KeyError):
            raise tornado.web.HTTPError(400) from None
        if update is None:
            raise tornado.web.HTTPError(400)
        metrics.observe_update(_kind(data))
        await self.bot_app.update_queue.put(update)
        self.set_status(200)


class HealthHandler(_Base):
    """/healthz, for the orchestrator's health check."""

    async def get(self) -> None:
        """Report health as JSON: 200 when the bot can answer, 503 otherwise."""
        report = await health(self.bot_app)
        self.set_status(200 if report.ok else 503)
        self.set_header("Cache-Control", "no-store")
        self.write(report.as_json())


class MetricsHandler(_Base):
    """/metrics, for Prometheus: counts only, never a user or a message."""

    def get(self) -> None:
        """Every metric in the Prometheus text format."""
        self.set_header("Content-Type", metrics.CONTENT_TYPE)
        self.write(metrics.scrape())


def make_web_app(app: Application, secret: str) -> tornado.web.Application:
    """The three routes (updates, /healthz, /metrics) over one bot application, so one port serves them all."""
    args = {"app": app, "secret": secret}
    return tornado.web.Application(
        [
            (UPDATE_PATH, UpdateHandler, args),
            ("/healthz", HealthHandler, args),
            ("/metrics", MetricsHandler, args),
        ],
        log_function=_access_log,
    )


def _access_log(handler: tornado.web.RequestHandler) -> None:
    """Only failures, and only the method, path and status: the body and headers stay out of logs."""
    status = handler.get_status()
    if status >= 500 and not isinstance(handler, HealthHandler):  # an unhealthy report is no server failure
        log.warning("%s %s -> %d", handler.request.method, handler.request.path, status)


def _kind(data: dict) -> str:
    """The update's type (the one field besides update_id) and, for a message, what it carries."""
    message = data.get("message")
    if isinstance(message, dict):
        if "location" in message:
            return "location"
        if isinstance(message.get("text"), str):
            return "command" if message["text"].startswith("/") else "text"
        return "text" if "caption" in message else "media"
    return next((key for key in data if key != "update_id"), "other")


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def bind(listen: str, port: int) -> list[socket.socket]:
    """Listening sockets (port 0: a free one, see :func:`port_of`)."""
    return tornado.netutil.bind_sockets(port, listen, reuse_port=False)


def port_of(sockets: list[socket.socket]) -> int:
    """The port a listening server was given, for a server started on port 0."""
    return sockets[0].getsockname()[1]


@contextlib.asynccontextmanager
async def serving(app: Application, secret: str, sockets: list[socket.socket]):
    """The application started (post_init included, as run_webhook would) and the server listening."""
    metrics.watch_usage_log(lambda: app.bot_data.services and app.bot_data.services.usage_log)
    server = tornado.httpserver.HTTPServer(make_web_app(app, secret), max_body_size=MAX_BODY)
    async with app:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        server.add_sockets(sockets)
        try:
            yield server
        finally:
            server.stop()
            await server.close_all_connections()
            await app.stop()
            if app.post_stop:
                await app.post_stop(app)
    if app.post_shutdown:
        await app.post_shutdown(app)


async def serve(app: Application, config: Config, webhook_url: str, listen: str, port: int) -> None:
    """Run the bot behind our web server until SIGINT or SIGTERM; tells Telegram where to post."""
    secret = webhook_secret(config)
    if not secret:
        log.info("no webhook secret set (SAFAR_WEBHOOK_SECRET): posts to %s are not authenticated", UPDATE_PATH)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with serving(app, secret, bind(listen, port)):
        await app.bot.set_webhook(
            url=f"{webhook_url.rstrip('/')}{UPDATE_PATH}",
            allowed_updates=Update.ALL_TYPES,
            secret_token=secret or None,
        )
        log.info("webhook server on %s:%d (%s, /healthz, /metrics)", listen, port, UPDATE_PATH)
        await stop.wait()
        log.info("stopping")
