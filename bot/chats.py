"""The only chat ids Safar keeps: encrypted, for people who asked to be written to.

Subscribers (weekly message) and open cases (a volunteer's answer) need a
chat to deliver to. The id is sealed with Fernet under a key derived from
the hash secret, which lives outside the database: the database alone says
nothing about who is behind a row. Message ids kept for a quick exit are
filed under a keyed hash of the chat, never the chat id itself.

Writes that a person is told about (subscribed, erased, sent to a volunteer)
go through `Database.run`: one transaction at a time on its own connection,
waiting out a lock and retried with backoff, and it says whether it landed.
The SQL is the repositories' in `bot.db` (here: `bot.db.tracked`); the
stores below seal and open chat ids and handle failures.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from cryptography.fernet import Fernet, InvalidToken

from bot.db import Connection, DatabaseError, Engine, IntegrityError, open_engine, redacted, tracked

log = logging.getLogger(__name__)

T = TypeVar("T")

BUSY_TIMEOUT = 2.0  # seconds SQLite waits for another writer (a purge chunk, the log writer)
POOL_SIZE = 10  # PostgreSQL connections per process for these writes (transactions run side by side)
BACKOFF = (0.1, 0.4, 1.0)  # pauses between attempts; len + 1 attempts in all
DELETABLE_FOR = 47 * 3600  # Telegram lets a bot delete private messages for 48 hours; keep a margin
TRACKED_KEPT_FOR = 48 * 3600


class WriteFailed(RuntimeError):
    """A write that must land did not, after every retry: tell the person the truth."""


class Database:
    """The writes a person is told about: each in its own transaction, retried, on either engine."""

    def __init__(self, db: Engine | None):
        self.db = db

    @classmethod
    async def open(cls, target: str | Path) -> Database:
        """``target``: a SQLite path or a database URL (``sqlite:///…``, ``postgresql://…``)."""
        try:
            return cls(await open_engine(target, BUSY_TIMEOUT, POOL_SIZE))
        except DatabaseError as error:
            where = redacted(target) if isinstance(target, str) else target
            log.warning("database %s unavailable (%s): nothing will be kept", where, type(error).__name__)
            return cls(None)

    @property
    def available(self) -> bool:
        """Whether a database opened at all; without one nothing is kept and the person is told so."""
        return self.db is not None

    @property
    def shared(self) -> bool:
        """Whether other processes use this database too (PostgreSQL): nothing may be cached per process."""
        return self.db is not None and self.db.shared

    async def run(self, work: Callable[[Connection], Awaitable[T]], backoff: tuple[float, ...] | None = None) -> T:
        """Run ``work`` in one transaction and commit; retry a busy or failing database; else WriteFailed.

        An integrity error (a duplicate key) is not retried: it is the caller's to handle.
        """
        if self.db is None:
            raise WriteFailed("no database")
        backoff = BACKOFF if backoff is None else backoff
        last: BaseException | None = None
        for attempt in range(len(backoff) + 1):
            try:
                async with self.db.transaction() as db:
                    return await work(db)
            except IntegrityError:
                raise
            except DatabaseError as error:
                last = error
            if attempt < len(backoff):
                log.warning("database write failed (%s), retry %d", last, attempt + 1)
                await asyncio.sleep(backoff[attempt])
        raise WriteFailed(str(last))

    async def read(self, work: Callable[[Connection], Awaitable[T]], default: T) -> T:
        """Run a repository read; an unavailable or failing database reads as ``default`` (nothing kept)."""
        if self.db is None:
            return default
        try:
            async with self.db.reading() as db:
                return await work(db)
        except DatabaseError as error:
            log.warning("database read failed (%s)", error)
            return default

    async def close(self) -> None:
        """Close the engine (the bot at shutdown, a command-line store when done)."""
        if self.db is not None:
            await self.db.close()
            self.db = None


def chat_key(secret: bytes, chat_id: int) -> str:
    """A keyed hash of a chat id: lets the bot find a chat's rows, tells nobody which chat it is."""
    return hmac.new(secret, f"chat:{chat_id}".encode(), hashlib.sha256).hexdigest()[:32]


def fernet_for(secret: bytes) -> Fernet:
    """The sealing key for chat ids, derived from the hash secret: without the secret a sealed chat is noise."""
    key = hmac.new(secret, b"safar subscribers", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


class ChatStore:
    """A table of sealed chat ids in the usage database; without a database it stays empty."""

    def __init__(self, db: Database | Engine | None, secret: bytes):
        self.database = db if isinstance(db, Database) else Database(db)
        self._secret = secret
        self._fernet = fernet_for(secret)
        self._owns_database = False

    @property
    def _db(self) -> Engine | None:
        return self.database.db

    @classmethod
    async def open(cls, target: str | Path, secret: bytes):
        """A store on its own connection (the command line); the bot shares one `Database`."""
        store = cls(await Database.open(target), secret)
        store._owns_database = True
        return store

    async def close(self) -> None:
        """Close the database only if this store opened it (the bot's shared one closes with the services)."""
        if self._owns_database:
            await self.database.close()

    def seal(self, chat_id: int) -> str:
        """The chat id encrypted for the database: only a holder of the secret can write to it."""
        return self._fernet.encrypt(str(chat_id).encode()).decode()

    def open_seal(self, token: str) -> int | None:
        """The chat id of a sealed token; None (and a warning) for one sealed under another secret."""
        try:
            return int(self._fernet.decrypt(token.encode()))
        except (InvalidToken, ValueError):
            log.warning("a chat cannot be read with this secret: skipped")
            return None

    def chat_key(self, chat_id: int) -> str:
        """The keyed hash a chat's rows are filed under (see the module function)."""
        return chat_key(self._secret, chat_id)


class TrackedMessages(ChatStore):
    """The message ids of private chats (both directions), so a quick exit can delete them after a restart.

    Kept 48 hours (Telegram's limit for a bot to delete them), under a keyed hash of the chat.
    """

    async def track(self, chat_id: int, *message_ids: int, at: float | None = None) -> bool:
        """Keep these message ids of one chat, in one write (a turn's messages together)."""
        key, now = self.chat_key(chat_id), at or time.time()
        if not message_ids:
            return True

        try:
            await self.database.run(lambda db: tracked.add(db, key, message_ids, now), backoff=(0.1,))
            return True
        except WriteFailed as error:
            log.warning("quick exit: a message id could not be kept (%s)", error)
            return False

    async def recent(self, chat_id: int, now: float | None = None) -> list[int]:
        """The ids still deletable (younger than 47 hours), oldest first."""
        key, cutoff = self.chat_key(chat_id), (now or time.time()) - DELETABLE_FOR
        return await self.database.read(lambda db: tracked.since(db, key, cutoff), [])

    async def forget(self, chat_id: int) -> bool:
        """Forget a chat's ids once a quick exit has deleted its messages; False if it could not be written."""
        key = self.chat_key(chat_id)
        try:
            await self.database.run(lambda db: tracked.forget(db, key))
            return True
        except WriteFailed as error:
            log.warning("quick exit: message ids not forgotten (%s)", error)
            return False

    async def prune(self, now: float | None = None) -> int:
        """Forget ids older than 48 hours (no longer deletable); how many. Run by the services' retry loop."""
        cutoff = (now or time.time()) - TRACKED_KEPT_FOR
        try:
            return await self.database.run(lambda db: tracked.prune(db, cutoff))
        except WriteFailed:
            return 0
