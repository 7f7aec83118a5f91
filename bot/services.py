"""The services a conversation needs, opened once and shared by every adapter.

What a person is told about is written at once and reported honestly:
`erase_user`, `subscribe`, `unsubscribe` and `open_case` return whether the
write landed, after a busy timeout and a few retries with backoff. An
erasure (or unsubscription) that still fails is kept **in memory** and
retried every `RETRY_SECONDS` until it lands (and once more at shutdown):
if the process stops before the database is writable again it is lost, so
the person is told to try again, never that it is done. Meanwhile the bot
already acts as if it were done: settings read as empty, and nothing of
that person queued before the request is written.

The erasure itself is `bot.db.erasure.erase_person`: every repository that
holds something of a person, in one transaction, announced on PostgreSQL to
the other instances.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field

from bot import metrics
from bot.chats import Database, TrackedMessages, WriteFailed
from bot.config import Config
from bot.content import Content, Problem, load_content
from bot.content_check import cross_check
from bot.db import Connection
from bot.db.erasure import announce, erase_person
from bot.dialogue import Dialogue
from bot.handoff import Cases
from bot.i18n import I18n
from bot.keys import check_secret_in, load_secret
from bot.matching import Matcher
from bot.replies import Erase, EraseChat, Turn, UserState
from bot.subscriptions import Subscriptions
from bot.usage_log import UsageLog

log = logging.getLogger(__name__)

RETRY_SECONDS = 30.0


class ContentError(RuntimeError):
    """The content has errors: the bot does not start (or reload) with it; ``problems`` lists them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("content has errors:\n" + "\n".join(map(str, problems)))


@dataclass(frozen=True)
class Pending:
    """An erasure (or, with ``only_subscription``, an unsubscription) that has not landed yet."""

    user_hash: str
    asked: float
    chat: str | None = None
    only_subscription: bool = False


@dataclass
class Services:
    """Everything a conversation needs, opened once: the dialogue, the usage log and the stores of personal data."""

    config: Config
    i18n: I18n
    dialogue: Dialogue
    usage_log: UsageLog
    subscriptions: Subscriptions
    cases: Cases
    loaded_at: float
    database: Database = field(default_factory=lambda: Database(None))
    tracked: TrackedMessages | None = None
    pending: dict[str, Pending] = field(default_factory=dict)
    _retrier: asyncio.Task | None = None
    _reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    async def open(cls, config: Config) -> Services:
        """Raises keys.SecretError (one line to show) for a missing, short or wrong secret."""
        content = _load(config)
        i18n = I18n(config.locales_dir, content.languages, config.default_language)
        dialogue = _dialogue(config, content, i18n)
        secret = load_secret(config.hash_secret, config.db_path, config.database_url)
        usage_log = await UsageLog.open(config.database, secret)
        database = await Database.open(config.database)
        if database.shared:  # PostgreSQL: the key check lives in its `meta` table (SQLite's was checked above)
            try:
                await check_secret_in(database, secret)
            except BaseException:
                await usage_log.close()
                await database.close()
                raise
            await usage_log.listen_for_erasures()
        services = cls(
            config,
            i18n,
            dialogue,
            usage_log,
            Subscriptions(database, secret),
            Cases(database, secret),
            time.time(),
            database,
            TrackedMessages(database, secret),
        )
        services._retrier = asyncio.create_task(services._retry_loop(), name="erasure-retries")
        return services

    @property
    def content(self) -> Content:
        """The content now live (a reload swaps it)."""
        return self.dialogue.content

    async def reload(self) -> list[Problem]:
        """Re-read the content off the event loop; on any error keep the live content and return the errors.

        The new content is swapped in at once (one assignment): a conversation sees the old or the new.
        """
        async with self._reload_lock:
            try:
                _, i18n, dialogue = await asyncio.to_thread(self._parse)
            except ContentError as error:
                log.warning("content reload refused: %d errors", len(error.problems))
                return error.problems
            self.i18n, self.dialogue = i18n, dialogue
            self.loaded_at = time.time()
            return []

    def _parse(self) -> tuple[Content, I18n, Dialogue]:
        content = _load(self.config)
        i18n = I18n(self.config.locales_dir, content.languages, self.config.default_language)
        return content, i18n, _dialogue(self.config, content, i18n)

    async def load_state(self, user_id: int | str) -> UserState:
        """The person's settings for this turn (see `UsageLog.load_state`)."""
        return await self.usage_log.load_state(user_id)

    async def remember(self, user_id: int | str, turn: Turn) -> None:
        """Keep the turn's settings before its replies go out: the person's next tap reads them.

        On a shared database the next tap may reach another instance, so the settings are written now,
        not in the next batch: a later batch would overwrite what the other instance wrote meanwhile.
        """
        self._record(user_id, [], turn)
        if self.usage_log.shared:
            await self.usage_log.flush()

    async def record(self, user_id: int | str, turn: Turn, chat_id: int | None = None, settings: bool = True) -> None:
        """Log the turn's events (and keep its settings, unless `remember` already did): best-effort."""
        self._record(user_id, turn.events, turn, keep_settings=settings)

    def _record(self, user_id: int | str, events: list, turn: Turn, keep_settings: bool = True) -> None:
        if turn.effect(Erase) or turn.effect(EraseChat):
            return  # nothing about a person who asked to be erased is kept, not even the emptied settings
        try:
            self.usage_log.record(user_id, events, turn.state, keep_settings=keep_settings)
        except Exception:  # the log must never cost an answer
            log.exception("usage log record failed")

    # --- writes a person is told about ----------------------------------------------------

    async def erase_user(self, user_key: int | str, chat_id: int | None = None) -> bool:
        """Erase everything kept about a person: settings, events, cases, subscription, sealed chats,
        and (with ``chat_id``) the quick-exit message ids of their private chat.

        True: it is gone. False: not yet; it is retried in the background until it lands — tell the
        person "I could not erase it right now — try again in a minute" (never "erased").
        """
        user = self.usage_log.user_hash(user_key)
        chat = self.tracked.chat_key(chat_id) if self.tracked and chat_id is not None else None
        request = Pending(user, time.time(), chat)
        self.usage_log.forget(user, request.asked)
        if await self._apply(request):
            self.pending.pop(user, None)
            return True
        self._queue(request)
        return False

    async def subscribe(self, user_key: int | str, chat_id: int | None, lang: str) -> bool:
        """Keep the sealed chat for the weekly message. False: nothing kept — say "try again later"."""
        if chat_id is None:  # the terminal chat has nowhere to deliver to
            return False
        return await self.subscriptions.subscribe(self.usage_log.user_hash(user_key), chat_id, lang)

    async def unsubscribe(self, user_key: int | str) -> bool:
        """Forget the subscription. False: not yet, retried in the background — say "try again in a minute"."""
        user = self.usage_log.user_hash(user_key)
        if await self.subscriptions.unsubscribe(user):
            return True
        self._queue(Pending(user, time.time(), only_subscription=True))
        return False

    async def open_case(self, user_key: int | str, chat_id: int, lang: str, case: str | None = None) -> str | None:
        """A new case number for "talk to a person", kept with the sealed chat. None: nothing was kept —
        do not post to the operators; tell the person it could not be sent and to try again (or a hotline)."""
        return await self.cases.open_case(self.usage_log.user_hash(user_key), chat_id, lang, case)

    async def close_case(self, case: str) -> bool:
        """Close a case (an operator's /close): later replies to it are refused. False if not written."""
        return await self.cases.close_case(case)

    async def find_case(self, case: str) -> tuple[int, str] | None:
        """The chat and language of an open case, for an operator's reply; None once closed or erased."""
        return await self.cases.find(case)

    # --- quick exit -----------------------------------------------------------------------

    async def track_message(self, chat_id: int, *message_ids: int) -> bool:
        """Remember a private chat's messages (either direction) for a quick exit, for 48 hours."""
        return bool(self.tracked) and await self.tracked.track(chat_id, *message_ids)

    async def tracked_messages(self, chat_id: int) -> list[int]:
        """The chat's message ids Telegram still lets the bot delete (younger than 47 hours)."""
        return await self.tracked.recent(chat_id) if self.tracked else []

    async def forget_messages(self, chat_id: int) -> bool:
        """Forget a chat's tracked ids after a quick exit deleted them."""
        return bool(self.tracked) and await self.tracked.forget(chat_id)

    # --- the retries ----------------------------------------------------------------------

    def _queue(self, request: Pending) -> None:
        previous = self.pending.get(request.user_hash)
        if previous is not None and not previous.only_subscription:
            request = Pending(request.user_hash, max(previous.asked, request.asked), previous.chat or request.chat)
        self.pending[request.user_hash] = request
        log.warning("an erasure could not be written yet: retried every %.0f s", RETRY_SECONDS)

    async def _apply(self, request: Pending) -> bool:
        if request.only_subscription:
            return await self.subscriptions.unsubscribe(request.user_hash)

        async def work(db: Connection) -> None:
            await erase_person(db, request.user_hash, request.asked, request.chat)
            if self.database.shared:  # the other instances stop writing what they queued for this person
                await announce(db, request.user_hash, request.asked)

        try:
            async with self.usage_log.write_lock:  # no batch of the log writer is half-way meanwhile
                await self.database.run(work)
            return True
        except WriteFailed as error:
            metrics.database_error("erase")
            log.warning("erasure failed (%s)", error)
            return False

    async def retry_pending(self) -> int:
        """Try every pending erasure once; return how many are still pending."""
        for user, request in list(self.pending.items()):
            if await self._apply(request) and self.pending.get(user) is request:
                del self.pending[user]
        return len(self.pending)

    async def _retry_loop(self) -> None:
        while True:
            await asyncio.sleep(RETRY_SECONDS)
            try:
                if self.pending:
                    await self.retry_pending()
                if self.tracked:
                    await self.tracked.prune()
            except Exception:
                log.exception("erasure retries failed")

    async def ping(self) -> bool:
        """Whether the database answers now: /healthz reports it."""
        return await self.usage_log.ping()

    async def close(self) -> None:
        """Stop the retries, try pending erasures a last time, flush the log and close the database."""
        if self._retrier is not None:
            self._retrier.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retrier
        if self.pending and await self.retry_pending():
            log.error("%d erasures could not be written before shutdown", len(self.pending))
        await self.usage_log.close()
        await self.database.close()


def _dialogue(config: Config, content: Content, i18n: I18n) -> Dialogue:
    return Dialogue(content, Matcher(content, config.thresholds), i18n, can_talk=bool(config.operator_chat_id))


def _load(config: Config) -> Content:
    result = load_content(config.content_dir)
    errors = result.errors + [p for p in cross_check(result) if p.severity == "error"]
    if errors:
        raise ContentError(errors)
    return result.content
