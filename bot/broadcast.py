"""Broadcasts that survive a crash, and a second sender, without sending anyone a message twice.

A broadcast is *at most once*: each recipient's delivery is a row whose
status moves queued → sending → sent|blocked|failed, committed around every
send. After a crash, rows left in "sending" (Telegram may or may not have
delivered) are reported as unknown and never retried; rows still queued are
resumed by the next run. One run at a time per campaign: on SQLite a lock row
(renewed while sending, expiring if its holder dies), on PostgreSQL an advisory
lock (released by the server when its holder's connection dies) keeps a second
terminal, an overlapping cron or another instance from sending it too.

No Telegram here: the adapter passes a ``send(chat_id, html)`` that raises
`Blocked`, `RetryAfter` or `Failed` (see bot/broadcast_telegram.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import secrets
import socket
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.db import Connection
from bot.markup import render
from bot.subscriptions import Subscriber, Subscriptions

log = logging.getLogger(__name__)

DEFAULT_RATE = 25.0  # messages per second overall; Telegram allows about 30
NETWORK_ATTEMPTS = 3
FALLBACK_LANGUAGES = ("ru", "en")
LOCK_SECONDS = 120.0  # a dead sender's lock expires after this; a live one renews it
WEEKLY_HOUR = 10  # the myth of the week goes out on Mondays at 10:00 UTC
CATCH_UP = "catch-up"


# --- what the sender raises ----------------------------------------------------------------


class Blocked(Exception):
    """The person blocked the bot: honoured as an unsubscribe."""


class RetryAfter(Exception):
    """Telegram's flood limit: certainly not delivered, safe to send again after ``seconds``."""

    def __init__(self, seconds: float):
        super().__init__(f"retry after {seconds} s")
        self.seconds = float(seconds)


class Failed(Exception):
    """Not delivered. ``transient`` (a network hiccup) is retried a few times; a refusal is not."""

    def __init__(self, reason: str = "", transient: bool = False):
        super().__init__(reason)
        self.transient = transient


Send = Callable[[int, str], Awaitable[object]]


# --- campaigns -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Campaign:
    """One message to every subscriber; its ``id`` is what makes a resumed run skip who already got it."""

    id: str
    messages: dict[str, str]  # lang -> Telegram HTML

    def message_for(self, lang: str) -> str | None:
        """The subscriber's language, else a fallback, else any: everyone subscribed gets a message."""
        for candidate in (lang, *FALLBACK_LANGUAGES, *sorted(self.messages)):
            if candidate in self.messages:
                return self.messages[candidate]
        return None


class CampaignError(ValueError):
    """A campaign file that cannot be sent; the message names the file and what to fix."""


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


def weekly_campaign_id(now: dt.datetime) -> str:
    """This ISO week's myth campaign (UTC): a run late in the week resumes the same campaign."""
    year, week, _ = now.astimezone(dt.UTC).isocalendar()
    return f"myth-{year}-W{week:02d}"


def weekly_myth_due(now: dt.datetime, hour: int = WEEKLY_HOUR) -> bool:
    """Whether this week's myth should have started by ``now`` (from Monday ``hour``:00 UTC).

    At start-up, when due, run the weekly job once with ``catch_up=True``: it sends the week's
    myth if a restart skipped it, or resumes its queued rows; it never sends anyone a second copy.
    """
    now = now.astimezone(dt.UTC)
    monday = (now - dt.timedelta(days=now.weekday())).replace(hour=hour, minute=0, second=0, microsecond=0)
    return now >= monday


@dataclass
class DeliveryReport:
    """What a run did, counted by status and language, for the operator who started it."""

    campaign: str
    statuses: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    retry_after_waits: int = 0
    seconds: float = 0.0
    dry_run: bool = False
    busy: bool = False  # another run holds the campaign: this one sent nothing

    def lines(self) -> list[str]:
        """The report as plain lines for the terminal, explaining the statuses an operator may not expect."""
        total = sum(self.statuses.values())
        head = "dry run" if self.dry_run else f"{self.seconds:.1f} s"
        lines = [f"broadcast {self.campaign}: {total} recipients ({head})"]
        if self.busy:
            lines.append("  another run is sending this campaign right now: this one sent nothing")
        for status in ("sent", "would send", "blocked", "failed", "unknown", "queued", "sending"):
            if self.statuses.get(status):
                lines.append(f"  {status:<11} {self.statuses[status]}")
        lines.append("  by language: " + ", ".join(f"{lang} {n}" for lang, n in sorted(self.languages.items())))
        if self.retry_after_waits:
            lines.append(f"  waited for Telegram's flood limit {self.retry_after_waits} times")
        if self.statuses.get("unknown"):
            lines.append("  unknown: a crash came between sending and recording; not resent (at most once)")
        return lines


class Broadcaster:
    """Sends a campaign at Telegram's rate, at most once per subscriber, resuming where a run stopped."""

    def __init__(self, subscriptions: Subscriptions, send: Send, rate: float = DEFAULT_RATE):
        self.subscriptions = subscriptions
        self.database = subscriptions.database
        self.send = send
        self.interval = 1.0 / rate
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._renewed = 0.0
        self._advisory: contextlib.AsyncExitStack | None = None

    async def run(
        self,
        campaign: Campaign,
        dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
        catch_up: bool = False,
    ) -> DeliveryReport:
        """Send (or resume) a campaign. ``catch_up``: a started campaign only resumes, adding nobody new."""
        report = DeliveryReport(campaign.id, dry_run=dry_run)
        if not self.database.available:
            raise RuntimeError("the subscriptions database is not available")
        subscribers = {s.user_hash: s for s in await self.subscriptions.all()}
        if dry_run:
            for subscriber in subscribers.values():
                report.statuses["would send"] += 1
                report.languages[subscriber.lang] += 1
            return report
        if not await self._lock(campaign.id):
            log.info("broadcast %s: another run holds it; this one sends nothing", campaign.id)
            report.busy = True
            await self._count(campaign.id, report)
            return report
        try:
            queued = await self._prepare(campaign.id, list(subscribers), catch_up)
            started = time.monotonic()
            for done, user in enumerate(queued, start=1):
                await self._renew(campaign.id)
                subscriber = subscribers.get(user)
                status = await self._deliver(campaign, subscriber, report) if subscriber else "failed"
                if status is not None:
                    await self._mark(campaign.id, user, status)
                if progress:
                    progress(done, len(queued))
            report.seconds = time.monotonic() - started
        finally:
            await self._unlock(campaign.id)
        await self._count(campaign.id, report)
        return report

    async def _prepare(self, campaign: str, users: list[str], catch_up: bool) -> list[str]:
        async def work(db: Connection) -> list[str]:
            started = await (
                await db.execute("SELECT 1 FROM deliveries WHERE campaign = ? LIMIT 1", (campaign,))
            ).fetchone()
            if not (catch_up and started):
                await db.executemany(
                    "INSERT INTO deliveries (campaign, user_hash, status, updated)"
                    " VALUES (?, ?, 'queued', ?) ON CONFLICT DO NOTHING",
                    [(campaign, user, time.time()) for user in users],
                )
            await db.execute(
                "UPDATE deliveries SET status = 'unknown' WHERE campaign = ? AND status = 'sending'", (campaign,)
            )
            rows = await (
                await db.execute(
                    "SELECT user_hash FROM deliveries WHERE campaign = ? AND status = 'queued'", (campaign,)
                )
            ).fetchall()
            return [user for (user,) in rows]

        return await self.database.run(work)

    async def _deliver(self, campaign: Campaign, subscriber: Subscriber, report: DeliveryReport) -> str | None:
        """Send to one subscriber; None if the row is no longer this run's to send."""
        text = campaign.message_for(subscriber.lang)
        if text is None:
            return "failed"
        attempts = 0
        while True:
            await asyncio.sleep(self.interval)
            # Only the request itself is "sending": a crash there leaves the outcome unknown.
            if not await self._claim(campaign.id, subscriber.user_hash):
                return None
            try:
                await self.send(subscriber.chat_id, text)
                report.languages[subscriber.lang] += 1
                return "sent"
            except RetryAfter as error:  # certainly not delivered: safe to send again after the wait
                await self._mark(campaign.id, subscriber.user_hash, "queued")
                report.retry_after_waits += 1
                await asyncio.sleep(error.seconds)
            except Blocked:  # blocked the bot: honour it as an unsubscribe
                await self.subscriptions.unsubscribe(subscriber.user_hash)
                return "blocked"
            except Failed as error:
                attempts += 1
                if not error.transient or attempts >= NETWORK_ATTEMPTS:
                    log.warning("broadcast to one subscriber failed: %s", error)
                    return "failed"
                await self._mark(campaign.id, subscriber.user_hash, "queued")
                await asyncio.sleep(self.interval * 4 * attempts)

    # --- the database -------------------------------------------------------------------

    async def _lock(self, campaign: str) -> bool:
        """One sender per campaign: PostgreSQL's advisory lock (many instances), else the lock row (SQLite)."""
        if self.database.shared:
            stack = contextlib.AsyncExitStack()
            held = await stack.enter_async_context(self.database.db.advisory_lock(f"safar campaign {campaign}"))
            if not held:
                await stack.aclose()
                return False
            self._advisory = stack
            return True

        async def work(db: Connection) -> bool:
            now = time.time()
            await db.execute("DELETE FROM campaign_locks WHERE campaign = ? AND expires < ?", (campaign, now))
            cursor = await db.execute(
                "INSERT INTO campaign_locks (campaign, owner, expires) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (campaign, self.owner, now + LOCK_SECONDS),
            )
            return cursor.rowcount == 1

        locked = await self.database.run(work)
        self._renewed = time.monotonic()
        return locked

    async def _renew(self, campaign: str) -> None:
        if self._advisory is not None or time.monotonic() - self._renewed < LOCK_SECONDS / 4:
            return

        async def work(db: Connection) -> int:
            cursor = await db.execute(
                "UPDATE campaign_locks SET expires = ? WHERE campaign = ? AND owner = ?",
                (time.time() + LOCK_SECONDS, campaign, self.owner),
            )
            return cursor.rowcount

        if not await self.database.run(work):
            raise RuntimeError(f"broadcast {campaign}: the lock was lost (paused too long?); stopping")
        self._renewed = time.monotonic()

    async def _unlock(self, campaign: str) -> None:
        if self._advisory is not None:
            stack, self._advisory = self._advisory, None
            await stack.aclose()
            return

        async def work(db: Connection) -> None:
            await db.execute("DELETE FROM campaign_locks WHERE campaign = ? AND owner = ?", (campaign, self.owner))

        try:
            await self.database.run(work)
        except Exception as error:  # it expires on its own
            log.warning("broadcast %s: lock not released (%s); it expires in %d s", campaign, error, LOCK_SECONDS)

    async def _claim(self, campaign: str, user: str) -> bool:
        """queued → sending, only if still queued: a row is never sent by two runs."""

        async def work(db: Connection) -> bool:
            cursor = await db.execute(
                "UPDATE deliveries SET status = 'sending', updated = ?"
                " WHERE campaign = ? AND user_hash = ? AND status = 'queued'",
                (time.time(), campaign, user),
            )
            return cursor.rowcount == 1

        return await self.database.run(work)

    async def _mark(self, campaign: str, user: str, status: str) -> None:
        async def work(db: Connection) -> None:
            await db.execute(
                "UPDATE deliveries SET status = ?, updated = ? WHERE campaign = ? AND user_hash = ?",
                (status, time.time(), campaign, user),
            )

        await self.database.run(work)

    async def _count(self, campaign: str, report: DeliveryReport) -> None:
        rows = await self.database.fetch(
            "SELECT status, count(*) FROM deliveries WHERE campaign = ? GROUP BY status", (campaign,)
        )
        report.statuses = Counter(dict(rows))
