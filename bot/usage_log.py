"""The usage log and user settings: batched off the reply path, private by design.

Nobody can tell from the file who asked: users are keyed by an HMAC of
their Telegram id with a secret that never leaves the machine, and user
text is kept only where the bot failed to answer, after redaction. Writes
go through a queue and are batched off the reply path: a locked, read-only
or full database costs log events (with a warning), never an answer.

What a person is *told* about (erasure, a subscription, a case) is not
written here but synchronously through `bot.chats.Database`. The SQL is the
repositories': `bot.db.events` (events and roll-ups) and `bot.db.settings`
(users); a person's erasure is `bot.db.erasure.erase_person`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from pathlib import Path

import aiosqlite
import asyncpg

from bot import metrics
from bot.chats import TRACKED_KEPT_FOR
from bot.db import (
    MIGRATIONS,
    SCHEMA_VERSION,
    Connection,
    DatabaseError,
    Engine,
    cases,
    connect_sqlite,
    open_engine,
    settings,
    tracked,
)
from bot.db import events as event_log
from bot.db import migrate_sqlite as migrate
from bot.db.erasure import ERASED_CHANNEL, erase_person, parse_announcement
from bot.db.events import Row
from bot.replies import Event, UserState

__all__ = ["ERASED_CHANNEL", "MIGRATIONS", "SCHEMA_VERSION", "Row", "UsageLog", "migrate", "redact"]

log = logging.getLogger(__name__)

BATCH_SIZE = 500
FLUSH_SECONDS = 0.5
#: A settings read of the local file waits at most this long: SQLite's readers never wait for its writer (WAL), so
#: only a stalled machine reaches it — and then a short wait is better than a person's settings read as fresh.
READ_TIMEOUT = 1.5
#: A shared database is read at every update (no cache) over a network: a slow read costs a wait,
#: never the person's settings.
SHARED_READ_TIMEOUT = 2.0
POOL_SIZE = 8  # PostgreSQL: the writer holds one connection at a time, settings reads use the others
WRITER_BUSY_TIMEOUT = 2.0  # the writer is off the reply path: it may wait out a purge chunk
WRITE_ATTEMPTS = 3
PURGE_CHUNK = 2000  # rows per purge transaction, so the bot's writes slip in between
PURGE_PAUSE = 0.02
TEXT_KEPT_FOR = frozenset({"none", "suggest"})
#: Small talk that brushes the person off ("I only answer questions about work abroad"): maybe a topic we lack.
BRUSH_OFF_INTENTS = frozenset({"offtopic", "complaint"})

#: Invisible characters that could hide a phone number from the patterns below.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]")
_TLDS = "com|ru|me|org|net|kg|tj|uz|kz|io|su|info|app|link|site|online|top|xyz|рф"
_PHONE = re.compile(r"\+?\d[\d\s().\-/_,*]{5,}\d")
_REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)\b[\w.+-]+@[\w-]+\.[\w.-]+\b"), "[email]"),
    (re.compile(r"(?i)(?:\b(?:https?|tg)://|\bwww\.|\bt\.me/)\S+"), "[link]"),
    (re.compile(rf"(?i)\b(?:[\w-]+\.)+(?:{_TLDS})\b(?:/\S*)?"), "[link]"),
    (re.compile(r"(?<!\w)@\w{3,}"), "[handle]"),
    # Passport-like: one to three letters, then six or more digits (AN1234567, ID 0123456).
    (re.compile(r"(?i)\b[a-zа-яё]{1,3}\s?№?\s?\d{6,}\b"), "[document]"),
    # An address: a street, house or flat word with its number ("ул. Садовая 12", "кв 5", "Main St 4"),
    # or a capitalised name followed by a house number ("Садовая 12", "Abay 15/2").
    (
        re.compile(
            r"(?i)\b(?:ул|улица|пр|проспект|пер|переулок|мкр|микрорайон|дом|д|кв|квартира|корп|street|st|"
            r"avenue|ave|apt|flat|house|ko'?chasi|kochasi|көч|кӯч|үй|уй|хона|kv)\b\.?\s*[\w'-]*\s*\d+[\w/-]*"
        ),
        "[address]",
    ),
    (
        re.compile(
            r"\b[A-ZА-ЯЁӘҒҚҢӨҰҮҺІЎҲҶӢӮ][\w'-]{2,}\s+\d{1,4}(?:[/-]\d+)?[a-zа-я]?\b"
            # …but not "Москве 2 года", "Moskvada 5 oy": a number of years, months, days or money is no house.
            r"(?!\s*(?:год|лет|мес|дн|день|нед|час|тыс|дол|руб|сом|сум|oy|yil|kun|hafta|soat|ming|so'm|ай|жыл|"
            r"күн|жума|миң|сол|моҳ|рӯз|ҳафта|ҳазор|year|month|day|week|hour|thousand|dollar|usd|\$|%))"
        ),
        "[address]",
    ),
)


def _phone(match: re.Match[str]) -> str:
    """A phone has seven digits or more, whatever separates them; "12, 300" is no phone."""
    return "[phone]" if sum(c.isdigit() for c in match.group()) >= 7 else match.group()


def redact(text: str) -> str:
    """Remove what could identify someone: links, e-mails, handles, phones, document numbers, addresses."""
    text = _INVISIBLE.sub("", text)
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    text = _PHONE.sub(_phone, text)
    return re.sub(r"\d{5,}", "[number]", text)


async def connect(db_path: Path, busy_timeout: float) -> aiosqlite.Connection:
    """Open the SQLite database private (0600, erased pages overwritten) and migrated."""
    return await connect_sqlite(db_path, busy_timeout)


class UsageLog:
    """Events and settings, written in batches off the reply path.

    On SQLite (one process) settings are cached here; on a shared database (PostgreSQL, many
    processes) only settings not yet written are held here and everything else is read from the
    database, so an erasure or a change through another instance is seen at once.
    """

    def __init__(self, target: str | Path, secret: bytes):
        self.target = target
        self.db_path = Path(target) if not isinstance(target, str) else None
        self._secret = secret
        self._db: Engine | None = None
        self._queue: asyncio.Queue[Row | tuple[str, UserState] | asyncio.Event | None] = asyncio.Queue()
        self._writer: asyncio.Task | None = None
        self._states: dict[str, UserState] = {}
        self._listener: asyncpg.Connection | None = None
        #: Shared database: what is kept in memory only (never written), per process.
        self._volatile: dict[str, tuple[float, str | None, str | None]] = {}
        self._erased: dict[str, float] = {}  # user -> when they asked: older queued rows are never written
        self.write_lock = asyncio.Lock()  # held while a batch is written, and by an erasure
        self.dropped = 0
        self.queued = 0  # events, for the metrics
        self.written = 0

    # --- life cycle ---------------------------------------------------------------------

    @classmethod
    async def open(cls, target: str | Path, secret: bytes) -> UsageLog:
        """``target``: a SQLite path or a database URL (``sqlite:///…``, ``postgresql://…``)."""
        log_ = cls(target, secret)
        try:
            await log_._connect()
        except DatabaseError as error:
            log.warning("usage log unavailable (%s): answers go on, nothing is logged", type(error).__name__)
            log_._db = None
        log_._writer = asyncio.create_task(log_._write_loop(), name="usage-log-writer")
        return log_

    async def _connect(self) -> None:
        self._db = await open_engine(self.target, WRITER_BUSY_TIMEOUT, size=POOL_SIZE)

    @property
    def shared(self) -> bool:
        """Whether other processes write this database too: settings are then never cached."""
        return self._db is not None and self._db.shared

    async def listen_for_erasures(self) -> None:
        """Shared database: when another instance erases a person, never write what was queued for them here.

        Without this, a row this process queued a moment before the erasure could be written after it.
        """
        if not self.shared or self._listener is not None:
            return
        try:
            self._listener = await asyncpg.connect(self._db.url)  # type: ignore[union-attr]
            await self._listener.add_listener(ERASED_CHANNEL, self._erased_elsewhere)
        except DatabaseError as error:
            log.warning("erasures from other instances are not heard (%s)", type(error).__name__)
            self._listener = None

    def _erased_elsewhere(self, _connection, _pid, _channel, payload: str) -> None:
        announced = parse_announcement(payload)
        if announced is not None:
            self.forget(*announced)

    async def close(self) -> None:
        """Flush what is queued, then close."""
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()
            self._listener = None
        if self._writer:
            await self._queue.put(None)
            with contextlib.suppress(Exception):
                await self._writer
            self._writer = None
        if self._db:
            await self._db.close()
            self._db = None

    # --- the reply path: never waits on the database -------------------------------------

    def user_hash(self, user_id: int | str) -> str:
        """The pseudonym a person is kept under: an HMAC of their id, useless without the secret."""
        return hmac.new(self._secret, str(user_id).encode(), hashlib.sha256).hexdigest()[:32]

    def record(
        self,
        user_id: int | str,
        events: Iterable[Event],
        state: UserState | None = None,
        at: float | None = None,
        keep_settings: bool = True,
    ) -> None:
        """Queue events (never waits); ``at`` backdates them, for simulations and imports.

        ``keep_settings=False``: the state only gives the events their context (language, countries); the
        settings were kept already, and writing them again later could undo another instance's newer write.
        """
        user = self.user_hash(user_id)
        now = at or time.time()
        for event in events:
            if event.kind == "delete":
                # Cache the erased state: until the writer has run, the database still has the old one.
                self._forget_state(user)
                self._queue.put_nowait(Row(now, user, event, None))
                self.queued += 1
                return  # nothing about this user is kept, not even the emptied settings
            text = event.data.get("text")
            keep = (
                text
                and not event.data.get("emergency")
                and (
                    (event.data.get("decision") in TEXT_KEPT_FOR and not event.data.get("smalltalk"))
                    or event.data.get("smalltalk") in BRUSH_OFF_INTENTS  # "thanks" is no gap in the FAQ
                    or event.data.get("low_confidence")  # answered, but barely: was it the right answer?
                )
            )
            if state is not None:  # who asked stays unknown; where from and in which language is counted
                context = {"lang": state.lang, "home": state.home, "current": state.current}
                event = Event(event.kind, context | {k: v for k, v in event.data.items() if v is not None})
            self._queue.put_nowait(Row(now, user, event, redact(text)[:1000] if keep else None))
            self.queued += 1
        # On a shared database another instance may have changed the settings since: always write them.
        if keep_settings and state is not None and (self.shared or self._states.get(user) != state):
            self._states[user] = state
            if self.shared:
                self._volatile[user] = (state.card_shown, state.last_question, state.checking)
            self._queue.put_nowait((user, state, now))

    def _forget_state(self, user: str) -> None:
        if self.shared:  # the database is the truth: once erased there, it reads as fresh settings
            self._states.pop(user, None)
            self._volatile.pop(user, None)
        else:
            self._states[user] = UserState()

    def forget(self, user_hash: str, at: float) -> None:
        """An erasure was asked at ``at``: serve fresh settings, and never write what was queued before."""
        self._forget_state(user_hash)
        self._erased[user_hash] = max(at, self._erased.get(user_hash, 0.0))

    async def load_state(self, user_id: int | str) -> UserState:
        """The person's settings for this turn; fresh ones when the database is slow or down (never no answer)."""
        user = self.user_hash(user_id)
        if user in self._states:  # SQLite: the cache; shared: settings this process has not written yet
            return self._states[user]
        state = UserState()
        if self._db is not None:
            try:
                async with asyncio.timeout(SHARED_READ_TIMEOUT if self.shared else READ_TIMEOUT):
                    async with self._db.reading() as db:
                        state = await settings.read(db, user) or state
            except (TimeoutError, *DatabaseError) as error:
                metrics.database_error("read")
                log.warning("could not read settings (%s); starting fresh", type(error).__name__)
        if not self.shared:
            self._states[user] = state
        elif user in self._volatile:
            card_shown, last_question, checking = self._volatile[user]
            state = replace(state, card_shown=card_shown, last_question=last_question, checking=checking)
        return state

    @property
    def pending(self) -> int:
        """Items waiting for the writer (events and settings)."""
        return self._queue.qsize()

    async def ping(self) -> bool:
        """Whether the database answers a trivial query now (for /healthz)."""
        if self._db is None:
            return False
        try:
            async with asyncio.timeout(READ_TIMEOUT):
                await self._db.fetch("SELECT 1")
        except (TimeoutError, ValueError, *DatabaseError):
            metrics.database_error("ping")
            return False
        return True

    # --- the writer ---------------------------------------------------------------------

    async def _write_loop(self) -> None:
        stop = False
        while not stop:
            batch = [await self._queue.get()]
            deadline = time.monotonic() + FLUSH_SECONDS
            while len(batch) < BATCH_SIZE and batch[-1] is not None and not isinstance(batch[-1], asyncio.Event):
                try:
                    batch.append(await asyncio.wait_for(self._queue.get(), deadline - time.monotonic()))
                except TimeoutError:
                    break
            stop = batch[-1] is None
            await self._write([i for i in batch if i is not None and not isinstance(i, asyncio.Event)])
            for marker in batch:
                if isinstance(marker, asyncio.Event):
                    marker.set()

    async def flush(self) -> None:
        """Wait until everything queued so far is written (or dropped)."""
        if self._writer is None or self._writer.done():
            return
        done = asyncio.Event()
        self._queue.put_nowait(done)
        await done.wait()

    async def _write(self, batch: list) -> None:
        if not batch:
            return
        if self._db is None:
            self.dropped += len(batch)
            return
        async with self.write_lock:
            for attempt in range(1, WRITE_ATTEMPTS + 1):
                error = await self._write_once(batch)
                if error is None:
                    return
                if attempt < WRITE_ATTEMPTS and ("locked" in str(error) or self.shared):
                    await asyncio.sleep(0.2 * attempt)
                    continue
                metrics.database_error("write")
                self.dropped += len(batch)
                log.warning("usage log: %d events not written (%s)", len(batch), error)
                return

    async def _write_once(self, batch: list) -> BaseException | None:
        assert self._db is not None
        rows: list[Row] = []
        kept: dict[str, UserState] = {}
        deletions: list[str] = []
        for item in batch:
            erased_at = self._erased.get(item.user_hash if isinstance(item, Row) else item[0])
            if erased_at is not None and (item.ts if isinstance(item, Row) else item[2]) <= erased_at:
                continue  # queued before the person asked to be erased
            if isinstance(item, Row) and item.event.kind == "delete":
                deletions.append(item.user_hash)
                kept.pop(item.user_hash, None)
                rows = [row for row in rows if row.user_hash != item.user_hash]
            elif isinstance(item, Row):
                rows.append(item)
            else:
                kept[item[0]] = item[1]
        try:
            async with self._db.transaction() as db:
                for user in deletions:  # everything of the person, in every repository that holds some
                    await erase_person(db, user, math.inf)
                await event_log.add(db, rows)
                await settings.save(db, kept.items(), time.time())
            self.written += len(rows)
        except DatabaseError as error:
            return error
        if self.shared:  # written: from now on the database answers for these settings
            for user, state in kept.items():
                if self._states.get(user) is state:
                    del self._states[user]
        return None

    # --- retention ----------------------------------------------------------------------

    async def purge(self, older_than: dt.timedelta) -> int:
        """Delete events, roll-ups and cases past retention (and quick-exit ids past 48 h), in small transactions.

        Between two chunks the bot (another process) can write: a purge costs it no events.
        """
        assert self._db is not None
        cutoff = time.time() - older_than.total_seconds()
        cutoff_day = dt.datetime.fromtimestamp(cutoff, dt.UTC).date().isoformat()
        async with self._db.reading() as db:
            days = await event_log.old_days(db, cutoff_day)
        for table, day in days:
            await self._chunk(lambda db, table=table, day=day: event_log.purge_day(db, table, day))
        await self._chunk(lambda db: cases.purge(db, cutoff))
        await self._chunk(lambda db: tracked.prune(db, time.time() - TRACKED_KEPT_FOR))
        deleted = 0
        while True:
            count = await self._chunk(lambda db: event_log.purge_chunk(db, cutoff, PURGE_CHUNK))
            deleted += count
            if count < PURGE_CHUNK:
                return deleted

    async def _chunk(self, work: Callable[[Connection], Awaitable[int]]) -> int:
        """One repository call in its own transaction, then a pause to let a waiting writer in."""
        assert self._db is not None
        async with self._db.transaction() as db:
            count = await work(db)
        await asyncio.sleep(PURGE_PAUSE)
        return count
