"""The usage log and user settings: one SQLite file, private by design.

Nobody can tell from the file who asked: users are keyed by an HMAC of
their Telegram id with a secret that never leaves the machine, and user
text is kept only where the bot failed to answer, after redaction. Writes
go through a queue and are batched off the reply path: a locked, read-only
or full database costs log events (with a warning), never an answer.

What a person is *told* about (erasure, a subscription, a case) is not
written here but synchronously through `bot.chats.Database`; `erase_rows`
is the one place that knows every table a person leaves traces in.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import re
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bot import metrics
from bot.replies import Event, UserState

log = logging.getLogger(__name__)

BATCH_SIZE = 500
FLUSH_SECONDS = 0.5
READ_TIMEOUT = 0.3
WRITER_BUSY_TIMEOUT = 2.0  # the writer is off the reply path: it may wait out a purge chunk
WRITE_ATTEMPTS = 3
PURGE_CHUNK = 2000  # rows per purge transaction, so the bot's writes slip in between
PURGE_PAUSE = 0.02
TEXT_KEPT_FOR = frozenset({"none", "suggest"})
#: Small talk that brushes the person off ("I only answer questions about work abroad"): maybe a topic we lack.
BRUSH_OFF_INTENTS = frozenset({"offtopic", "complaint"})

#: What a day of events adds to the roll-ups; '' and -1 stand for "none" so keys compare equal.
ROLLUP_KEY = """date(ts, 'unixepoch'), kind, coalesce(lang, ''), coalesce(decision, ''),
    coalesce(smalltalk, ''), coalesce(topic, ''), coalesce(campaign, ''), coalesce(current, home, ''),
    coalesce(helpful, -1)"""
ROLLUP_BACKFILL = f"""
    DELETE FROM daily;
    INSERT INTO daily SELECT {ROLLUP_KEY}, count(*) FROM events GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;
    DELETE FROM user_days;
    INSERT INTO user_days SELECT date(ts, 'unixepoch'), user_hash, max(home), max(current)
        FROM events GROUP BY 1, 2;
"""

MIGRATIONS: tuple[str, ...] = (
    # 1: settings and events
    """
    CREATE TABLE users (
        user_hash TEXT PRIMARY KEY, lang TEXT, home TEXT, current TEXT, updated REAL NOT NULL
    );
    CREATE TABLE events (
        id INTEGER PRIMARY KEY, ts REAL NOT NULL, user_hash TEXT NOT NULL, kind TEXT NOT NULL,
        lang TEXT, topic TEXT, decision TEXT, score REAL, home TEXT, current TEXT,
        campaign TEXT, text TEXT, data TEXT
    );
    CREATE INDEX events_ts ON events (ts);
    CREATE INDEX events_user ON events (user_hash);
    """,
    # 2: the reply latency, and subscriptions' opt-in flag for later campaigns
    """
    ALTER TABLE events ADD COLUMN latency_ms REAL;
    CREATE INDEX events_kind_ts ON events (kind, ts);
    """,
    # 3: small talk and feedback as columns, so reports need not parse JSON a million times
    """
    ALTER TABLE events ADD COLUMN smalltalk TEXT;
    ALTER TABLE events ADD COLUMN helpful INTEGER;
    UPDATE events SET smalltalk = json_extract(data, '$.smalltalk'), helpful = json_extract(data, '$.helpful')
        WHERE data IS NOT NULL;
    """,
    # 4: daily roll-ups kept by the writer, so a report over millions of events reads thousands of rows
    """
    CREATE TABLE daily (
        day TEXT NOT NULL, kind TEXT NOT NULL, lang TEXT NOT NULL, decision TEXT NOT NULL,
        smalltalk TEXT NOT NULL, topic TEXT NOT NULL, campaign TEXT NOT NULL, country TEXT NOT NULL,
        helpful INTEGER NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (day, kind, lang, decision, smalltalk, topic, campaign, country, helpful)
    ) WITHOUT ROWID;
    CREATE TABLE user_days (
        day TEXT NOT NULL, user_hash TEXT NOT NULL, home TEXT, current TEXT,
        PRIMARY KEY (day, user_hash)
    ) WITHOUT ROWID;
    CREATE INDEX user_days_user ON user_days (user_hash);
    """
    + ROLLUP_BACKFILL,
    # 5: where the person is in the journey (before, abroad, returned), for the topic menu
    """
    ALTER TABLE users ADD COLUMN stage TEXT;
    """,
    # 6: opt-in subscriptions (the chat id encrypted, see subscriptions.py) and broadcast deliveries
    """
    CREATE TABLE subscribers (
        user_hash TEXT PRIMARY KEY, chat TEXT NOT NULL, lang TEXT NOT NULL, since REAL NOT NULL
    );
    CREATE TABLE deliveries (
        campaign TEXT NOT NULL, user_hash TEXT NOT NULL, status TEXT NOT NULL, updated REAL NOT NULL,
        PRIMARY KEY (campaign, user_hash)
    );
    """,
    # 7: cases handed to a person (the chat id sealed, see chats.py)
    """
    CREATE TABLE cases (
        id TEXT PRIMARY KEY, user_hash TEXT NOT NULL, chat TEXT NOT NULL, lang TEXT, created REAL NOT NULL
    );
    CREATE INDEX cases_user ON cases (user_hash);
    """,
    # 8: "where are you now" and "where are you going" are two facts; the old single answer was
    # "where you are now, or where you are going": for people who chose the "going" stage it was the destination
    """
    ALTER TABLE users ADD COLUMN going TEXT;
    UPDATE users SET going = current, current = home
        WHERE stage = 'before' AND home IS NOT NULL AND current IS NOT NULL AND current != home;
    """,
    # 9: the key check, message ids for a quick exit (chat hashed), and one sender per campaign
    """
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE tracked (
        chat TEXT NOT NULL, message_id INTEGER NOT NULL, ts REAL NOT NULL, PRIMARY KEY (chat, message_id)
    ) WITHOUT ROWID;
    CREATE INDEX tracked_ts ON tracked (ts);
    CREATE TABLE campaign_locks (campaign TEXT PRIMARY KEY, owner TEXT NOT NULL, expires REAL NOT NULL);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

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
)


def _phone(match: re.Match[str]) -> str:
    """A phone has seven digits or more, whatever separates them; "12, 300" is no phone."""
    return "[phone]" if sum(c.isdigit() for c in match.group()) >= 7 else match.group()


def redact(text: str) -> str:
    """Remove what could identify someone: links, e-mails, handles, phones, document numbers."""
    text = _INVISIBLE.sub("", text)
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    text = _PHONE.sub(_phone, text)
    return re.sub(r"\d{5,}", "[number]", text)


async def connect(db_path: Path, busy_timeout: float) -> aiosqlite.Connection:
    """Open the database private (0600, erased pages overwritten) and migrated."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    if not db_path.exists():  # SQLite gives the -wal and -shm files the database file's mode
        os.close(os.open(db_path, os.O_WRONLY | os.O_CREAT, 0o600))
    for path in (db_path, *(db_path.with_name(db_path.name + s) for s in ("-wal", "-shm"))):
        if path.exists() and path.stat().st_mode & 0o077:
            with contextlib.suppress(OSError):
                path.chmod(0o600)
    db = await aiosqlite.connect(db_path, timeout=busy_timeout)
    try:
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=NORMAL")
        await db.execute("PRAGMA secure_delete=ON")  # erased text does not linger in free pages
        await migrate(db)
    except BaseException:
        await db.close()
        raise
    return db


#: Every table that holds something of one person, and the column that says when it was written.
PERSONAL_TABLES = (
    ("events", "ts"),
    ("users", "updated"),
    ("user_days", None),
    ("subscribers", "since"),
    ("deliveries", "updated"),
    ("cases", "created"),
)


async def erase_rows(db: aiosqlite.Connection, user_hash: str, before: float, chat: str | None = None) -> None:
    """Delete what is stored about one person up to ``before`` (what they did after the request stays).

    ``chat`` is the keyed hash of their private chat, for the quick-exit message ids.
    """
    for table, written in PERSONAL_TABLES:
        if written is None:
            await db.execute(f"DELETE FROM {table} WHERE user_hash = ?", (user_hash,))
        else:
            await db.execute(f"DELETE FROM {table} WHERE user_hash = ? AND {written} <= ?", (user_hash, before))
    if chat is not None:
        await db.execute("DELETE FROM tracked WHERE chat = ? AND ts <= ?", (chat, before))


@dataclass(frozen=True)
class Row:
    ts: float
    user_hash: str
    event: Event
    text: str | None


class UsageLog:
    def __init__(self, db_path: Path, secret: bytes):
        self.db_path = Path(db_path)
        self._secret = secret
        self._db: aiosqlite.Connection | None = None
        self._queue: asyncio.Queue[Row | tuple[str, UserState] | asyncio.Event | None] = asyncio.Queue()
        self._writer: asyncio.Task | None = None
        self._states: dict[str, UserState] = {}
        self._erased: dict[str, float] = {}  # user -> when they asked: older queued rows are never written
        self.write_lock = asyncio.Lock()  # held while a batch is written, and by an erasure
        self.dropped = 0
        self.queued = 0  # events, for the metrics
        self.written = 0

    # --- life cycle ---------------------------------------------------------------------

    @classmethod
    async def open(cls, db_path: Path, secret: bytes) -> UsageLog:
        log_ = cls(db_path, secret)
        try:
            await log_._connect()
        except (sqlite3.Error, OSError) as error:
            log.warning("usage log unavailable (%s): answers go on, nothing is logged", error)
            log_._db = None
        log_._writer = asyncio.create_task(log_._write_loop(), name="usage-log-writer")
        return log_

    async def _connect(self) -> None:
        self._db = await connect(self.db_path, WRITER_BUSY_TIMEOUT)

    async def close(self) -> None:
        """Flush what is queued, then close."""
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
        return hmac.new(self._secret, str(user_id).encode(), hashlib.sha256).hexdigest()[:32]

    def record(
        self,
        user_id: int | str,
        events: Iterable[Event],
        state: UserState | None = None,
        at: float | None = None,
    ) -> None:
        """Queue events (never waits); ``at`` backdates them, for simulations and imports."""
        user = self.user_hash(user_id)
        now = at or time.time()
        for event in events:
            if event.kind == "delete":
                # Cache the erased state: until the writer has run, the database still has the old one.
                self._states[user] = UserState()
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
        if state is not None and self._states.get(user) != state:
            self._states[user] = state
            self._queue.put_nowait((user, state, now))

    def forget(self, user_hash: str, at: float) -> None:
        """An erasure was asked at ``at``: serve fresh settings, and never write what was queued before."""
        self._states[user_hash] = UserState()
        self._erased[user_hash] = max(at, self._erased.get(user_hash, 0.0))

    async def load_state(self, user_id: int | str) -> UserState:
        user = self.user_hash(user_id)
        if user in self._states:
            return self._states[user]
        state = UserState()
        if self._db is not None:
            try:
                async with asyncio.timeout(READ_TIMEOUT):
                    cursor = await self._db.execute(
                        "SELECT lang, home, current, stage, going FROM users WHERE user_hash = ?", (user,)
                    )
                    row = await cursor.fetchone()
                if row:
                    state = UserState(lang=row[0], home=row[1], current=row[2], stage=row[3], going=row[4])
            except (TimeoutError, sqlite3.Error) as error:
                metrics.database_error("read")
                log.warning("could not read settings (%s); starting fresh", type(error).__name__)
        self._states[user] = state
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
                await (await self._db.execute("SELECT 1")).fetchone()
        except (TimeoutError, sqlite3.Error, ValueError):
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
                if attempt < WRITE_ATTEMPTS and "locked" in str(error):
                    await asyncio.sleep(0.2 * attempt)
                    continue
                metrics.database_error("write")
                self.dropped += len(batch)
                log.warning("usage log: %d events not written (%s)", len(batch), error)
                return

    async def _write_once(self, batch: list) -> sqlite3.Error | None:
        assert self._db is not None
        rows: list[Row] = []
        settings: dict[str, UserState] = {}
        deletions: list[str] = []
        for item in batch:
            erased_at = self._erased.get(item.user_hash if isinstance(item, Row) else item[0])
            if erased_at is not None and (item.ts if isinstance(item, Row) else item[2]) <= erased_at:
                continue  # queued before the person asked to be erased
            if isinstance(item, Row) and item.event.kind == "delete":
                deletions.append(item.user_hash)
                settings.pop(item.user_hash, None)
                rows = [row for row in rows if row.user_hash != item.user_hash]
            elif isinstance(item, Row):
                rows.append(item)
            else:
                settings[item[0]] = item[1]
        try:
            for user in deletions:
                for table in ("events", "users", "user_days", "subscribers", "deliveries", "cases"):
                    await self._db.execute(f"DELETE FROM {table} WHERE user_hash = ?", (user,))
            await self._db.executemany(
                f"INSERT INTO events (ts, user_hash, kind, {', '.join(COLUMNS)}, text, data)"
                f" VALUES ({', '.join('?' * (len(COLUMNS) + 5))})",
                [_event_row(row) for row in rows],
            )
            daily, user_days = _rollups(rows)
            await self._db.executemany(
                "INSERT INTO daily VALUES (?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT DO UPDATE SET count = count + excluded.count",
                [(*key, count) for key, count in daily.items()],
            )
            await self._db.executemany(
                "INSERT INTO user_days VALUES (?,?,?,?) ON CONFLICT DO UPDATE SET"
                " home = coalesce(excluded.home, home), current = coalesce(excluded.current, current)",
                [(*key, home, current) for key, (home, current) in user_days.items()],
            )
            await self._db.executemany(
                "INSERT INTO users (user_hash, lang, home, current, stage, going, updated) VALUES (?,?,?,?,?,?,?)"
                " ON CONFLICT (user_hash) DO UPDATE SET lang=excluded.lang, home=excluded.home,"
                " current=excluded.current, stage=excluded.stage, going=excluded.going, updated=excluded.updated",
                [(u, s.lang, s.home, s.current, s.stage, s.going, time.time()) for u, s in settings.items()],
            )
            await self._db.commit()
            self.written += len(rows)
        except sqlite3.Error as error:
            with contextlib.suppress(sqlite3.Error):
                await self._db.rollback()
            return error
        return None

    # --- retention ----------------------------------------------------------------------

    async def purge(self, older_than: dt.timedelta) -> int:
        """Delete events, roll-ups and cases past retention, in small transactions.

        Between two chunks the bot (another process) can write: a purge costs it no events.
        """
        assert self._db is not None
        cutoff = time.time() - older_than.total_seconds()
        cutoff_day = dt.datetime.fromtimestamp(cutoff, dt.UTC).date().isoformat()
        for table in ("daily", "user_days"):
            days = await (
                await self._db.execute(f"SELECT DISTINCT day FROM {table} WHERE day < ?", (cutoff_day,))
            ).fetchall()
            for (day,) in days:
                await self._db.execute(f"DELETE FROM {table} WHERE day = ?", (day,))
                await self._commit_chunk()
        await self._db.execute("DELETE FROM cases WHERE created < ?", (cutoff,))
        await self._db.execute("DELETE FROM tracked WHERE ts < ?", (time.time() - 48 * 3600,))
        await self._commit_chunk()
        deleted = 0
        while True:
            cursor = await self._db.execute(
                "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE ts < ? LIMIT ?)", (cutoff, PURGE_CHUNK)
            )
            await self._commit_chunk()
            deleted += cursor.rowcount
            if cursor.rowcount < PURGE_CHUNK:
                return deleted

    async def _commit_chunk(self) -> None:
        assert self._db is not None
        await self._db.commit()
        await asyncio.sleep(PURGE_PAUSE)  # let a waiting writer in


COLUMNS = (
    "lang",
    "topic",
    "decision",
    "score",
    "home",
    "current",
    "campaign",
    "latency_ms",
    "smalltalk",
    "helpful",
)


def _event_row(row: Row) -> tuple:
    data = dict(row.event.data)
    data.pop("text", None)
    columns = [data.pop(key, None) for key in COLUMNS]
    extra = json.dumps(data, ensure_ascii=False) if data else None
    return (row.ts, row.user_hash, row.event.kind, *columns, row.text, extra)


def _rollups(rows: list[Row]) -> tuple[dict[tuple, int], dict[tuple, tuple]]:
    """What a batch adds to the daily counts and to the users seen per day."""
    daily: dict[tuple, int] = defaultdict(int)
    user_days: dict[tuple, tuple] = {}
    for row in rows:
        data = row.event.data
        day = dt.datetime.fromtimestamp(row.ts, dt.UTC).date().isoformat()
        helpful = data.get("helpful")
        key = (
            day,
            row.event.kind,
            data.get("lang") or "",
            data.get("decision") or "",
            data.get("smalltalk") or "",
            data.get("topic") or "",
            data.get("campaign") or "",
            data.get("current") or data.get("home") or "",
            -1 if helpful is None else int(helpful),
        )
        daily[key] += 1
        previous = user_days.get((day, row.user_hash), (None, None))
        user_days[(day, row.user_hash)] = (
            data.get("home") or previous[0],
            data.get("current") or previous[1],
        )
    return daily, user_days


async def migrate(db: aiosqlite.Connection) -> int:
    """Bring the schema to the newest version; return the version it was at."""
    cursor = await db.execute("PRAGMA user_version")
    (version,) = await cursor.fetchone()
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        await db.executescript(f"BEGIN; {script} PRAGMA user_version = {number}; COMMIT;")
    return version
