"""Opt-in subscriptions, and broadcasts that survive a crash without sending anyone a message twice.

To deliver a weekly message the bot must know where to send it: the one
place a chat id is kept is the `subscribers` table, encrypted (Fernet) with
a key derived from the hash secret, which lives outside the database. It is
erased by /unsubscribe, /delete, /exit, and when the person blocks the bot.

A broadcast is *at most once*: each recipient's delivery is a row whose
status moves queued → sending → sent|blocked|failed, committed around every
send. After a crash, rows left in "sending" (Telegram may or may not have
delivered) are reported as unknown and never retried.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import warnings
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.chats import ChatStore
from bot.markup import render

log = logging.getLogger(__name__)

DEFAULT_RATE = 25.0  # messages per second overall; Telegram allows about 30
NETWORK_ATTEMPTS = 3
FALLBACK_LANGUAGES = ("ru", "en")


@dataclass(frozen=True)
class Subscriber:
    user_hash: str
    chat_id: int
    lang: str


class Subscriptions(ChatStore):
    """Who asked for the weekly message. Without a usable database it is empty and says so in the log."""

    async def subscribe(self, user_hash: str, chat_id: int, lang: str) -> bool:
        if self._db is None:
            return False
        token = self.seal(chat_id)
        await self._db.execute(
            "INSERT INTO subscribers (user_hash, chat, lang, since) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_hash) DO UPDATE SET chat = excluded.chat, lang = excluded.lang",
            (user_hash, token, lang, time.time()),
        )
        await self._db.commit()
        return True

    async def unsubscribe(self, user_hash: str) -> bool:
        if self._db is None:
            return False
        cursor = await self._db.execute("DELETE FROM subscribers WHERE user_hash = ?", (user_hash,))
        await self._db.commit()
        return cursor.rowcount > 0

    async def is_subscribed(self, user_hash: str) -> bool:
        if self._db is None:
            return False
        cursor = await self._db.execute("SELECT 1 FROM subscribers WHERE user_hash = ?", (user_hash,))
        return await cursor.fetchone() is not None

    async def all(self) -> list[Subscriber]:
        if self._db is None:
            return []
        rows = await (await self._db.execute("SELECT user_hash, chat, lang FROM subscribers")).fetchall()
        subscribers = []
        for user_hash, token, lang in rows:
            chat_id = self.open_seal(token)
            if chat_id is not None:
                subscribers.append(Subscriber(user_hash, chat_id, lang))
        return subscribers


# --- broadcasts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Campaign:
    id: str
    messages: dict[str, str]  # lang -> Telegram HTML

    def message_for(self, lang: str) -> str | None:
        for candidate in (lang, *FALLBACK_LANGUAGES, *sorted(self.messages)):
            if candidate in self.messages:
                return self.messages[candidate]
        return None


class CampaignError(ValueError):
    pass


def load_campaign(path: Path) -> Campaign:
    """A campaign file: `id:` and `messages:` with Markdown per language."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise CampaignError(f"{path}: cannot read: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("messages"), dict) or not data.get("id"):
        raise CampaignError(f"{path}: needs `id:` and `messages:` with a text per language")
    messages = {}
    for lang, markdown in data["messages"].items():
        rendered = render(str(markdown))
        if rendered.problems:
            raise CampaignError(f"{path}: {lang}: {rendered.problems[0][1]}")
        if len(rendered.text) > 4096:
            raise CampaignError(f"{path}: {lang}: longer than Telegram's 4096 characters")
        messages[str(lang)] = rendered.html
    return Campaign(str(data["id"]), messages)


@dataclass
class DeliveryReport:
    campaign: str
    statuses: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    retry_after_waits: int = 0
    seconds: float = 0.0
    dry_run: bool = False

    def lines(self) -> list[str]:
        total = sum(self.statuses.values())
        head = "dry run" if self.dry_run else f"{self.seconds:.1f} s"
        lines = [f"broadcast {self.campaign}: {total} recipients ({head})"]
        for status in ("sent", "would send", "blocked", "failed", "unknown", "queued"):
            if self.statuses.get(status):
                lines.append(f"  {status:<11} {self.statuses[status]}")
        lines.append("  by language: " + ", ".join(f"{lang} {n}" for lang, n in sorted(self.languages.items())))
        if self.retry_after_waits:
            lines.append(f"  waited for Telegram's flood limit {self.retry_after_waits} times")
        if self.statuses.get("unknown"):
            lines.append("  unknown: a crash came between sending and recording; not resent (at most once)")
        return lines


Send = Callable[[int, str], Awaitable[object]]


def _seconds(error: RetryAfter) -> float:
    """How long Telegram asked to wait (an int today, a timedelta in a later PTB)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)


class Broadcaster:
    def __init__(self, subscriptions: Subscriptions, send: Send, rate: float = DEFAULT_RATE):
        self.subscriptions = subscriptions
        self.send = send
        self.interval = 1.0 / rate

    async def run(
        self,
        campaign: Campaign,
        dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> DeliveryReport:
        db = self.subscriptions._db
        report = DeliveryReport(campaign.id, dry_run=dry_run)
        if db is None:
            raise RuntimeError("the subscriptions database is not available")
        subscribers = {s.user_hash: s for s in await self.subscriptions.all()}
        if dry_run:
            for subscriber in subscribers.values():
                report.statuses["would send"] += 1
                report.languages[subscriber.lang] += 1
            return report
        await db.executemany(
            "INSERT OR IGNORE INTO deliveries (campaign, user_hash, status, updated) VALUES (?, ?, 'queued', ?)",
            [(campaign.id, user, time.time()) for user in subscribers],
        )
        await db.execute(
            "UPDATE deliveries SET status = 'unknown' WHERE campaign = ? AND status = 'sending'",
            (campaign.id,),
        )
        await db.commit()
        queued = [
            user
            for (user,) in await (
                await db.execute(
                    "SELECT user_hash FROM deliveries WHERE campaign = ? AND status = 'queued'",
                    (campaign.id,),
                )
            ).fetchall()
        ]
        started = time.monotonic()
        for done, user in enumerate(queued, start=1):
            subscriber = subscribers.get(user)
            status = await self._deliver(db, campaign, subscriber, report) if subscriber else "failed"
            await self._mark(db, campaign.id, user, status)
            if progress:
                progress(done, len(queued))
        report.seconds = time.monotonic() - started
        for status, count in await (
            await db.execute(
                "SELECT status, count(*) FROM deliveries WHERE campaign = ? GROUP BY status", (campaign.id,)
            )
        ).fetchall():
            report.statuses[status] = count
        return report

    async def _deliver(self, db, campaign: Campaign, subscriber: Subscriber, report: DeliveryReport) -> str:
        text = campaign.message_for(subscriber.lang)
        if text is None:
            return "failed"
        attempts = 0
        while True:
            await asyncio.sleep(self.interval)
            # Only the request itself is "sending": a crash there leaves the outcome unknown.
            await self._mark(db, campaign.id, subscriber.user_hash, "sending")
            try:
                await self.send(subscriber.chat_id, text)
                report.languages[subscriber.lang] += 1
                return "sent"
            except RetryAfter as error:  # certainly not delivered: safe to send again after the wait
                await self._mark(db, campaign.id, subscriber.user_hash, "queued")
                report.retry_after_waits += 1
                await asyncio.sleep(_seconds(error))
            except Forbidden:  # blocked the bot: honour it as an unsubscribe
                await self.subscriptions.unsubscribe(subscriber.user_hash)
                return "blocked"
            except BadRequest as error:
                log.warning("broadcast to one subscriber refused: %s", error)
                return "failed"
            except NetworkError:
                attempts += 1
                if attempts >= NETWORK_ATTEMPTS:
                    return "failed"
                await asyncio.sleep(self.interval * 4 * attempts)

    @staticmethod
    async def _mark(db, campaign: str, user: str, status: str) -> None:
        await db.execute(
            "UPDATE deliveries SET status = ?, updated = ? WHERE campaign = ? AND user_hash = ?",
            (status, time.time(), campaign, user),
        )
        await db.commit()
